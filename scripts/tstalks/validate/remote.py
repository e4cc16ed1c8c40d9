"""Where a package's bytes come from: a local folder or descriptor, a zip archive, or http(s). A zip is unpacked,
and a package served over http(s) downloaded, into a temporary folder, to be validated there like a local one.

Downloads are bounded: one deadline for the whole package and one cap on the bytes of all its files (both said
in the message when reached), and a server that sends nothing for STALL seconds is given up on at once. Resource
paths must be relative and stay inside the package (as stock frictionless requires: "path ... is not safe");
zip members likewise, and no member may be a link.
"""
from __future__ import annotations

import json
import stat
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.problems import shown
from ..core.project import CSV_DESCRIPTOR, PARQUET_DESCRIPTOR
from .descriptors import _unsafe_text

DEADLINE = 600.0  # seconds for downloading a whole package
STALL = 30.0  # seconds a server may send nothing before it is given up on
MAX_DOWNLOAD = 4 << 30  # bytes of all the files of a package downloaded or unzipped
MAX_MEMBERS = 100_000  # files in a zip
CHUNK = 1 << 16


class Unreachable(OSError):
    """The package could not be fetched or unpacked; the message says why, with the limit reached if one was."""


@contextmanager
def fetched(location: str, deadline: float = DEADLINE, cap: int = MAX_DOWNLOAD) -> Iterator[Path]:
    """A local path (folder or descriptor file) holding the package at `location`: a folder, a descriptor
    path, a zip file, or an http(s) URL of a descriptor (or of the folder holding datapackage.json).

    For a URL, the descriptor, the Parquet descriptor beside it (when it is datapackage.json) and every
    resource they list are downloaded into a temporary folder, which is removed afterwards, within `deadline`
    seconds and `cap` bytes in all. Raises Unreachable saying what went wrong."""
    if urllib.parse.urlparse(location).scheme in ("http", "https"):
        with tempfile.TemporaryDirectory(prefix="tstalks-remote-") as tmp:
            yield _download_package(location, Path(tmp), _Budget(deadline, cap))
        return
    path = Path(location)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="tstalks-zip-") as tmp:
            yield _unzip(path, Path(tmp), cap)
        return
    if path.suffix.lower() == ".zip" and path.exists():
        raise Unreachable(f"{location} is named .zip but is not a zip archive")
    yield path


