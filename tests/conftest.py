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
import os
from collections import Counter
from pathlib import Path

import pytest
from filelock import FileLock

from course_support import plant_build_defects
from local_site import build_site, copy_course, serve, site_mount

ROOT = Path(__file__).resolve().parent.parent

# As the Makefile exports it, for a direct `pytest` too: Colab's ipykernel starts
# debugpy, which warns on Python 3.12+ at every kernel start; nobody debugs here.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

WITHOUT_BROWSER = "not run: asked to run without the browser (make test BROWSER=0)"


def pytest_addoption(parser):
    parser.addoption("--without-browser", action="store_true",
                     help="leave out the tests marked `browser` and list them as not run (make test BROWSER=0)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--without-browser"):
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.skip(reason=WITHOUT_BROWSER))


def browser_tests_left_out(terminalreporter, config):
    """With --without-browser, end the run by listing the browser tests left out."""
    if not config.getoption("--without-browser"):
        return
    left_out = Counter(report.nodeid.split("::")[0] for report in terminalreporter.stats.get("skipped", [])
                       if WITHOUT_BROWSER in str(report.longrepr))
    terminalreporter.write_sep("=", f"{sum(left_out.values())} browser tests not run (make test BROWSER=0)")
    for name, count in sorted(left_out.items()):
        terminalreporter.write_line(f"  {name}: {count}")


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

    executable = require_chromium()  # fails before starting Playwright, which may look for its own
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, executable)
        yield chromium
        chromium.close()


def pytest_terminal_summary(terminalreporter, config):
    colab_only_lines_run(terminalreporter)
    browser_tests_left_out(terminalreporter, config)


def colab_only_lines_run(terminalreporter):
    """Print the report of Colab-only lines run in simulated Colab (tests/test_colab_simulated.py)."""
    lines = sorted({value for reports in terminalreporter.stats.values() for report in reports
                    for name, value in getattr(report, "user_properties", ()) if name == "colab-only lines"})
    if lines:
        terminalreporter.section("Colab-only lines run in simulated Colab")
        for line in lines:
            terminalreporter.write_line(line)
