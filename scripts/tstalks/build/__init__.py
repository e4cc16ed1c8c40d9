"""`tstalks build`: codings and seeds -> resolved, checked tables -> CSV, Parquet, descriptors, codebook, figures
(as bytes; the publish stage validates and writes them)."""
from .codings import CodingFile, Codings, Seed, load_codings
from .pipeline import Build, build
from .resolve import ArticleText, Resolution
from .sqlite import to_sqlite

__all__ = ["ArticleText", "Build", "CodingFile", "Codings", "Resolution", "Seed", "build", "load_codings", "to_sqlite"]
