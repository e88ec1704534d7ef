"""Headless Chromium against the built course site: launching, page discovery
and the checks the browser tests (tests/test_browser_*.py) share.

The browser is the one `make test` set up (scripts/setup_browser.py): the path
in CHROMIUM_PATH, else chromium or google-chrome on PATH, else Playwright's own
download, driven by Playwright's sync API. A browser test that finds no
browser fails, saying what to install; `make test BROWSER=0` (pytest
--without-browser, see conftest.py) leaves them out and lists them.
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

import local_site
from local_site import CHROMIUM_ARGS, chromium_executable
from third_party import LOADING_ATTRIBUTES, LOADING_LINK_RELS

INSTALL_HINT = ("`make test` (it installs Debian's chromium as root on Debian, or Playwright's own), "
                "`sudo apt-get install chromium`, or CHROMIUM_PATH set to a Chromium or Chrome binary; "
                "`make test BROWSER=0` runs everything but the browser tests")
COURSE_HOST = "127.0.0.1"
SERIOUS_IMPACTS = ("serious", "critical")
# nbconvert writes this alt text on every notebook image that has none.
PLACEHOLDER_ALT = "No description has been provided for this image"
PHONE_VIEWPORT = {"width": 375, "height": 740}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}


# --------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------

def require_chromium() -> str:
    """The browser's path; fails the test, saying what to install, when there is none."""
    executable = chromium_executable()
    if executable:
        return executable
    configured = os.environ.get("CHROMIUM_PATH")
    where = f"CHROMIUM_PATH={configured} is not a file" if configured else \
        "no chromium or google-chrome on PATH and no Chromium from Playwright's installer"
    pytest.fail(f"No browser for the browser tests ({where}). Set one up with {INSTALL_HINT}.", pytrace=False)


def launch_chromium(playwright, executable: str):
    """Launch headless Chromium with the flags that keep it offline and quiet."""
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


# --------------------------------------------------------------------------
# The pages of the built site
# --------------------------------------------------------------------------

def site_pages(site_dir: Path) -> list[str]:
    """Every page of the built site ('' for home, 'chapter-1/' ..., '404.html');
    an empty site is an error, not a pass."""
    pages = local_site.site_pages(site_dir)
    if not pages:
        raise AssertionError(f"{site_dir}: the built site has no index.html pages")
    return pages


def page_label(path: str) -> str:
    return "/" + path


def notebook_pages(site_dir: Path) -> dict[str, Path]:
    """Pages rendered from a notebook: {page path: the .ipynb copied beside it}."""
    found = {}
    for path in site_pages(site_dir):
        if path.endswith("/"):
            notebooks = sorted((site_dir / path).glob("*.ipynb"))
            if len(notebooks) == 1:
                found[path] = notebooks[0]
    return found


def prose_pages(site_dir: Path) -> list[str]:
    """Every page written in Markdown: the home page, the chapter pages, the
    instructors' and about pages (not a notebook page, not 404)."""
    notebooks = notebook_pages(site_dir)
    return [p for p in site_pages(site_dir) if p not in notebooks and p != "404.html"]


def chapter_pages(site_dir: Path) -> list[str]:
    """Prose pages inside a chapter (not the home page, not a notebook, not 404)."""
    notebooks = notebook_pages(site_dir)
    return [p for p in site_pages(site_dir)
            if p.startswith("chapter-") and p not in notebooks and p.count("/") >= 2]


# --------------------------------------------------------------------------
# One visit of one page, recording everything the page-level checks need
# --------------------------------------------------------------------------

@dataclass
class Visit:
    page: str
    url: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    off_host_requests: list[str] = field(default_factory=list)
    off_host_references: list[str] = field(default_factory=list)
    axe_violations: list[dict] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)


