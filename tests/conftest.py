"""Shared fixtures: the repository's root, the one built site, the site served
locally and one headless Chromium.

The site is built once per test run (shared by the xdist workers through a
file lock) with `mkdocs build --strict`, and every test that only reads the
site uses that build; a failed build fails every test that needs it, with
MkDocs' own messages. Tests that plant a defect build their own copy
(local_site.copy_course). Import paths (hooks/, scripts/) come from the
pytest configuration in pyproject.toml.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from filelock import FileLock

from course_support import plant_build_defects
from local_site import build_site, copy_course, serve, site_mount

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def once_per_run(tmp_path_factory, request, name: str, make) -> dict:
    """`make(folder)`'s result (a JSON-able dict), computed once per test run and
    shared by the xdist workers through a file lock."""
    under_xdist = hasattr(request.config, "workerinput")
    shared = tmp_path_factory.getbasetemp().parent if under_xdist else tmp_path_factory.getbasetemp()
    record = shared / f"{name}.json"
    with FileLock(str(record) + ".lock"):
        if not record.exists():
            folder = shared / name
            folder.mkdir()
            record.write_text(json.dumps(make(folder)))
        return json.loads(record.read_text())


@pytest.fixture(scope="session")
def site_build(tmp_path_factory, request) -> dict:
    """The one strict build of this test run: {'site': Path, 'returncode', 'log'}."""
    def build(folder: Path) -> dict:
        result = build_site(ROOT, folder / "site")
        return {"site": str(folder / "site"), "returncode": result.returncode,
                "log": result.stdout + result.stderr}

    data = once_per_run(tmp_path_factory, request, "site-build", build)
    data["site"] = Path(data["site"])
    return data


@pytest.fixture(scope="session")
def defective_build(tmp_path_factory, request) -> dict:
    """One strict build of a copy of the course with every defect the build must
    refuse planted in it (course_support.plant_build_defects): {'returncode', 'log', 'planted'}."""
    def build(folder: Path) -> dict:
        course = copy_course(folder / "course")
        planted = plant_build_defects(course)
        result = build_site(course, folder / "site")
        return {"returncode": result.returncode, "log": result.stdout + result.stderr, "planted": planted}

    return once_per_run(tmp_path_factory, request, "defective-build", build)


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


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process (per xdist worker)."""
    from browser_support import launch_chromium, require_chromium
    from playwright.sync_api import sync_playwright

    require_chromium()  # skip or fail before starting Playwright
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
