"""Raw inputs are content-addressed: a seed is named for its number and its SHA-256, and pinned by it."""
from __future__ import annotations

import hashlib
import re

SEED_NAME = re.compile(r"^(?P<number>\d{3,})_(?P<digest>[0-9a-f]{16})\.txt$")


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def seed_name(number: int, digest: str) -> str:
    """NNN_<first 16 hex digits of the SHA-256>.txt"""
    return f"{number:03d}_{digest[:16]}.txt"