# Resources the page would fetch (even lazily) and hints that open connections,
# by the course's one list of what loads what (hooks/third_party.py).
_REFERENCES_JS = """({attributes, rels}) => {
  const out = [];
  for (const [tag, names] of Object.entries(attributes)) {
    document.querySelectorAll(tag).forEach(e => names.forEach(name => {
      const value = e.getAttribute(name);
      if (!value) return;
      if (name === 'srcset') value.split(',').forEach(part => {
        const u = part.trim().split(/\\s+/)[0]; if (u) out.push(u); });
      else out.push(value);
    }));
  }
  document.querySelectorAll('link[href]').forEach(e => {
    const rel = (e.getAttribute('rel') || '').toLowerCase().split(/\\s+/);
    if (rel.some(r => rels.includes(r))) out.push(e.getAttribute('href'));
  });
  return out.map(u => { try { return new URL(u, document.baseURI).href; } catch (e) { return u; } });
}"""
LOADING = {"attributes": {tag: list(names) for tag, names in LOADING_ATTRIBUTES.items()},
           "rels": sorted(LOADING_LINK_RELS)}

_HEADINGS_JS = """() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
  .filter(h => h.getClientRects().length > 0 || h.closest('article'))
  .map(h => [Number(h.tagName[1]), h.textContent.replace(/\\s+/g, ' ').replace(/¶$/, '').trim()])"""

_IMAGES_WITHOUT_ALT_JS = """(placeholder) => {
  const describe = el => {
    const src = el.getAttribute('src') || '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (src ? ' src=' + (src.startsWith('data:') ? src.slice(0, 30) + '...' : src) : '');
  };
  const out = [];
  const decorative = el => ['presentation', 'none'].includes(el.getAttribute('role')) ||
                           el.getAttribute('aria-hidden') === 'true';
  document.querySelectorAll('img').forEach(img => {
    const alt = img.getAttribute('alt');
    if (alt === null) out.push(describe(img) + ': no alt attribute');
    else if (alt.trim() === placeholder) out.push(describe(img) + ': placeholder alt "' + placeholder + '"');
    else if (alt.trim() === '' && !decorative(img) && img.closest('article, .md-content'))
      out.push(describe(img) + ': empty alt on a content image');
  });
  document.querySelectorAll('svg[role=img]').forEach(svg => {
    if (!svg.getAttribute('aria-label') && !svg.getAttribute('aria-labelledby') && !svg.querySelector('title'))
      out.push('svg[role=img]: no aria-label or <title>');
  });
  document.querySelectorAll('figure').forEach(fig => {
    const caption = fig.querySelector('figcaption');
    const labelled = fig.getAttribute('aria-label') || fig.getAttribute('aria-labelledby');
    const alts = Array.from(fig.querySelectorAll('img')).some(i => (i.getAttribute('alt') || '').trim() && i.getAttribute('alt').trim() !== placeholder);
    if (!(caption && caption.textContent.trim()) && !labelled && !alts) out.push('figure: no caption, label or described image');
  });
  return out;
}"""


def is_course_host(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "javascript"):
        return True
    return parsed.hostname == COURSE_HOST


def open_page(page, url: str) -> None:
    """Load `url` and wait for its fonts: the site's pages load everything they
    show with the page (figures are inline), so nothing arrives later that
    would move the layout. (The third-party and console checks, which must see
    every request, wait for the network to fall idle instead: visit_page.)"""
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => null)")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")   # as a reader who scrolls through
    page.evaluate("window.scrollTo(0, 0)")


BLANK_BAND_PX = 600     # no part of a course page this tall is one flat colour


def full_page_screenshot(page, path: Path) -> None:
    """The whole page in one picture; fails the test, naming the place, when a
    band of it is blank (something the page holds was not drawn)."""
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    band = blank_band(path)
    if band is not None:
        pytest.fail(f"{page.url}: the screenshot {path.name} is blank from {band[0]} to {band[1]} px "
                    "down the page (content not drawn)", pytrace=False)


def blank_band(png: Path, height: int = BLANK_BAND_PX) -> tuple[int, int] | None:
    """(top, bottom) of the first band at least `height` px tall in which every
    row is one flat colour, or None."""
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        width, rows = rgb.size
        flat_since = None
        for y in range(rows + 1):      # one step past the end closes a band that reaches the bottom
            flat = y < rows and all(low == high for low, high in rgb.crop((0, y, width, y + 1)).getextrema())
            if flat:
                flat_since = y if flat_since is None else flat_since
            elif flat_since is not None:
                if y - flat_since >= height:
                    return flat_since, y
                flat_since = None
    return None


