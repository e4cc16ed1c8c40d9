"""`tstalks validate URL`: a package served over HTTP validates as its local copy does.

Each test serves a folder from 127.0.0.1 on a free port, in a thread that is shut down afterwards."""
from __future__ import annotations

import functools
import io
import json
import shutil
import threading
import zipfile
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from support import ROOT
from support import copy_release_checkout as copy_checkout
from tstalks import build
from tstalks.cli import main
from tstalks.core import Project
from tstalks.publish import release
from tstalks.validate import Unreachable, fetched, validate_package


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def published_copy(target: Path) -> Path:
    """The published package alone (descriptors and data), as someone would put it on a web server."""
    shutil.copytree(ROOT / "data", target / "data")
    shutil.copy(ROOT / "datapackage.json", target / "datapackage.json")
    return target



def test_a_package_served_over_http_validates(tmp_path):
    with served(published_copy(tmp_path)) as url:
        result = CliRunner().invoke(main, ["validate", f"{url}/datapackage.json"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("\nvalid")


def test_a_folder_url_finds_its_datapackage_json(tmp_path):
    with served(published_copy(tmp_path)) as url, fetched(f"{url}/") as folder:
        assert validate_package(folder).valid


def test_a_corrupted_file_on_the_server_fails_validation(tmp_path):
    package = published_copy(tmp_path)
    events = package / "data/csv/events.csv"
    events.write_bytes(events.read_bytes().replace(b",", b";", 1))  # break exactly one thing
    with served(package) as url:
        result = CliRunner().invoke(main, ["validate", f"{url}/datapackage.json"])
    assert result.exit_code == 1
    assert "FAIL resource bytes and hashes: data/csv/events.csv has sha256 " in result.output


def test_a_missing_package_url_is_an_error_naming_the_url(tmp_path):
    with served(tmp_path) as url:
        with pytest.raises(OSError, match=rf"could not fetch {url}/nothing/datapackage.json: HTTP 404"):
            with fetched(f"{url}/nothing/"):
                pass


def test_a_resource_path_leaving_the_package_is_refused(tmp_path):
    package = published_copy(tmp_path / "site" / "package")
    (tmp_path / "site" / "secret.csv").write_text("a\n1\n", "utf-8")
    descriptor = json.loads((package / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["path"] = "../secret.csv"
    (package / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    with served(tmp_path / "site") as url:
        with pytest.raises(Unreachable, match=r"resource 'articles' has path '\.\./secret\.csv', which is not safe: it "
                           r"climbs out of the package folder with '\.\.'; only relative paths inside the package"):
            with fetched(f"{url}/package/datapackage.json"):
                pass


def test_the_release_bundle_validates_when_served_over_http(tmp_path):
    checkout = copy_checkout(tmp_path / "checkout")
    made = release.release(Project(checkout), build.build(Project(checkout)))
    with zipfile.ZipFile(io.BytesIO(made.zip)) as archive:
        archive.extractall(tmp_path / "site")
    with served(tmp_path / "site") as url:
        result = CliRunner().invoke(main, ["validate", f"{url}/{made.name}/datapackage.json"])
    assert result.exit_code == 0, result.output
    assert "ok   Schema checks: data/parquet/datapackage.json" in result.output
    assert "ok   CSV and Parquet hold identical rows and types" in result.output
