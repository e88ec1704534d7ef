"""Shared fixtures: the repository's paths, the built site and a local server.

The site is built once per test run (shared by the xdist workers through a
file lock) with `mkdocs build --strict`; a failed build fails every test that
needs the site, with MkDocs' own messages.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def build_site(source: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """Run `mkdocs build --strict` for the course at `source` into `site_dir`."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=source, env=env, capture_output=True, text=True,
    )


@pytest.fixture(scope="session")
def site_build(tmp_path_factory, request) -> dict:
    """The one strict build of this test run: {'site': Path, 'returncode', 'log'}."""
    under_xdist = hasattr(request.config, "workerinput")
    shared = tmp_path_factory.getbasetemp().parent if under_xdist else tmp_path_factory.getbasetemp()
    record = shared / "site-build.json"
    with FileLock(str(record) + ".lock"):
        if not record.exists():
            site = shared / "site"
            result = build_site(ROOT, site)
            record.write_text(json.dumps({"site": str(site), "returncode": result.returncode,
                                          "log": result.stdout + result.stderr}))
        data = json.loads(record.read_text())
    data["site"] = Path(data["site"])
    return data


@pytest.fixture(scope="session")
def built_site(site_build) -> Path:
    """The built site's folder; fails the test when the strict build failed."""
    if site_build["returncode"] != 0:
        pytest.fail("mkdocs build --strict failed:\n" + site_build["log"], pytrace=False)
    return site_build["site"]


class _MountedHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder under a URL prefix, as GitHub Pages serves /REPO/."""

    mount = "/"

    def translate_path(self, path):
        if not path.startswith(self.mount):
            return str(Path(self.directory) / "__outside_the_mount__")
        return super().translate_path("/" + path[len(self.mount):])

    def log_message(self, *args):
        pass


def serve(directory: Path, mount: str = "/"):
    """Serve `directory` at http://127.0.0.1:PORT{mount}; returns (server, base_url)."""
    handler_class = type("Handler", (_MountedHandler,), {"mount": mount})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{mount}"


def site_mount() -> str:
    """The URL path the site is published under (for example /course/)."""
    from urllib.parse import urlparse
    from course_links import configured_repository, repository_being_built
    return urlparse(repository_being_built(configured_repository()).pages_url).path


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """Base URL of the built site, served on 127.0.0.1 under its published path."""
    server, url = serve(built_site, site_mount())
    yield url
    server.shutdown()
