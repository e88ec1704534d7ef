"""Shared fixtures: the repository's paths, the built site and a local server.

The site is built once per test run (shared by the xdist workers through a
file lock) with `mkdocs build --strict`; a failed build fails every test that
needs the site, with MkDocs' own messages.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
sys.path.insert(0, str(ROOT / "scripts"))

from local_site import build_site, serve, site_mount  # noqa: E402  (re-exported for tests)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def copy_course(destination: Path) -> Path:
    """A copy of what builds the site (config, pages, hooks, overrides, notebooks)
    in `destination`, for tests that plant a defect and build it."""
    destination.mkdir(parents=True)
    for name in ("mkdocs.yml", "docs", "hooks", "overrides", "notebooks", "scripts"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


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


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """Base URL of the built site, served on 127.0.0.1 under its published path."""
    server, url = serve(built_site, site_mount())
    yield url
    server.shutdown()
