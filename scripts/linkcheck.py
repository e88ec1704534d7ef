"""Check the links of the built course site with LinkChecker.

    python scripts/linkcheck.py                 every external link (needs the internet)
    python scripts/linkcheck.py --internal      every internal link and anchor (offline)

The built site (site/, or --site-dir) is served on 127.0.0.1 under the path
it is published at (for example /course/), and LinkChecker crawls it from
there; --base-url checks a site that is already served instead. Settings live
in scripts/linkcheckerrc. LinkChecker's XML output is parsed, and this script
decides: a link is broken when it could not be reached (connection error,
time-out), answered 4xx (except 429 and the refusals listed in the
[robot-refusing] section), or answered 5xx after the retries of [retries];
in --internal mode a missing anchor is broken too. Redirects, rate limits and
listed refusals are reported but do not fail the run.

Every --internal run proves that anchors are being checked: LinkChecker must
load its AnchorCheck plugin and report the missing anchor of a canary page
checked alongside the site; when it does not, the run stops saying why.
LinkChecker runs with the rights of whoever runs this script, wherever the
checkout lives (see scripts/linkchecker_launch.py).

Every problem is printed as one line naming the page, the link and the
status; --json-report PATH also writes them as JSON. Exit status: 0 when no
link is broken, 1 when some are, 2 when the check could not run.
"""
from __future__ import annotations

import argparse
import configparser
import html.parser
import importlib.metadata
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin

from local_site import ROOT, published_site_url, serve, site_mount
from notebook_rules import UnreadableNotebook, read_notebook_file

DEFAULT_CONFIG = Path(__file__).resolve().parent / "linkcheckerrc"
PROGRESS_EVERY = 20

# The local server is ours: no need to be polite to it.
INTERNAL_CHECKING = {"maxrequestspersecond": "1000", "timeout": "10"}
# In the external check, the site's own files (style sheets, scripts, images,
# downloads) are left to --internal; its pages are still crawled for links.
OWN_ASSETS = r"\.(css|js|json|xml|gz|map|ico|svg|png|jpe?g|gif|webp|woff2?|ipynb|txt)(\?.*)?$"

STATUS_RE = re.compile(r"^'?(\d{3})'?\b")

# The canary: a page checked with every --internal run, through a link to an
# anchor it does not have. LinkChecker must report it, or anchors are not
# being checked.
CANARY_PAGE = ("<!doctype html><html><head><title>Anchor-checking canary</title></head>"
               '<body><h1 id="present">The only anchor of this page</h1></body></html>\n')
CANARY_ANCHOR = "anchor-checking-canary"

# LinkChecker's command, run by this Python without its privilege drop (see there).
LAUNCHER = Path(__file__).resolve().parent / "linkchecker_launch.py"
PLUGIN_MISSING = 3   # its exit status when LinkChecker's AnchorCheck plugin cannot load


class UsageError(Exception):
    """The check could not run; the message says why."""


# --------------------------------------------------------------------------
# Settings


@dataclass
class Refusal:
    pattern: re.Pattern
    statuses: frozenset
    reason: str


@dataclass
class Settings:
    parser: configparser.RawConfigParser
    attempts: int = 2
    delay: float = 10.0
    maxdelay: float = 60.0
    timeout: float = 30.0
    useragent: str | None = None
    refusals: list = field(default_factory=list)


