"""Link checking (scripts/linkcheck.py with LinkChecker), proven offline.

The internal check runs on the real built site. The external check runs on a
tiny site whose "external" links point to a fake web server on another
127.0.0.1 port (LinkChecker tells internal from external by scheme, host and
port, so a second port is external to it): that server answers 200, a
redirect, 404, a robot refusal, 429, 500 and a reply slower than the time-out.
"""
from __future__ import annotations

import configparser
import http.server
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from local_site import serve

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "linkcheck.py"


def _load_script():
    # By path and under its own name: `import linkcheck` is LinkChecker's package.
    spec = importlib.util.spec_from_file_location("course_linkcheck", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


course_linkcheck = _load_script()
DEFAULT_CONFIG = course_linkcheck.DEFAULT_CONFIG
read_settings = course_linkcheck.read_settings
refusal_for = course_linkcheck.refusal_for
MAX_REQUESTS = 200   # the fake web answers no more than this, then 503
SLOW_SECONDS = 4     # longer than the test config's 2 s time-out


class FakeWeb(http.server.BaseHTTPRequestHandler):
    """Answers like the real web does to a link checker."""

    def do_GET(self):
        server = self.server
        with server.lock:
            server.requests.append(self.path)
            count = len(server.requests)
            seen = server.requests.count(self.path)
        if count > MAX_REQUESTS:
            return self.answer(503, "request budget of the fake web used up")
        path = self.path.split("?")[0]
        if path == "/ok":
            return self.answer(200, "<html><body><p id='there'>fine</p></body></html>")
        if path == "/moved":
            return self.answer(301, headers={"Location": "/ok"})
        if path == "/missing":
            return self.answer(404, "not here")
        if path.startswith("/cloudflare/"):
            return self.answer(403, "Attention required: one more step")
        if path == "/busy-then-ok":
            return self.answer(429, headers={"Retry-After": "1"}) if seen == 1 else self.answer(200, "ok now")
        if path == "/always-busy":
            return self.answer(429, headers={"Retry-After": "1"})
        if path == "/error":
            return self.answer(500, "oops")
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return self.answer(200, "too late")
        return self.answer(404, "no such fake page")  # /robots.txt included: no rules

    def answer(self, code, body="", headers=None):
        data = body.encode()
        try:
            self.send_response(code)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the checker gave up waiting (the slow reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeWeb)
    server.lock = threading.Lock()
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def write_site(folder: Path, pages: dict[str, list[str]]) -> Path:
    """A tiny site: each page links to the others given and to `links`."""
    folder.mkdir()
    for name, links in pages.items():
        anchors = "\n".join(f'<p><a href="{url}">link {i}</a></p>' for i, url in enumerate(links))
        (folder / name).write_text(f"<!doctype html><html><head><title>{name}</title></head>"
                                   f"<body><h1 id='top'>{name}</h1>\n{anchors}\n</body></html>\n")
    return folder


def make_test_config(tmp_path: Path, web: str) -> Path:
    """The real linkcheckerrc, with short time-outs and the fake web's robot-refusing path listed."""
    config = configparser.RawConfigParser()
    config.read(DEFAULT_CONFIG)
    config.set("checking", "timeout", "2")
    config.set("checking", "maxrequestspersecond", "20")
    config.set("retries", "attempts", "1")
    config.set("retries", "delay", "0")
    config.set("retries", "maxdelay", "1")
    config.set("robot-refusing", "sites", "\n" + re.escape(web) + "/cloudflare/ 403 "
               "stands for a Cloudflare-guarded site in this test")
    path = tmp_path / "linkcheckerrc"
    with path.open("w") as handle:
        config.write(handle)
    return path


def run_script(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          env=env)


def linkchecker_copy(folder: Path) -> tuple[Path, dict]:
    """A copy of the installed LinkChecker package in `folder`, and the
    environment that makes the link check run that copy instead."""
    installed = Path(importlib.metadata.distribution("linkchecker").locate_file("linkcheck"))
    copy = folder / "linkcheck"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    return copy, {**os.environ, "PYTHONPATH": str(folder)}


# --------------------------------------------------------------------------
# Internal links of the built site


def test_every_internal_link_and_anchor_of_the_built_site_resolves(built_site, tmp_path):
    report = tmp_path / "internal.json"
    result = run_script("--internal", "--site-dir", str(built_site), "--json-report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["passed"] and data["broken"] == []
    assert data["pages"] >= 10, "the crawl should reach every page of the course"
    assert data["counts"]["ok"] > data["pages"]


def test_a_broken_internal_link_fails_with_page_and_link_named(tmp_path):
    site = write_site(tmp_path / "site", {
        "index.html": ["page.html", "page.html#top", "no-such-page.html", "#no-such-heading",
                       "page.html#nowhere"],
        "page.html": ["index.html#top", "no-such-page.html"],
    })
    report = tmp_path / "internal.json"
    result = run_script("--internal", "--site-dir", str(site), "--json-report", str(report))

    assert result.returncode == 1, result.stdout + result.stderr
    expected = {("/", "no-such-page.html"), ("/", "#no-such-heading"), ("/", "page.html#nowhere"),
                ("/page.html", "no-such-page.html")}
    lines = [l for l in result.stdout.splitlines() if l.startswith("BROKEN")]
    assert len(lines) == len(expected), result.stdout
    for page, link in expected:
        assert any(f" {link} " in l and f"on page {page} line " in l for l in lines), (page, link, lines)
    assert "FAILED: 4 broken links" in result.stdout
    data = json.loads(report.read_text())
    assert {(b["page"], b["link"]) for b in data["broken"]} == expected
    assert {b["status"] for b in data["broken"] if "#" in b["link"]} == {"anchor not found"}


def test_a_broken_link_on_a_notebooks_page_names_the_notebook_cell(tmp_path):
    """The page's HTML line is not where an author edits: the notebook and cell are named too."""
    import nbformat
    site = write_site(tmp_path / "site", {"index.html": ["nb/"]})
    (site / "nb").mkdir()
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title", id="title"),
        nbformat.v4.new_code_cell("x = 1", id="code"),
        nbformat.v4.new_markdown_cell("See [occupancy](../chapter-1/occupancy.md).", id="see")])
    nbformat.write(notebook, site / "nb" / "nb.ipynb")
    cells = "\n".join(f'<div id="cell-id={cell.id}" class="jp-Cell">\n<p>{cell.source}</p>\n</div>'
                      for cell in notebook.cells[:2])
    (site / "nb" / "index.html").write_text(
        f"<!doctype html><html><head><title>nb</title></head><body>\n{cells}\n"
        '<div id="cell-id=see" class="jp-Cell">\n<p>See <a href="../chapter-1/occupancy.md">occupancy</a>.</p>\n'
        "</div>\n</body></html>\n")
    report = tmp_path / "internal.json"
    result = run_script("--internal", "--site-dir", str(site), "--json-report", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [l for l in result.stdout.splitlines() if l.startswith("BROKEN")]
    assert len(broken) == 1 and "on page /nb/ line 9 (nb.ipynb, cell 2)" in broken[0], result.stdout
    assert json.loads(report.read_text())["broken"][0]["notebook_cell"] == "nb.ipynb, cell 2"


BROKEN_ANCHOR_SITE = {"index.html": ["page.html#top", "page.html#nowhere"], "page.html": ["index.html#top"]}


def test_anchors_are_checked_when_linkchecker_is_installed_in_a_private_folder(tmp_path):
    # LinkChecker started as root switches to the user `nobody`, who cannot
    # read a folder like this one (mode 700, as root's home folder is).
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    copy, env = linkchecker_copy(private)
    site = write_site(tmp_path / "site", BROKEN_ANCHOR_SITE)

    result = run_script("--internal", "--site-dir", str(site), env=env)

    assert result.returncode == 1, result.stdout + result.stderr
    broken = [l for l in result.stdout.splitlines() if l.startswith("BROKEN")]
    assert len(broken) == 1 and " page.html#nowhere " in broken[0] and "anchor not found" in broken[0], \
        result.stdout
    assert "anchor checking is active" in result.stderr, result.stderr


@pytest.mark.parametrize("defect, cause", [
    ("missing", "importing it fails: ModuleNotFoundError: No module named 'linkcheck.plugins.anchorcheck'"),
    ("broken", "importing it fails: ImportError: a planted defect"),
])
def test_a_run_whose_anchor_plugin_cannot_load_stops_naming_the_plugin_and_the_cause(tmp_path, defect, cause):
    copy, env = linkchecker_copy(tmp_path)
    plugin = copy / "plugins" / "anchorcheck.py"
    if defect == "missing":
        plugin.unlink()
    else:
        plugin.write_text('raise ImportError("a planted defect")\n')
    site = write_site(tmp_path / "site", BROKEN_ANCHOR_SITE)

    result = run_script("--internal", "--site-dir", str(site), env=env)

    assert result.returncode == 2, result.stdout + result.stderr
    message = (f"linkcheck: anchor checking is not active: LinkChecker cannot load its AnchorCheck plugin "
               f"from {copy / 'plugins'}: {cause}")
    assert message in result.stderr, result.stderr
    assert "Missing anchors would go unreported" in result.stderr
    assert "BROKEN" not in result.stdout and "PASSED" not in result.stdout


def test_a_run_in_which_no_anchor_is_reported_missing_stops_naming_the_canary(tmp_path):
    copy, env = linkchecker_copy(tmp_path)
    plugin = copy / "plugins" / "anchorcheck.py"
    # The plugin loads, but checks nothing.
    plugin.write_text(plugin.read_text().replace('"""Check content for invalid anchors."""',
                                                 '"""Check content for invalid anchors."""\n        return'))
    site = write_site(tmp_path / "site", BROKEN_ANCHOR_SITE)

    result = run_script("--internal", "--site-dir", str(site), env=env)

    assert result.returncode == 2, result.stdout + result.stderr
    assert ("linkcheck: anchor checking is not active: LinkChecker did not report the missing anchor "
            "#anchor-checking-canary of its canary page file://") in result.stderr, result.stderr
    assert "missing anchors in the site would go unreported too" in result.stderr
    assert "PASSED" not in result.stdout


def test_the_internal_check_requests_no_external_link(fake_web, tmp_path):
    server, web = fake_web
    site = write_site(tmp_path / "site", {"index.html": ["page.html", "page.html#top", f"{web}/missing"],
                                          "page.html": ["index.html#top", f"{web}/error"]})
    httpd, base = serve(site, "/")
    try:
        result = run_script("--internal", "--base-url", base)
    finally:
        httpd.shutdown()
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.requests == []


# --------------------------------------------------------------------------
# External links, against the fake web


def test_only_truly_broken_external_links_fail_the_run_each_named_with_its_page(fake_web, tmp_path):
    server, web = fake_web
    site = write_site(tmp_path / "site", {
        "index.html": ["page.html", f"{web}/ok", f"{web}/moved", f"{web}/missing"],
        "page.html": [f"{web}/cloudflare/article", f"{web}/busy-then-ok", f"{web}/always-busy",
                      f"{web}/error", f"{web}/slow", f"{web}/missing"],
    })
    config = make_test_config(tmp_path, web)
    report = tmp_path / "report.json"
    httpd, base = serve(site, "/")
    try:
        result = run_script("--base-url", base, "--config", str(config), "--json-report", str(report))
    finally:
        httpd.shutdown()
    print(result.stdout, result.stderr)

    assert result.returncode == 1, result.stdout + result.stderr
    data = json.loads(report.read_text())
    broken = {(b["page"], b["link"]) for b in data["broken"]}
    assert broken == {("/", f"{web}/missing"), ("/page.html", f"{web}/missing"),
                      ("/page.html", f"{web}/error"), ("/page.html", f"{web}/slow")}
    by_link = {b["link"]: b for b in data["broken"]}
    assert by_link[f"{web}/missing"]["status"].startswith("404")
    assert by_link[f"{web}/error"]["status"].startswith("500")
    assert by_link[f"{web}/slow"]["status"] == "ReadTimeout"
    assert [r["link"] for r in data["redirected"]] == [f"{web}/moved"]
    assert [r["link"] for r in data["refused"]] == [f"{web}/cloudflare/article"]
    assert "Cloudflare-guarded" in data["refused"][0]["reason"]
    assert [r["link"] for r in data["rate_limited"]] == [f"{web}/always-busy"]
    assert data["counts"]["broken"] == 4 and not data["passed"]
    # /busy-then-ok answered 429 once, then 200 on the retry: not a problem
    assert server.requests.count("/busy-then-ok") == 2
    assert all(f"{web}/busy-then-ok" != item["link"] for key in ("broken", "rate_limited", "refused")
               for item in data[key])
    # each broken link is printed on one line naming its page and URL
    lines = [l for l in result.stdout.splitlines() if l.startswith("BROKEN")]
    assert len(lines) == 4
    for page, link in broken:
        assert any(link in l and f"on page {page} " in l for l in lines), (page, link, lines)
    assert "FAILED: 4 broken links" in result.stdout
    assert len(server.requests) < MAX_REQUESTS


def test_redirects_rate_limits_and_robot_refusals_do_not_fail_the_run(fake_web, tmp_path):
    server, web = fake_web
    site = write_site(tmp_path / "site", {
        "index.html": [f"{web}/ok", f"{web}/moved", f"{web}/cloudflare/story", f"{web}/always-busy"]})
    config = make_test_config(tmp_path, web)
    httpd, base = serve(site, "/")
    try:
        result = run_script("--base-url", base, "--config", str(config))
    finally:
        httpd.shutdown()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED: no broken link." in result.stdout
    for verdict, link in (("REDIRECTED", "/moved"), ("REFUSED", "/cloudflare/story"),
                          ("RATE-LIMITED", "/always-busy")):
        assert any(l.startswith(verdict) and f"{web}{link}" in l for l in result.stdout.splitlines()), \
            (verdict, result.stdout)


# --------------------------------------------------------------------------
# Settings and bad input


def test_the_real_config_lets_known_robot_refusing_sites_pass_and_nothing_else():
    settings = read_settings(DEFAULT_CONFIG)
    assert refusal_for("https://medium.com/@someone/a-story-123", 403, settings)
    assert refusal_for("https://towardsdatascience.com/a-story-123", 403, settings)
    assert refusal_for("https://www.linkedin.com/in/someone", 999, settings)
    assert not refusal_for("https://medium.com/@someone/a-story-123", 404, settings)
    assert not refusal_for("https://example.org/medium.com/", 403, settings)
    assert all(refusal.reason for refusal in settings.refusals)
    assert settings.attempts >= 1 and settings.timeout > 0


def test_a_missing_site_or_bad_config_is_a_clear_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_script("--internal", "--site-dir", str(empty))
    assert result.returncode == 2
    assert str(empty) in result.stderr and "make build" in result.stderr

    bad = tmp_path / "linkcheckerrc"
    bad.write_text(DEFAULT_CONFIG.read_text() + "  ^https://example\\.org/ forbidden-status oops\n")
    result = run_script("--internal", "--site-dir", str(empty), "--config", str(bad))
    assert result.returncode == 2
    assert str(bad) in result.stderr and "[robot-refusing] sites, entry" in result.stderr
