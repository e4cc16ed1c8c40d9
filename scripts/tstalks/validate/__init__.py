"""`tstalks validate`: check a published package, without the build, the curation assistant, pandas or
frictionless (frictionless is imported only when asked for)."""
from .package import Report, validate_package
from .remote import Unreachable, fetched
from .runtime import skip_pandas
from .sqlite import SqliteCheck, sqlite_problems

__all__ = ["Report", "SqliteCheck", "Unreachable", "fetched", "skip_pandas", "sqlite_problems", "validate_package"]