def read_settings(path: Path) -> Settings:
    """Read the LinkChecker config and this script's own sections from it."""
    if not path.is_file():
        raise UsageError(f"{path}: config file not found")
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as error:
        raise UsageError(f"{path}: {error}") from None
    settings = Settings(parser)
    try:
        settings.attempts = parser.getint("retries", "attempts", fallback=settings.attempts)
        settings.delay = parser.getfloat("retries", "delay", fallback=settings.delay)
        settings.maxdelay = parser.getfloat("retries", "maxdelay", fallback=settings.maxdelay)
        settings.timeout = parser.getfloat("checking", "timeout", fallback=settings.timeout)
    except ValueError as error:
        raise UsageError(f"{path}: [retries]/[checking]: {error}") from None
    settings.useragent = parser.get("checking", "useragent", fallback=None)
    lines = parser.get("robot-refusing", "sites", fallback="").splitlines()
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 3 or not re.fullmatch(r"\d{3}(,\d{3})*", parts[1]):
            raise UsageError(f"{path}: [robot-refusing] sites, entry {number}: {line!r} is not "
                             "'URL-REGEX STATUS[,STATUS...] REASON'")
        try:
            pattern = re.compile(parts[0])
        except re.error as error:
            raise UsageError(f"{path}: [robot-refusing] sites, entry {number}: {error}") from None
        settings.refusals.append(Refusal(pattern, frozenset(int(s) for s in parts[1].split(",")), parts[2]))
    return settings


def linkchecker_config(settings: Settings, internal: bool) -> str:
    """The config text LinkChecker reads: the settings, plus the mode's own."""
    parser = configparser.RawConfigParser()
    parser.read_dict({s: dict(settings.parser.items(s)) for s in settings.parser.sections()
                      if s not in ("retries", "robot-refusing")})
    if internal:
        if not parser.has_section("checking"):
            parser.add_section("checking")
        for key, value in INTERNAL_CHECKING.items():
            parser.set("checking", key, value)
        parser.add_section("AnchorCheck")
    text = io.StringIO()
    parser.write(text)
    return text.getvalue()


def linkchecker_version() -> str:
    """The version of the LinkChecker installed beside this Python (the .venv's)."""
    # Not `import linkcheck`: this file is named linkcheck.py too.
    try:
        return importlib.metadata.version("linkchecker")
    except importlib.metadata.PackageNotFoundError:
        raise UsageError(f"LinkChecker is not installed for {sys.executable}: run `make setup` "
                         "(requirements.txt pins it)") from None


def user_agent(settings: Settings) -> str:
    """The User-Agent LinkChecker sends, for the retries to send the same."""
    return settings.useragent or (f"Mozilla/5.0 (compatible; LinkChecker/{linkchecker_version()}; "
                                  "+https://linkchecker.github.io/linkchecker/)")


# --------------------------------------------------------------------------
# Running LinkChecker and reading its results


@dataclass
class Link:
    """One link on one page, as LinkChecker reported it."""

    link: str                  # as written in the page
    resolved: str              # absolute URL
    page: str                  # the page's path in the site, e.g. /chapter-1/
    page_url: str              # the page's URL as checked
    line: int | None
    column: int | None
    text: str
    valid: bool
    result: str
    warnings: list             # [(tag, message)]
    infos: list
    verdict: str = ""
    status: str = ""
    reason: str = ""
    final_url: str = ""
    notebook_cell: str = ""    # on a notebook's page: "NAME.ipynb, cell N" (nbformat's numbering)

    def where(self) -> str:
        return (f"on page {self.page}" + (f" line {self.line}" if self.line else "")
                + (f" ({self.notebook_cell})" if self.notebook_cell else ""))

    def anchor_warnings(self) -> list[str]:
        return [message for _tag, message in self.warnings if message.startswith("Anchor `")]

    def as_json(self) -> dict:
        data = asdict(self)
        del data["warnings"], data["infos"], data["valid"]
        return data


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def page_identity(url: str) -> str:
    """One URL per page: no fragment, and a folder's index.html is the folder."""
    url = url.split("#", 1)[0]
    return url[: -len("index.html")] if url.endswith("/index.html") else url


def short_status(result: str) -> str:
    """`404 Not Found` stays; `ReadTimeout: HTTPConnectionPool(...)...` becomes `ReadTimeout`."""
    match = re.match(r"^([A-Za-z]\w+): ", result)
    return match.group(1) if match and not status_code(result) else result


def trim(text: str, length: int = 160) -> str:
    return text if len(text) <= length else text[: length - 3] + "..."


def _page_path(parent_url: str, base_url: str) -> str:
    if parent_url.startswith(base_url):
        return "/" + parent_url[len(base_url):]
    return parent_url