class NetworkActivity:
    """The page's requests as they start and end, to wait for the network to
    fall quiet again after something on the page changed (Playwright's
    "networkidle" is a load state: once reached, waiting for it returns at once)."""

    QUIET_SECONDS = 0.5     # as Playwright's networkidle: no request for 500 ms
    TIMEOUT_SECONDS = 10.0

    def __init__(self, page):
        self.in_flight = 0
        self.last_change = time.monotonic()
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfailed", self._end)

    def _start(self, _request):
        self.in_flight += 1
        self.last_change = time.monotonic()

    def _end(self, _request):
        self.in_flight -= 1
        self.last_change = time.monotonic()

    def settle(self, page) -> None:
        """Wait until no request has been open for QUIET_SECONDS, counted from
        now: what the page starts in that time (a lazy image, a loader that
        waits for scrolling to stop) is waited for too."""
        quiet_from = time.monotonic()
        deadline = quiet_from + self.TIMEOUT_SECONDS
        while self.in_flight or time.monotonic() - max(quiet_from, self.last_change) < self.QUIET_SECONDS:
            if time.monotonic() > deadline:
                raise AssertionError(f"{page.url}: the network did not fall quiet within "
                                     f"{self.TIMEOUT_SECONDS:.0f} s after scrolling ({self.in_flight} requests open)")
            page.wait_for_timeout(50)


def visit_page(browser, base_url: str, path: str, *, run_axe: bool = True,
               viewport: dict = DESKTOP_VIEWPORT) -> Visit:
    """Open `path` (relative to `base_url`) in a fresh context and record its
    status, console errors, failed and off-host requests, axe violations,
    headings and images without alt text. Off-host requests are aborted."""
    url = urljoin(base_url, path)
    visit = Visit(page=page_label(path), url=url)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()

    def route(route_):
        request_url = route_.request.url
        if is_course_host(request_url):
            route_.continue_()
        else:
            visit.off_host_requests.append(request_url)
            route_.abort("blockedbyclient")

    page.route("**/*", route)
    def console(message):
        source = message.location.get("url", "")
        # A request this visit blocked is reported by the third-party check.
        if message.type == "error" and source not in visit.off_host_requests:
            visit.console_errors.append(f"{message.text} ({source}:{message.location.get('lineNumber', '')})")

    page.on("console", console)
    page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: is_course_host(r.url) and visit.failed_requests.append(
        f"{r.url}: {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and r.request.url != url and
            visit.failed_requests.append(f"{r.url}: HTTP {r.status}"))
    network = NetworkActivity(page)
    try:
        response = page.goto(url, wait_until="networkidle")
        visit.status = response.status if response else None
        # Bring lazy content into view so its requests happen too, and wait for them.
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        network.settle(page)
        visit.off_host_references = sorted(
            {u for u in page.evaluate(_REFERENCES_JS, LOADING) if not is_course_host(u)})
        visit.headings = [tuple(h) for h in page.evaluate(_HEADINGS_JS)]
        visit.images_without_alt = page.evaluate(_IMAGES_WITHOUT_ALT_JS, PLACEHOLDER_ALT)
        if run_axe:
            page.evaluate("window.scrollTo(0, 0)")
            visit.axe_violations = run_axe_check(page)
    finally:
        context.close()
    return visit


