"""The codes the Python code names, each under the codelist it belongs to (schemas/codelists/<CODELIST>.csv).

Codes are written once, in the codelists; code that must name one names it here, and a test checks every name
below against its codelist, so a code renamed or removed there cannot silently leave a comparison here false.
"""
from __future__ import annotations


class ArticleDateSource:
    CODELIST = "article_date_source"
    PRINTED = "printed"
    PRINTED_UPDATE = "printed_update"
    URL = "url"
    INFERRED = "inferred"
    SUPPLIED = "supplied"
    UNKNOWN = "unknown"


class DatePrecision:
    CODELIST = "date_precision"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    DECADE = "decade"
    ORDER = (DAY, MONTH, YEAR, DECADE)  # finest first


class DateResolution:
    CODELIST = "date_resolution"
    EXPLICIT = "explicit"
    URL_PATH = "url_path"
    WEEKDAY = "weekday"
    WEEKDAY_AHEAD = "weekday_ahead"
    MONTH_DAY = "month_day"
    MONTH_DAY_AHEAD = "month_day_ahead"
    NAMED_MONTH = "named_month"
    NAMED_MONTH_AHEAD = "named_month_ahead"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_YEAR = "this_year"
    LAST_YEAR = "last_year"
    YEARS_AGO = "years_ago"
    FROM_EVENT = "from_event"
    INFERRED = "inferred"


class EventRole:
    CODELIST = "event_role"
    HOST = "host"
    ATTENDEE = "attendee"


class EventStatus:
    CODELIST = "event_status"
    OCCURRED = "occurred"
    PLANNED = "planned"
    PROPOSED = "proposed"


class ParticipantKind:
    CODELIST = "participant_kind"
    PERSON = "person"
    ORGANIZATION = "organization"
    STATE = "state"


class QuoteMode:
    CODELIST = "quote_mode"
    DIRECT = "direct"
    PARAPHRASE = "paraphrase"
    MIXED = "mixed"


class ValueSource:
    CODELIST = "value_source"
    PRINTED = "printed"
    SUPPLIED = "supplied"
    INFERRED = "inferred"


class CaptureCompleteness:
    CODELIST = "capture_completeness"
    UNKNOWN = "unknown"


VOCABULARIES = (
    CaptureCompleteness, ValueSource, ArticleDateSource, DatePrecision, DateResolution, EventRole, EventStatus,
    ParticipantKind, QuoteMode,
)


def named(vocabulary: type) -> dict[str, str]:
    """NAME -> code of every code a vocabulary class names."""
    return {k: v for k, v in vars(vocabulary).items() if k.isupper() and k != "CODELIST" and isinstance(v, str)}