def parse_urldata(element: ET.Element, base_url: str) -> Link:
    parent = element.find("parent")
    parent_url = page_identity(parent.text) if parent is not None and parent.text else ""
    written = element.findtext("url") or ""
    real = element.findtext("realurl") or ""
    valid = element.find("valid")
    return Link(
        link=written,
        resolved=urljoin(parent_url, written) if parent_url else (real or written),
        page=_page_path(parent_url, base_url) if parent_url else "(start)",
        page_url=parent_url,
        line=_int(parent.get("line")) if parent is not None else None,
        column=_int(parent.get("column")) if parent is not None else None,
        text=element.findtext("name") or "",
        valid=valid is not None and valid.text == "1",
        result=(valid.get("result") if valid is not None else "") or "",
        warnings=[(w.get("tag"), w.text or "") for w in element.iterfind("warnings/warning")],
        infos=[i.text or "" for i in element.iterfind("infos/info")],
        final_url=real,
    )


def run_linkchecker(base_url: str, config_text: str, internal: bool, ignore: list[str]) -> list[Link]:
    """Run LinkChecker on `base_url`; returns every link it reported, printing
    progress. In internal mode the canary page is checked too, and must be
    reported with its missing anchor."""
    linkchecker_version()
    with tempfile.TemporaryDirectory(prefix="linkcheck-") as scratch:
        rc = Path(scratch) / "linkcheckerrc"
        rc.write_text(config_text, encoding="utf-8")
        command = [sys.executable, str(LAUNCHER), "anchors" if internal else "no-anchors",
                   "--config", str(rc), "--no-status", "--verbose", "--output", "xml/utf-8"]
        if not internal:
            command.append("--check-extern")
        for pattern in ignore:
            command += ["--ignore-url", pattern]
        command.append(base_url)
        if internal:
            canary = Path(scratch) / "canary.html"
            canary.write_text(CANARY_PAGE, encoding="utf-8")
            command.append(f"{canary.as_uri()}#{CANARY_ANCHOR}")
        links, returncode, messages = _stream(command, base_url)
        if returncode == PLUGIN_MISSING:
            cause = [line for line in messages if line.startswith("LinkChecker cannot load")]
            raise UsageError("anchor checking is not active: " + "".join(cause).strip()
                             + "\nMissing anchors would go unreported; reinstall LinkChecker with `make setup`."
                             + "".join("\n  linkchecker: " + line.rstrip() for line in messages
                                       if line not in cause))
        if returncode not in (0, 1) or not links:
            raise UsageError(f"LinkChecker stopped (exit status {returncode}) after {len(links)} links:\n"
                             + "".join(messages))
        if internal:
            links = without_canary(links, canary.as_uri())
    for line in messages:
        if " WARNING " in line or " ERROR " in line or line.startswith(("Error", "Traceback")):
            print("  linkchecker: " + line.rstrip(), file=sys.stderr)
    return links


def _stream(command: list[str], base_url: str) -> tuple[list[Link], int, list[str]]:
    """Run `command`, reading LinkChecker's XML as it comes: (links, exit status, stderr lines)."""
    links: list[Link] = []
    pages: set[str] = set()
    problems = 0
    start = time.monotonic()
    messages: list[str] = []
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader = threading.Thread(target=lambda: messages.extend(
        line.decode("utf-8", "replace") for line in process.stderr), daemon=True)
    reader.start()
    xml = ET.XMLPullParser(events=("end",))
    try:
        for chunk in process.stdout:
            xml.feed(chunk)
            for _event, element in xml.read_events():
                if element.tag != "urldata":
                    continue
                link = parse_urldata(element, base_url)
                element.clear()
                links.append(link)
                if link.page_url:
                    pages.add(link.page_url)
                canary = link.resolved.startswith("file:")   # internal mode: its missing anchor is expected
                if not canary and (not link.valid or any(tag != "http-redirected" for tag, _ in link.warnings)):
                    problems += 1
                if len(links) % PROGRESS_EVERY == 0:
                    print(f"  checked {len(links)} links on {len(pages)} pages, {problems} to look at "
                          f"({time.monotonic() - start:.0f} s)", file=sys.stderr, flush=True)
    except ET.ParseError as error:
        process.kill()
        process.wait()
        reader.join(timeout=5)
        raise UsageError(f"LinkChecker's output could not be read: {error}\n" + "".join(messages)) from None
    returncode = process.wait()
    reader.join(timeout=5)
    print(f"  checked {len(links)} links on {len(pages)} pages in {time.monotonic() - start:.1f} s",
          file=sys.stderr, flush=True)
    return links, returncode, messages


