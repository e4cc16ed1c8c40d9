# Load the turkey-syria-talks tables in plain R, typed by their Table Schemas.
#
# Needs only readr and jsonlite (Debian/Ubuntu: apt-get install r-cran-readr r-cran-jsonlite;
# elsewhere: install.packages(c("readr", "jsonlite"))).
#
#   source("scripts/load_package.R")
#   tables <- load_package("datapackage.json")   # a named list of tibbles, one per table
#   tables$events$start_date                       # a Date column
#
# Read a date with its precision: every *_date column has *_date_precision beside it, and a date known
# only to the month (year, decade) is stored as its first day (1 January). 2022-12-01 at month
# precision means "a day in December 2022", not 1 December. *_date_earliest and *_date_latest give
# the first and last day the texts allow (the whole month unless the texts narrow it), so filter on
# those: events that may have taken place after 20 December 2022 have start_date_latest > that day.
# date_as_known() writes a date as precisely as it is known ("2022-12", "2023-04-25", "2022", "2010s"):
#
#   date_as_known(tables$events$start_date, tables$events$start_date_precision)
#
# Column types come from each resource's Table Schema: string -> character (a string field with
# an enum, that is a codelist, -> factor with the codelist's codes as levels, in codelist order),
# integer -> integer, number -> double, boolean -> logical, date -> Date. Only an empty cell
# is missing (the schemas' missingValues), so a text such as "NA" stays text.
#
# Run as a script to print each table's size: Rscript scripts/load_package.R [datapackage.json]

suppressPackageStartupMessages({
  library(jsonlite)
  library(readr)
})

column_spec <- function(field) {
  enum <- field$constraints$enum
  switch(field$type,
    string = if (!is.null(enum)) col_factor(levels = as.character(enum)) else col_character(),
    integer = col_integer(),
    number = col_double(),
    boolean = col_logical(),
    date = col_date(format = "%Y-%m-%d"),
    stop(sprintf("field %s: type %s is not handled by load_package.R", field$name, field$type))
  )
}

load_resource <- function(resource, base) {
  fields <- resource$schema$fields
  spec <- do.call(cols, setNames(lapply(fields, column_spec), vapply(fields, function(f) f$name, "")))
  missing <- resource$schema$missingValues
  if (is.null(missing)) missing <- ""
  read_csv(
    file.path(base, resource$path),
    col_types = spec,
    na = as.character(unlist(missing)),
    trim_ws = FALSE,           # spans are exact text: keep every space
    locale = locale(encoding = if (is.null(resource$encoding)) "UTF-8" else resource$encoding),
    progress = FALSE
  )
}

# A date as precisely as it is known, from the date and its precision (a code of date_precision):
# "2023-04-25" (day), "2022-12" (month), "2022" (year), "2010s" (decade); NA where the date is missing.
date_as_known <- function(date, precision) {
  precision <- as.character(precision)
  shown <- ifelse(precision == "month", format(date, "%Y-%m"),
           ifelse(precision == "year", format(date, "%Y"),
           ifelse(precision == "decade", paste0(format(date, "%Y"), "s"), format(date, "%Y-%m-%d"))))
  shown[is.na(date)] <- NA_character_
  shown
}

load_package <- function(descriptor = "datapackage.json") {
  package <- fromJSON(descriptor, simplifyVector = FALSE)
  base <- dirname(descriptor)
  # The tables only: the descriptor also lists the SQLite file, a resource without a Table Schema.
  resources <- Filter(function(r) !is.null(r$schema), package$resources)
  tables <- lapply(resources, load_resource, base = base)
  names(tables) <- vapply(resources, function(r) r$name, "")
  problems <- Filter(function(t) nrow(problems(t)) > 0, tables)
  if (length(problems) > 0) {
    stop("could not read every cell as its schema type in: ", paste(names(problems), collapse = ", "))
  }
  tables
}

if (sys.nframe() == 0L) {
  args <- commandArgs(trailingOnly = TRUE)
  tables <- load_package(if (length(args) > 0) args[[1]] else "datapackage.json")
  for (name in names(tables)) {
    cat(sprintf("%-22s %5d rows %3d columns\n", name, nrow(tables[[name]]), ncol(tables[[name]])))
  }
}
