"""`tstalks validate URL`: a package served over HTTP validates as its local copy does.

Each test serves a folder from 127.0.0.1 on a free port, in a thread that is shut down afterwards."""
from __future__ import annotations

import functools
import io
import json
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from support import ROOT, prepare_release
from support import copy_release_checkout as copy_checkout
from tstalks import build
from tstalks.cli import main
from tstalks.core import Project
from tstalks.publish import release
from tstalks.validate import Unreachable, fetched, remote, validate_package


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
    with (served(tmp_path) as url,
          pytest.raises(OSError, match=rf"could not fetch {url}/nothing/datapackage.json: HTTP 404"),
          fetched(f"{url}/nothing/")):
        pass


def test_a_resource_path_leaving_the_package_is_refused(tmp_path):
    package = published_copy(tmp_path / "site" / "package")
    (tmp_path / "site" / "secret.csv").write_text("a\n1\n", "utf-8")
    descriptor = json.loads((package / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["path"] = "../secret.csv"
    (package / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    refusal = (r"resource 'articles' has path '\.\./secret\.csv', which is not safe: it "
               r"climbs out of the package folder with '\.\.'; only relative paths inside the package")
    with (served(tmp_path / "site") as url, pytest.raises(Unreachable, match=refusal),
          fetched(f"{url}/package/datapackage.json")):
        pass


def test_the_release_bundle_validates_when_served_over_http(tmp_path):
    checkout = prepare_release(copy_checkout(tmp_path / "checkout"), "9.8.7", "2030-01-02")  # in the copy only
    made = release.release(Project(checkout), build.build(Project(checkout)))
    with zipfile.ZipFile(io.BytesIO(made.zip)) as archive:
        archive.extractall(tmp_path / "site")
    with served(tmp_path / "site") as url:
        result = CliRunner().invoke(main, ["validate", f"{url}/{made.name}/datapackage.json"])
    assert result.exit_code == 0, result.output
    assert "ok   Schema checks: data/parquet/datapackage.json" in result.output
    assert "ok   CSV and Parquet hold identical rows and types" in result.output


# --- bounded downloads -----------------------------------------------------------------------------------------------

class DripHandler(QuietHandler):
    """Sends a descriptor one byte every 0.3 s: each read gets something, the whole never ends in time."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.3)
        except OSError:  # the client gave up
            pass


@contextmanager
def serving(handler: type) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def test_a_server_sending_a_byte_at_a_time_is_stopped_at_the_deadline_which_the_message_states():
    with serving(DripHandler) as url:
        start = time.monotonic()
        result = CliRunner().invoke(main, ["validate", f"{url}/datapackage.json", "--timeout", "2"])
        took = time.monotonic() - start
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (f"FAIL package: could not fetch {url}/datapackage.json: the download of the package did not finish within 2 s "
            "(the deadline for the whole package; --timeout sets it)\n") in result.output
    assert took < 5


def test_a_silent_server_is_given_up_on_once_it_has_said_nothing_for_the_stall_time(monkeypatch):
    monkeypatch.setattr(remote, "STALL", 1.0)
    with silent() as url:
        start = time.monotonic()
        with pytest.raises(Unreachable, match=rf"could not fetch {url}/datapackage.json: the server sent nothing for 1 s$"), \
                fetched(f"{url}/datapackage.json", deadline=60):
            pass
    assert time.monotonic() - start < 4


def test_a_package_larger_than_the_cap_is_refused_saying_the_cap(tmp_path):
    refused = r"the package is larger than 100,000 bytes \(the limit for a package fetched by URL\); download it and validate"
    with served(published_copy(tmp_path)) as url, pytest.raises(Unreachable, match=refused), \
            fetched(f"{url}/datapackage.json", cap=100_000):
        pass


def test_a_resource_url_in_a_served_descriptor_is_refused_before_anything_is_fetched(tmp_path):
    package = published_copy(tmp_path / "site")
    descriptor = json.loads((package / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["path"] = "http://elsewhere.example/secret.csv"
    (package / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    with served(package) as url, pytest.raises(Unreachable, match="is a URL; tstalks validate checks the files of a package"), \
            fetched(f"{url}/datapackage.json"):
        pass
