"""The resource files of a package, each read once: the bytes the checks parse are the bytes whose size and hash
are compared."""
from __future__ import annotations

import hashlib
import mmap
import os
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any


class Files:
    """Reads each resource file once: the bytes the checks parse are the bytes whose size and hash are compared.
    Hashes are computed in another thread (hashlib lets go of the GIL) while the bytes are parsed."""

    def __init__(self, descriptors: dict[Path, dict[str, Any]], hasher: Executor):
        self.algorithms: dict[Path, set[str]] = {}
        for d, package in descriptors.items():
            for r in package["resources"]:
                algorithm = str(r.get("hash", "")).partition(":")[0]
                self.algorithms.setdefault(d.parent / r["path"], set()).add(algorithm)
        self.hasher = hasher
        self.seen: dict[tuple[Path, str], tuple[int, Future[str]]] = {}  # (path, algorithm) -> (bytes, hex digest)

    def read(self, path: Path) -> bytes | mmap.mmap:
        raw = mapped(path)
        for algorithm in self.algorithms.get(path, ()):
            self.seen[(path, algorithm)] = (len(raw), self.hasher.submit(_digest, algorithm, raw))
        return raw

    def size_and_digest(self, path: Path, algorithm: str) -> tuple[int, str]:
        if (path, algorithm) not in self.seen:
            raw = path.read_bytes() if path.is_file() else b""
            self.seen[(path, algorithm)] = (len(raw), self.hasher.submit(_digest, algorithm, raw))
        size, digest = self.seen[(path, algorithm)]
        return size, digest.result()


def mapped(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, mapped rather than copied: reading a large file into fresh memory costs a page fault
    per 4 KiB, which here took more CPU than parsing it. (The build's staged files change under no one.)"""
    with open(path, "rb") as f:
        if not hasattr(mmap, "MAP_SHARED") or os.fstat(f.fileno()).st_size == 0:  # no mmap flags on Windows; mmap refuses empty files
            return f.read()
        return mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0), prot=mmap.PROT_READ)


def _digest(algorithm: str, raw: bytes | mmap.mmap) -> str:
    try:
        return hashlib.new(algorithm, raw).hexdigest()
    except ValueError:  # no such algorithm: no digest can match
        return ""




def check_hashes(folder: Path, descriptors: dict[Path, dict[str, Any]], files: Files, report: Any) -> None:
    bad = []
    for d, package in descriptors.items():
        for r in package["resources"]:
            path = d.parent / r["path"]
            algorithm, _, digest = str(r.get("hash", "")).partition(":")
            size, found = files.size_and_digest(path, algorithm)
            if size != r.get("bytes", size) or not digest or found != digest:
                bad.append(path.relative_to(folder).as_posix())
    report.add("resource bytes and SHA-256 hashes", not bad, "differ for " + ", ".join(bad) if bad else "all match")


