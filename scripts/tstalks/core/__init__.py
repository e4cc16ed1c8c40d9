"""The shared core: located problems, the project's layout, its schemas and the rules every product applies
(spans, dates, safe YAML, the Table Schema rule engine). Imports nothing of build, validate, curate, publish or cli."""
from .problems import Failed, Problem, Refusal
from .project import CODEBOOK, CSV_DESCRIPTOR, FIGURES, OUTPUTS, PARQUET_DESCRIPTOR, Project, find_root
from .schemas import Role, Schemas, load_schemas, read_codelist
from .seeds import seed_name, sha256

__all__ = ["CODEBOOK", "CSV_DESCRIPTOR", "FIGURES", "OUTPUTS", "PARQUET_DESCRIPTOR", "Failed", "Problem", "Project",
           "Refusal", "Role", "Schemas", "find_root", "load_schemas", "read_codelist", "seed_name", "sha256"]