def run_axe_check(page, rules: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the open page (all rules, or only `rules`)."""
    from axe_playwright_python.sync_playwright import Axe

    # WCAG 2.2 AA's target size (24 by 24 px, or that much space around) is off by
    # default in axe-core 4; readers tap these pages on phones.
    options = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    return Axe().run(page, options=options).response["violations"]


# --------------------------------------------------------------------------
# Reports: one line per problem, naming the page
# --------------------------------------------------------------------------

def load_problems(visit: Visit) -> list[str]:
    problems = []
    if visit.status != 200:
        problems.append(f"{visit.page}: status {visit.status} (expected 200)")
    problems += [f"{visit.page}: console error: {e}" for e in visit.console_errors]
    problems += [f"{visit.page}: failed request: {r}" for r in visit.failed_requests]
    return problems


def third_party_problems(visit: Visit) -> list[str]:
    problems = [f"{visit.page}: contacted {urlparse(u).hostname} ({u})" for u in visit.off_host_requests]
    problems += [f"{visit.page}: refers to {urlparse(u).hostname} ({u})"
                 for u in visit.off_host_references if u not in visit.off_host_requests]
    return problems


def axe_problems(visit: Visit, impacts=SERIOUS_IMPACTS) -> list[str]:
    problems = []
    for violation in visit.axe_violations:
        if violation.get("impact") not in impacts:
            continue
        for node in violation["nodes"]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            problems.append(f"{visit.page}: {violation['id']} ({violation['impact']}) at {target}: "
                            f"{violation['help']}")
    return problems


def heading_problems(visit: Visit) -> list[str]:
    problems = []
    h1s = [text for level, text in visit.headings if level == 1]
    if len(h1s) != 1:
        problems.append(f"{visit.page}: {len(h1s)} h1 headings (expected exactly one): {h1s}")
    previous = 0
    for level, text in visit.headings:
        if previous and level > previous + 1:
            problems.append(f"{visit.page}: heading h{level} {text!r} follows h{previous} "
                            f"(skips h{previous + 1})")
        if not previous and level != 1:
            problems.append(f"{visit.page}: first heading is h{level} {text!r}, not h1")
        previous = level
    return problems


def alt_problems(visit: Visit) -> list[str]:
    return [f"{visit.page}: {item}" for item in visit.images_without_alt]


def report(problems: list[str], promise: str) -> str:
    return f"{promise}; {len(problems)} problem(s):\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------
# Colour contrast (WCAG 2.x)
# --------------------------------------------------------------------------

_NUMBER = r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?%?"


def parse_css_color(value: str) -> tuple[float, float, float, float]:
    """An `rgb()`/`rgba()`/`color(srgb ...)` computed value as (r, g, b, a), 0-1."""
    value = value.strip()
    if value == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    numbers = re.findall(_NUMBER, value)

    def number(token: str, scale: float) -> float:
        return float(token[:-1]) / 100 if token.endswith("%") else float(token) / scale

    if value.startswith("rgb"):
        r, g, b = (number(n, 255) for n in numbers[:3])
        a = number(numbers[3], 1) if len(numbers) > 3 else 1.0
        return (r, g, b, a)
    if value.startswith("color(srgb"):
        r, g, b = (number(n, 1) for n in numbers[:3])
        a = number(numbers[3], 1) if len(numbers) > 3 else 1.0
        return (r, g, b, a)
    raise ValueError(f"unsupported CSS colour {value!r}")


def composite(top, bottom):
    """`top` (with alpha) painted over opaque `bottom`."""
    a = top[3]
    return tuple(top[i] * a + bottom[i] * (1 - a) for i in range(3)) + (1.0,)


def relative_luminance(rgb) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background) -> float:
    light, dark = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# For each element with its own text inside `selector`: its colour and the
# stack of background colours from the element up to the root.
TEXT_COLOURS_JS = """(selector) => {
  const out = [];
  document.querySelectorAll(selector).forEach(root => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || seen.has(el) || !el.getClientRects().length) continue;
      seen.add(el);
      const backgrounds = [];
      for (let e = el; e; e = e.parentElement) backgrounds.push(getComputedStyle(e).backgroundColor);
      const style = getComputedStyle(el);
      out.push({text: node.textContent.trim().slice(0, 40), colour: style.color,
                opacity: style.opacity, backgrounds,
                where: el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')});
    }
  });
  return out;
}"""


def text_contrasts(page, selector: str) -> list[tuple[float, dict]]:
    """(contrast ratio, sample) for every text-bearing element inside `selector`."""
    results = []
    for sample in page.evaluate(TEXT_COLOURS_JS, selector):
        background = (1.0, 1.0, 1.0, 1.0)  # the canvas behind everything
        for layer in reversed(sample["backgrounds"]):
            colour = parse_css_color(layer)
            if colour[3] > 0:
                background = composite(colour, background)
        foreground = composite(parse_css_color(sample["colour"]), background)
        results.append((contrast_ratio(foreground, background), sample))
    return results