def without_canary(links: list[Link], canary_url: str) -> list[Link]:
    """The site's links, once the canary page is seen reported with its missing anchor."""
    canary = [link for link in links if link.resolved.startswith(canary_url)]
    if not any(link.anchor_warnings() for link in canary):
        seen = "; ".join(f"{link.result or 'valid'}, warnings {link.warnings}" for link in canary)
        raise UsageError(f"anchor checking is not active: LinkChecker did not report the missing anchor "
                         f"#{CANARY_ANCHOR} of its canary page {canary_url} ({seen or 'not checked'}), "
                         "so missing anchors in the site would go unreported too.")
    print(f"  anchor checking is active: the canary's missing anchor #{CANARY_ANCHOR} was reported",
          file=sys.stderr, flush=True)
    return [link for link in links if not link.resolved.startswith(canary_url)]


class _LinkCollector(html.parser.HTMLParser):
    """Every href and src of one page, with its line and the tag's text start."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, int, int]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                line, column = self.getpos()
                self.found.append((value.strip(), line, column + 1))


def add_other_occurrences(links: list[Link], base_url: str) -> list[Link]:
    """LinkChecker reports a URL once, on the first page it found it on; add
    the problem links' other pages, so each is named where it appears."""
    problems = {}
    for link in links:
        if link.verdict not in ("ok", "unchecked"):
            problems.setdefault(link.resolved, link)
    if not problems:
        return unique(links)
    pages = {link.page_url for link in links if link.page_url.startswith(base_url)}
    pages |= {page_identity(link.resolved) for link in links if not link.page_url}  # the start page
    seen = {(link.resolved, link.page_url, link.line) for link in links}
    extra = []
    for page_url in sorted(pages):
        try:
            with urllib.request.urlopen(page_url, timeout=30) as response:
                if "html" not in response.headers.get("Content-Type", ""):
                    continue
                text = response.read().decode("utf-8", "replace")
        except OSError:
            continue
        collector = _LinkCollector()
        collector.feed(text)
        for written, line, column in collector.found:
            resolved = urljoin(page_url, written)
            first = problems.get(resolved)
            if first and (resolved, page_url, line) not in seen:
                seen.add((resolved, page_url, line))
                extra.append(replace(first, link=written, page_url=page_url, line=line, column=column,
                                     page=_page_path(page_url, base_url), text=""))
    return unique(links + extra)


def unique(links: list[Link]) -> list[Link]:
    """One entry per link per place (LinkChecker may reach a page under two URLs)."""
    seen, kept = set(), []
    for link in links:
        key = (link.page_url, link.line, link.column, link.resolved)
        if key not in seen or not link.page_url:
            seen.add(key)
            kept.append(link)
    return kept


# --------------------------------------------------------------------------
# Judging


def status_code(result: str) -> int | None:
    match = STATUS_RE.match(result)
    return int(match.group(1)) if match else None


def refusal_for(url: str, code: int | None, settings: Settings) -> Refusal | None:
    if code is None:
        return None
    for refusal in settings.refusals:
        if code in refusal.statuses and refusal.pattern.search(url):
            return refusal
    return None


