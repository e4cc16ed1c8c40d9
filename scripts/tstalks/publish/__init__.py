"""Publishing: validate a build's staged outputs before swapping them in, release zips, partitioned copies."""
from .stage import Published, check, differences, publish

__all__ = ["Published", "check", "differences", "publish"]