class _Budget:
    """What is left of the deadline and the byte cap, shared by every file of one package."""

    def __init__(self, deadline: float, cap: int):
        self.deadline, self.cap = deadline, cap
        self.end = time.monotonic() + deadline
        self.left = cap

    def seconds(self, url: str) -> float:
        """How long the next read may wait; raises Unreachable once the deadline has passed."""
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise self.late(url)
        return min(remaining, STALL)

    def late(self, url: str) -> Unreachable:
        return Unreachable(f"could not fetch {url}: the download of the package did not finish within "
                           f"{self.deadline:g} s (the deadline for the whole package; --timeout sets it)")

    def take(self, url: str, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise Unreachable(f"could not fetch {url}: the package is larger than {self.cap:,} bytes "
                              "(the limit for a package fetched by URL); download it and validate the folder")


def _download_package(location: str, tmp: Path, budget: _Budget) -> Path:
    descriptor_url = location if location.endswith(".json") else location.rstrip("/") + "/" + CSV_DESCRIPTOR
    base = descriptor_url.rsplit("/", 1)[0] + "/"
    name = urllib.parse.unquote(descriptor_url.rsplit("/", 1)[1])
    if _unsafe_text(name) or "/" in name:
        raise Unreachable(f"{location}: the descriptor's name {shown(name, quote=True)} is not a file name")
    descriptors = [(descriptor_url, name)]
    _download(descriptor_url, tmp / name, budget)
    if name == CSV_DESCRIPTOR:
        other = urllib.parse.urljoin(base, PARQUET_DESCRIPTOR)
        if _download(other, tmp / PARQUET_DESCRIPTOR, budget, missing_ok=True):
            descriptors.append((other, PARQUET_DESCRIPTOR))
    for url, rel in descriptors:
        parent = Path(rel).parent.as_posix()
        for path in _resource_paths(tmp / rel, url):
            inside = path if parent == "." else f"{parent}/{path}"
            _download(urllib.parse.urljoin(base, inside), tmp / inside, budget)
    return tmp / name


def _resource_paths(descriptor: Path, url: str) -> list[str]:
    try:
        resources = json.loads(descriptor.read_text("utf-8"))["resources"]
        if not isinstance(resources, list):
            raise TypeError("`resources` is not a list")
    except (ValueError, KeyError, TypeError) as exc:
        raise Unreachable(f"{url} is not a data package descriptor (no resources list): {shown(exc)}") from None
    found: list[str] = []
    for r in resources:
        paths = r.get("path") if isinstance(r, dict) else None
        for rel in paths if isinstance(paths, list) else [paths]:
            why = _unsafe_text(rel) if isinstance(rel, str) and rel else "it is not a path"
            if why:
                name = shown(r.get("name") if isinstance(r, dict) else r, quote=True)
                raise Unreachable(f"{url}: resource {name} has path {shown(rel, quote=True)}, which is not safe: {why}; "
                                  "only relative paths inside the package can be validated from a URL")
            found.append(str(rel))
    return found


def _download(url: str, target: Path, budget: _Budget, missing_ok: bool = False) -> bool:
    """Download `url` to `target` within the budget; False when it is missing and `missing_ok`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=budget.seconds(url)) as response, open(target, "wb") as out:
            size = response.headers.get("Content-Length")
            if size and size.isdigit():
                budget.take(url, 0 if int(size) <= budget.left else int(size))
            while True:
                # read1: at most one read from the socket, so the deadline is looked at between reads.
                chunk = response.read1(CHUNK)
                if not chunk:
                    return True
                budget.take(url, len(chunk))
                out.write(chunk)
                if _has_socket(response):  # the next read may wait only as long as the deadline allows
                    response.fp.raw._sock.settimeout(budget.seconds(url))
    except urllib.error.HTTPError as exc:
        if missing_ok and exc.code == 404:
            return False
        raise Unreachable(f"could not fetch {url}: HTTP {exc.code} {shown(exc.reason)}") from None
    except TimeoutError:  # socket.timeout, too: a read waited as long as the deadline or STALL allowed
        if budget.end - time.monotonic() <= 0.01:
            raise budget.late(url) from None
        raise Unreachable(f"could not fetch {url}: the server sent nothing for {STALL:g} s") from None
    except urllib.error.URLError as exc:
        raise Unreachable(f"could not fetch {url}: {shown(getattr(exc, 'reason', exc))}") from None


def _has_socket(response: object) -> bool:
    """Whether the response's socket can be given the time left (a private attribute of http.client)."""
    return hasattr(getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None), "settimeout")


def _unzip(archive: Path, tmp: Path, cap: int) -> Path:
    """Unpack a zip whose members are plain files at safe paths, at most `cap` bytes in all; the folder or
    descriptor inside to validate (datapackage.json at the top, or in the one folder at the top)."""
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise Unreachable(f"{archive} holds {len(members):,} files, more than the {MAX_MEMBERS:,} a package may have")
            left = cap
            for m in members:
                left = _extract(z, m, tmp, left, cap, archive)
    except zipfile.BadZipFile as exc:
        raise Unreachable(f"{archive} is not a readable zip archive ({shown(exc)})") from None
    if (tmp / CSV_DESCRIPTOR).is_file():
        return tmp
    tops = list(tmp.iterdir())
    if len(tops) == 1 and (tops[0] / CSV_DESCRIPTOR).is_file():
        return tops[0]
    raise Unreachable(f"{archive} holds no {CSV_DESCRIPTOR} at its top or in the one folder at its top")


def _extract(z: zipfile.ZipFile, m: zipfile.ZipInfo, tmp: Path, left: int, cap: int, archive: Path) -> int:
    """Extract one member, refusing unsafe names, links and more bytes than `left`; returns what is left."""
    name = m.filename
    why = _unsafe_text(name.rstrip("/")) if name.rstrip("/") else "it is empty"
    if why:
        raise Unreachable(f"{archive}: member {shown(name, quote=True)} is not safe: {why}")
    if stat.S_ISLNK(m.external_attr >> 16):
        raise Unreachable(f"{archive}: member {shown(name, quote=True)} is a symbolic link; a package holds plain files")
    target = tmp / name
    if m.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return left
    target.parent.mkdir(parents=True, exist_ok=True)
    with z.open(m) as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            left -= len(chunk)  # counted as read: a member's stated size may lie
            if left < 0:
                raise Unreachable(f"{archive} unpacks to more than {cap:,} bytes (the limit for a zip validated "
                                  "as it is); unpack it yourself and validate the folder")
            out.write(chunk)
    return left
