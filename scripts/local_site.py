"""The built course site on this machine: build it, list its pages, serve it
on 127.0.0.1 under its published path (as GitHub Pages does), and find the
Chromium that drives it (scripts/setup_browser.py installs one when there is
none). Shared by the tests, the link checker and the benchmarks, so they all
see the site the same way.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from course_links import configured_course, published_site_url as course_site_url  # noqa: E402

# Headless, offline and quiet: no sandbox (CI runs as root), no background
# requests to Google's services.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# What the site is built from (a copy holding these builds like the course), and the
# student copies (exercises/), which the rule book checks beside the notebooks.
BUILD_INPUTS = ("mkdocs.yml", "docs", "hooks", "overrides", "notebooks", "exercises", "scripts")
CHECK_INPUTS = (".secrets.baseline",)   # what an author's quick loop also reads (its leak guards)
JUPYTER_CACHE = ".cache/mkdocs-jupyter"
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb", ".map")


def published_site_url() -> str:
    """Where the site is published: its custom domain or GitHub Pages of the repository being built."""
    return course_site_url(configured_course())


def site_mount() -> str:
    """The URL path the site is published under, for example /course/."""
    return urlparse(published_site_url()).path or "/"


# The environment of every build, here and in the Makefile (which exports the same
# variables): Material's MkDocs 2 notice off, and nbconvert's start-up scan that
# makes an instance of every installed exporter only to list their names (for its
# command line's help), which mkdocs-jupyter pays for at import, off.
BUILD_ENVIRONMENT = {"NO_MKDOCS_2_WARNING": "1", "NBCONVERT_DISABLE_CONFIG_EXPORTERS": "1",
                     # Colab's jupyter_client warns at import on Python 3.13 (a date parsed without a year).
                     "PYTHONWARNINGS": "ignore:Parsing dates involving a day of month without a year:"
                                       "DeprecationWarning"}


def build_site(source: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """Run `mkdocs build --strict` for the course at `source` into `site_dir`."""
    env = {**os.environ, **BUILD_ENVIRONMENT}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=source, env=env, capture_output=True, text=True,
    )


def copy_course(destination: Path, root: Path = ROOT, *, warm: bool = True) -> Path:
    """A copy of what builds and checks the site, in `destination` (for a defect to
    plant, or a build to time). With `warm`, mkdocs-jupyter's cache comes along, so unchanged
    notebooks are not converted again."""
    destination.mkdir(parents=True)
    for name in (*BUILD_INPUTS, *CHECK_INPUTS, *([JUPYTER_CACHE] if warm else [])):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


def site_pages(site_dir: Path) -> list[str]:
    """Every page of the built site as a URL path relative to the site root:
    '' for the home page, 'chapter-1/' ..., and '404.html'."""
    pages = []
    for index in sorted(site_dir.rglob("index.html")):
        folder = index.parent.relative_to(site_dir).as_posix()
        pages.append("" if folder == "." else folder + "/")
    if (site_dir / "404.html").is_file():
        pages.append("404.html")
    return pages


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a site folder under a URL prefix; optionally gzips text files
    when the browser accepts it, as GitHub Pages does."""

    mount = "/"
    gzip = False

    def translate_path(self, path):
        if not path.startswith(self.mount):
            return str(Path(self.directory) / "__outside_the_published_path__")
        return super().translate_path("/" + path[len(self.mount):])

    def send_head(self):
        if not self.gzip or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # http.server's redirect to the folder URL
            path = path / "index.html"
        if not path.is_file() or path.suffix not in COMPRESSIBLE:
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self):
        # LinkChecker lifts its per-host rate limit for a server that sends
        # this header: this one is local.
        self.send_header("LinkChecker", "local course site")
        super().end_headers()

    def log_message(self, *args):
        pass


class SiteServer(http.server.ThreadingHTTPServer):
    """A client that hangs up before a file is sent (a link checker that has seen
    the headers, a browser that navigated on) is not an error of the site."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(directory: Path, mount: str = "/", *, compress: bool = False):
    """Serve `directory` at http://127.0.0.1:PORT{mount} in a background thread.
    Returns (server, base_url); call server.shutdown() when done."""
    handler_class = type("Handler", (SiteHandler,), {"mount": mount, "gzip": compress})
    handler = functools.partial(handler_class, directory=str(directory))
    server = SiteServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{mount}"


# Browsers on PATH that Playwright drives as Chromium. Not snaps (/snap/...,
# what Ubuntu's chromium package installs): they run confined, with a /tmp of
# their own, away from the profile folder Playwright makes in /tmp.
BROWSER_NAMES = ("chromium", "google-chrome", "google-chrome-stable")


def chromium_executable() -> str | None:
    """The browser the browser tests and benchmarks drive: CHROMIUM_PATH when
    set (None when no file is there); else the first of BROWSER_NAMES on PATH;
    else the Chromium that Playwright's own installer downloaded."""
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return override if Path(override).is_file() else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found and not found.startswith("/snap/"):
            return found
    return playwright_chromium()


def playwright_chromium() -> str | None:
    """The Chromium `python -m playwright install chromium` put here, if it did."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:  # Playwright missing or unable to start: no browser from it
        return None
    return path if Path(path).is_file() else None