def judge(link: Link, settings: Settings, internal: bool) -> None:
    """Set link.verdict: ok, redirected, unchecked, warning, refused,
    rate-limited, retry (to be tried again) or broken."""
    code = status_code(link.result)
    link.status = short_status(link.result)
    if link.status != link.result:
        link.reason = trim(link.result)
    anchors = link.anchor_warnings()
    redirects = [m for tag, m in link.warnings if tag == "http-redirected"]
    others = [m for tag, m in link.warnings
              if tag not in ("http-redirected", "http-rate-limited") and m not in anchors]
    refusal = refusal_for(link.resolved, code, settings)
    if link.result in ("filtered", "ignored") or any(
            "checked only syntax" in i or "robots.txt" in i for i in link.infos):
        link.verdict, link.reason = "unchecked", "; ".join(link.infos) or link.result
    elif not link.valid and refusal:
        link.verdict, link.reason = "refused", refusal.reason
    elif not link.valid:
        # In the local site, broken; on the web, 4xx is broken and the rest
        # (5xx, time-out, no connection) is tried again.
        link.verdict = "broken" if internal or (code is not None and 400 <= code < 500) else "retry"
    elif code == 429:
        link.verdict = "broken" if internal else "retry"
    elif anchors:
        link.verdict, link.status = "broken", "anchor not found"
        link.reason = " ".join(m.split(" Available anchors:")[0] for m in anchors)
    elif redirects:
        link.verdict, link.reason = "redirected", redirects[-1]
    elif others:
        link.verdict, link.reason = "warning", " ".join(others)
    else:
        link.verdict = "ok"


def recheck(links: list[Link], settings: Settings) -> None:
    """Judge again, after asking once more, the links judged `retry` (429 or
    5xx, time-out, no connection)."""
    pending: dict[str, list[Link]] = {}
    for link in links:
        if link.verdict == "retry":
            pending.setdefault(link.resolved, []).append(link)
    if not pending:
        return
    answers = ask_again(list(pending), settings)
    for url, group in pending.items():
        for link in group:
            code, result, final = answers.get(url) or (status_code(link.result), link.result, url)
            settle(link, code, result, final, settings)


def ask_again(urls: list[str], settings: Settings) -> dict[str, tuple[int | None, str, str]]:
    """Up to `attempts` rounds, each after `delay` seconds (or the longest
    Retry-After, up to `maxdelay`), one request at a time; a URL that answers
    other than 429 or 5xx is settled. {url: (status code, result, final URL)}"""
    import requests

    headers = {"User-Agent": user_agent(settings)}
    gap = 1.0 / max(0.001, settings.parser.getfloat("checking", "maxrequestspersecond", fallback=1.0))
    answers, wait = {}, settings.delay
    for attempt in range(1, settings.attempts + 1):
        print(f"  round {attempt} of {settings.attempts}: trying {len(urls)} links again in {wait:.0f} s",
              file=sys.stderr, flush=True)
        time.sleep(max(0.0, wait))
        retry_after = []
        for url in urls:
            try:
                with requests.get(url, headers=headers, timeout=settings.timeout,
                                  allow_redirects=True, stream=True) as response:
                    answers[url] = (response.status_code, f"{response.status_code} {response.reason}",
                                    response.url)
                    if response.headers.get("Retry-After", "").isdigit():
                        retry_after.append(int(response.headers["Retry-After"]))
            except requests.RequestException as error:
                answers[url] = (None, f"{type(error).__name__}: {error}"[:240], url)
            print(f"    {url} -> {short_status(answers[url][1])}", file=sys.stderr, flush=True)
            time.sleep(gap)
        urls = [url for url in urls if answers[url][0] is None or answers[url][0] >= 500
                or answers[url][0] == 429]
        if not urls:
            break
        wait = min(max(retry_after), settings.maxdelay) if retry_after else settings.delay
    return answers


