"""A package served over http(s), downloaded into a temporary folder to be validated there."""
from __future__ import annotations

import json
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..core.project import PARQUET_DESCRIPTOR

MAX_DOWNLOAD = 1 << 30  # bytes per file; a bigger file is refused rather than filling the disk


@contextmanager
def fetched(location: str) -> Iterator[Path]:
    """A local folder holding the package at `location` (a folder, a descriptor path, or an http(s) URL).

    For a URL (of datapackage.json, or of the folder holding it), the root descriptor, the Parquet
    descriptor beside it and every resource they list are downloaded into a temporary folder, which is
    removed afterwards. Resource paths must be relative and stay inside the package (no `..`, no URL):
    anything else is refused with a ValueError, as the Data Package spec forbids it."""
    if urllib.parse.urlparse(location).scheme in ("http", "https"):
        descriptor_url = location if location.endswith(".json") else location.rstrip("/") + "/datapackage.json"
        base = descriptor_url.rsplit("/", 1)[0] + "/"
        tmp = Path(tempfile.mkdtemp(prefix="tstalks-remote-"))
        try:
            _download(descriptor_url, tmp / "datapackage.json")
            _download(urllib.parse.urljoin(base, PARQUET_DESCRIPTOR), tmp / PARQUET_DESCRIPTOR)
            for descriptor in ("datapackage.json", PARQUET_DESCRIPTOR):
                parent = Path(descriptor).parent.as_posix()
                for rel in _resource_paths(tmp / descriptor, descriptor_url if descriptor == "datapackage.json" else
                                           urllib.parse.urljoin(base, PARQUET_DESCRIPTOR)):
                    inside = rel if parent == "." else f"{parent}/{rel}"
                    _download(urllib.parse.urljoin(base, inside), tmp / inside)
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    path = Path(location)
    yield path.parent if path.is_file() else path


def _resource_paths(descriptor: Path, url: str) -> list[str]:
    try:
        resources = json.loads(descriptor.read_text("utf-8"))["resources"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{url} is not a data package descriptor (no resources list): {exc}") from None
    found = []
    for r in resources:
        for rel in r.get("path") if isinstance(r.get("path"), list) else [r.get("path")]:
            parts = urllib.parse.urlparse(rel).scheme if isinstance(rel, str) else "?"
            if (not isinstance(rel, str) or not rel or parts or rel.startswith("/") or "\\" in rel
                    or ".." in rel.split("/")):
                raise ValueError(f"{url}: resource {r.get('name')!r} has path {rel!r}; only relative paths inside "
                                 "the package can be validated from a URL")
            found.append(rel)
    return found


def _download(url: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a URL the user gave)
            raw = response.read(MAX_DOWNLOAD + 1)
    except urllib.error.HTTPError as exc:
        raise OSError(f"could not fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise OSError(f"could not fetch {url}: {getattr(exc, 'reason', exc)}") from None
    if len(raw) > MAX_DOWNLOAD:
        raise OSError(f"could not fetch {url}: larger than {MAX_DOWNLOAD} bytes")
    target.write_bytes(raw)
