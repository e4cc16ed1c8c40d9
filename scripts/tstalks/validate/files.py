"""The resource files of a package, each read once: the bytes the checks parse are the bytes whose size and hash
are compared. Only regular files are read (a path swapped for a FIFO or a device after its check is refused
when opened, not read forever)."""
from __future__ import annotations

import hashlib
import mmap
import os
import stat
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.problems import shown

if TYPE_CHECKING:
    from .descriptors import Descriptor

# The algorithms a Data Package `hash` may name, as frictionless-py checks them; no prefix means md5 (the spec).
ALGORITHMS = ("md5", "sha1", "sha256", "sha512")


def algorithm_of(hash_: str) -> tuple[str, str]:
    """(algorithm, hex digest) of a `hash` property: `sha256:abc...`, or a bare digest, which is md5."""
    algorithm, sep, digest = hash_.partition(":")
    return (algorithm.lower(), digest.lower()) if sep else ("md5", hash_.lower())


class Files:
    """Reads each resource file once: the bytes the checks parse are the bytes whose size and hash are compared.
    Hashes are computed in another thread (hashlib lets go of the GIL) while the bytes are parsed."""

    def __init__(self, descriptors: list[Descriptor], hasher: Executor):
        self.algorithms: dict[Path, set[str]] = {}
        for d in descriptors:
            for r in [*d.usable, *d.usable_files]:
                if r["hash"] and algorithm_of(r["hash"])[0] in ALGORITHMS:
                    self.algorithms.setdefault(d.file(r), set()).add(algorithm_of(r["hash"])[0])
        self.hasher = hasher
        self.seen: dict[tuple[Path, str], tuple[int, Future[str]]] = {}  # (path, algorithm) -> (bytes, hex digest)

    def read(self, path: Path) -> bytes | mmap.mmap:
        raw = mapped(path)
        for algorithm in self.algorithms.get(path, ()):
            self.seen[(path, algorithm)] = (len(raw), self.hasher.submit(_digest, algorithm, raw))
        return raw

    def size_and_digest(self, path: Path, algorithm: str) -> tuple[int, str]:
        if (path, algorithm) not in self.seen:
            raw = mapped(path)
            self.seen[(path, algorithm)] = (len(raw), self.hasher.submit(_digest, algorithm, raw))
        size, digest = self.seen[(path, algorithm)]
        return size, digest.result()


def mapped(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, mapped rather than copied: reading a large file into fresh memory costs a page fault
    per 4 KiB, which here took more CPU than parsing it. (The build's staged files change under no one.)
    Raises OSError for anything but a regular file: opened without blocking, so a FIFO cannot hold it."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is not a regular file")
        if not hasattr(mmap, "MAP_SHARED") or info.st_size == 0:  # no mmap flags on Windows; mmap refuses empty files
            with os.fdopen(os.dup(fd), "rb") as f:
                return f.read()
        return mmap.mmap(fd, 0, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0), prot=mmap.PROT_READ)
    finally:
        os.close(fd)


def _digest(algorithm: str, raw: bytes | mmap.mmap) -> str:
    return hashlib.new(algorithm, raw).hexdigest()


def check_hashes(descriptors: list[Descriptor], files: Files) -> tuple[bool, str]:
    """Every resource's byte count and hash, each with the algorithm its descriptor names: (all match, detail)."""
    bad, used = [], set()
    for d in descriptors:
        for r in [*d.usable, *d.usable_files]:
            name = d.rel(r)
            if not r["hash"]:
                bad.append(f"{name} has no hash to check")
                continue
            algorithm, digest = algorithm_of(r["hash"])
            if algorithm not in ALGORITHMS:
                bad.append(f"{name}: hash algorithm {shown(algorithm, quote=True)} is not one tstalks validate checks "
                           f"({', '.join(ALGORITHMS)})")
                continue
            try:
                size, found = files.size_and_digest(d.file(r), algorithm)
            except OSError as exc:
                bad.append(f"{name} cannot be read ({exc.strerror or exc})")
                continue
            used.add(algorithm)
            if r["bytes"] is not None and size != r["bytes"]:
                bad.append(f"{name} has {size:,} bytes, its descriptor says {r['bytes']:,}")
            elif found != digest:
                bad.append(f"{name} has {algorithm} {found}, its descriptor says {shown(digest)}")
    unread = sum(len(d.unsafe) for d in descriptors)
    note = f"; {unread} not read, their paths refused above" if unread else ""
    if bad:
        return False, "\n".join(bad) + note
    return True, f"all match ({', '.join(sorted(used))}){note}"