def settle(link: Link, code: int | None, result: str, final: str, settings: Settings) -> None:
    """The verdict of a link tried again, from its last answer."""
    link.status, link.final_url = short_status(result), final
    refusal = refusal_for(link.resolved, code, settings)
    if refusal:
        link.verdict, link.reason = "refused", refusal.reason
    elif code == 429:
        link.verdict = "rate-limited"
        link.reason = f"still rate limited after {settings.attempts} more attempts"
    elif code is not None and code < 400:
        redirected = final.rstrip("/") != link.resolved.rstrip("/")
        link.verdict = "redirected" if redirected else "ok"
        link.reason = f"answered when tried again; first answer: {link.result}" + (
            f"; redirected to {final}" if redirected else "")
    else:
        first = short_status(link.result)
        link.verdict = "broken"
        link.reason = f"{trim(result)} (tried {settings.attempts} more times" + (
            f"; first answer: {first})" if first != link.status else ")")


# --------------------------------------------------------------------------
# Report

ORDER = ["broken", "refused", "rate-limited", "redirected", "warning", "unchecked", "ok"]


def report(links: list[Link], mode: str, base_url: str, site_url: str, seconds: float) -> dict:
    counts = {verdict: sum(link.verdict == verdict for link in links) for verdict in ORDER}
    pages = sorted({link.page for link in links if link.page_url})
    shown = [link for link in links if link.verdict in ORDER[:5]]
    shown.sort(key=lambda l: (ORDER.index(l.verdict), l.page, l.line or 0))
    print(f"\nLink check ({mode}) of {base_url}: {len(links)} links on {len(pages)} pages "
          f"in {seconds:.1f} s")
    for link in shown:
        target = link.link if link.link == link.resolved else f"{link.link} ({link.resolved})"
        line = f"{link.verdict.upper():<13} {link.status:<28} {target}  {link.where()}"
        if link.reason:
            line += f"  [{link.reason}]"
        print(line)
    summary = ", ".join(f"{counts[v]} {v}" for v in ORDER)
    broken = counts["broken"]
    print(f"Summary: {summary}.")
    print(f"FAILED: {broken} broken link{'s' * (broken != 1)} (listed above)." if broken else "PASSED: no broken link.")
    return {
        "mode": mode,
        "base_url": base_url,
        "site_url": site_url,
        "seconds": round(seconds, 1),
        "passed": broken == 0,
        "counts": counts,
        "pages": len(pages),
        "links": len(links),
        **{verdict.replace("-", "_"): [
            {**l.as_json(), "page_url": urljoin(site_url, l.page.lstrip("/")) if l.page_url else ""}
            for l in shown if l.verdict == verdict] for verdict in ORDER[:5]},
    }


CELL_ID = re.compile(r'id="cell-id=([^"]+)"')


def cell_starts(site_dir: Path, page: str) -> tuple[str, list[tuple[int, int]]] | None:
    """For a notebook's page (its folder holds the .ipynb): the notebook's name and, in
    page order, (HTML line where a cell starts, the cell's index in the notebook)."""
    folder = site_dir / page.strip("/")
    notebooks = sorted(folder.glob("*.ipynb")) if (folder / "index.html").is_file() else []
    if len(notebooks) != 1:
        return None
    try:
        cells = read_notebook_file(notebooks[0]).cells
    except UnreadableNotebook:
        return None
    index = {cell.get("id"): number for number, cell in enumerate(cells) if cell.get("id")}
    html_lines = (folder / "index.html").read_text(encoding="utf-8").splitlines()
    return notebooks[0].name, [(number, index[cell_id]) for number, line in enumerate(html_lines, 1)
                               for cell_id in CELL_ID.findall(line) if cell_id in index]


def locate_notebook_cells(links: list[Link], site_dir: Path) -> None:
    """Name the notebook cell of every link found on a notebook's page."""
    pages = {}
    for link in links:
        if not link.line:
            continue
        if link.page not in pages:
            pages[link.page] = cell_starts(site_dir, link.page)
        found = pages[link.page]
        if found:
            name, starts = found
            before = [cell for line, cell in starts if line <= link.line]
            if before:
                link.notebook_cell = f"{name}, cell {before[-1]}"


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def markdown(data: dict) -> str:
    """The report as Markdown: a headline, then one table row per problem link."""
    counts = data["counts"]
    verdict = "passed: no broken link" if data["passed"] else f"{counts['broken']} broken links"
    lines = [f"## Link check ({data['mode']}): {verdict}", "",
             f"{data['links']} links on {data['pages']} pages of {data['site_url']} checked in "
             f"{data['seconds']} s: " + ", ".join(f"{n} {v}" for v, n in counts.items()) + ".", ""]
    sections = [("broken", "Broken (fix these)"), ("refused", "Refused to automated checkers (not failures)"),
                ("rate_limited", "Rate limited (not failures)"), ("redirected", "Redirected (update when convenient)"),
                ("warning", "Warnings")]
    for key, title in sections:
        items = data.get(key) or []
        if not items:
            continue
        lines += [f"### {title}", "", "| Page | Link | Status | Details |", "| --- | --- | --- | --- |"]
        for item in items:
            page = f"[{_cell(item['page'])}]({item['page_url']})" if item["page_url"] else _cell(item["page"])
            if item.get("line"):
                page += f" line {item['line']}"
            if item.get("notebook_cell"):
                page += f" ({_cell(item['notebook_cell'])})"
            link = _cell(item["link"])
            lines.append(f"| {page} | {link} | {_cell(item['status'])} | {_cell(item['reason'])} |")
        lines.append("")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--internal", action="store_true",
                        help="check internal links and anchors only (offline)")
    parser.add_argument("--site-dir", type=Path, default=ROOT / "site",
                        help="built site to serve and check (default: site/)")
    parser.add_argument("--base-url", help="check this already-served site instead of serving --site-dir")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="LinkChecker config (default: scripts/linkcheckerrc)")
    parser.add_argument("--json-report", type=Path, metavar="PATH",
                        default=os.environ.get("LINKCHECK_JSON_REPORT") or None,
                        help="also write the results as JSON (default: $LINKCHECK_JSON_REPORT)")
    parser.add_argument("--markdown-report", type=Path, metavar="PATH",
                        default=os.environ.get("LINKCHECK_MARKDOWN_REPORT") or None,
                        help="also write the problems as a Markdown table, for a job summary or an "
                             "issue (default: $LINKCHECK_MARKDOWN_REPORT)")
    args = parser.parse_args(argv)
    mode = "internal" if args.internal else "external"
    server = None
    start = time.monotonic()
    try:
        settings = read_settings(args.config)
        if args.base_url:
            base_url = args.base_url if args.base_url.endswith("/") else args.base_url + "/"
            site_url = base_url
        else:
            if not (args.site_dir / "index.html").is_file():
                raise UsageError(f"{args.site_dir}: no built site here (no index.html); run `make build` first")
            site_url = published_site_url()
            server, base_url = serve(args.site_dir.resolve(), site_mount())
        ignore = []
        if not args.internal:
            ignore.append("^" + re.escape(base_url) + ".*" + OWN_ASSETS)
            if site_url != base_url:
                ignore.append("^" + re.escape(site_url))   # the published copy of this site
        print(f"Checking {mode} links of {base_url} with {args.config}", file=sys.stderr, flush=True)
        links = run_linkchecker(base_url, linkchecker_config(settings, args.internal), args.internal, ignore)
        for link in links:
            judge(link, settings, args.internal)
        if not args.internal:
            recheck(links, settings)
        links = add_other_occurrences(links, base_url)
        if not args.base_url:
            locate_notebook_cells(links, args.site_dir)
        data = report(links, mode, base_url, site_url, time.monotonic() - start)
    except UsageError as error:
        print(f"linkcheck: {error}", file=sys.stderr)
        return 2
    finally:
        if server:
            server.shutdown()
            server.server_close()
    if args.json_report:
        args.json_report.parent.mkdir(parents=True, exist_ok=True)
        args.json_report.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"JSON report: {args.json_report}", file=sys.stderr)
    if args.markdown_report:
        args.markdown_report.parent.mkdir(parents=True, exist_ok=True)
        args.markdown_report.write_text(markdown(data), encoding="utf-8")
        print(f"Markdown report: {args.markdown_report}", file=sys.stderr)
    return 0 if data["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
