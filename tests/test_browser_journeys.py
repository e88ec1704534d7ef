"""What a reader does on the built site, in headless Chromium: reads a notebook
page (code, outputs, figures, launch links), searches, switches between the
light and dark schemes, and the screenshots CI keeps of both schemes.

Notebook pages are found in the built site (a page folder holding the .ipynb
that mkdocs-jupyter copies beside it), so new notebooks are covered too.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest

from browser_support import (
    DESKTOP_VIEWPORT, PLACEHOLDER_ALT, chapter_pages, full_page_screenshot, notebook_pages, open_page,
    report, text_contrasts,
)
from course_links import (
    configured_course, exercise_links, file_href, github_url, launch_links, repository_being_built,
)
from local_site import serve

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
MIN_CONTRAST = 4.5
OUTPUT_TEXT = ".jp-OutputArea-output"
CODE_TEXT = ".jp-InputArea-editor pre"
SEARCH_TERM = "BAA"
SEARCH_TARGET = "health-data-caution/"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP_VIEWPORT, color_scheme="light")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def notebooks(built_site):
    found = notebook_pages(built_site)
    assert found, f"{built_site}: no notebook page (a page folder holding its .ipynb)"
    return found


def stored_outputs(notebook: Path) -> dict:
    """What a notebook holds: its code cells' sources, text outputs and images."""
    code, texts, images = [], 0, 0
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        if cell.source.strip():
            code.append(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(k in data for k in ("image/png", "image/jpeg", "image/svg+xml")):
                images += 1
            elif output.output_type in ("stream", "error") or "text/plain" in data:
                texts += 1 if output.output_type != "stream" or output.get("text", "").strip() else 0
    return {"code": code, "texts": texts, "images": images}


RENDERED_JS = """() => {
  const visible = e => e.getClientRects().length > 0;
  const code = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-editor'))
                    .filter(visible).map(e => (e.querySelector('pre') || e).innerText);
  const texts = Array.from(document.querySelectorAll('.jp-OutputArea-output'))
                     .filter(e => visible(e) && !e.querySelector('img') && e.innerText.trim()).length;
  const images = Array.from(document.querySelectorAll('.jp-OutputArea-output img')).map(img => ({
      alt: (img.getAttribute('alt') || '').trim(), width: img.naturalWidth,
      complete: img.complete, shown: visible(img)}));
  return {code, texts, images};
}"""


def test_every_notebook_page_shows_its_code_text_outputs_and_figures(browser, site_url, notebooks):
    problems, figures = [], 0
    for path, notebook in notebooks.items():
        stored = stored_outputs(notebook)
        context = browser.new_context(viewport=DESKTOP_VIEWPORT)
        page = context.new_page()
        open_page(page, urljoin(site_url, path))
        # A reader who unfolds every exercise solution ("Show solution") sees every cell.
        for summary in page.locator("details.exercise-solution > summary").all():
            summary.click()
        shown = page.evaluate(RENDERED_JS)
        context.close()
        where = f"/{path} ({notebook.name})"
        normalise = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
        rendered_code = [normalise(c) for c in shown["code"]]
        for number, source in enumerate(stored["code"], 1):
            if normalise(source) not in rendered_code:
                problems.append(f"{where}: code cell {number} not shown: {source.strip()[:60]!r}")
        if shown["texts"] < stored["texts"]:
            problems.append(f"{where}: {shown['texts']} text output(s) shown, "
                            f"{stored['texts']} stored in the notebook")
        if len(shown["images"]) != stored["images"]:
            problems.append(f"{where}: {len(shown['images'])} figure(s) shown, "
                            f"{stored['images']} stored in the notebook")
        for number, image in enumerate(shown["images"], 1):
            figures += 1
            if not (image["shown"] and image["complete"] and image["width"] > 0):
                problems.append(f"{where}: figure {number} did not load (naturalWidth {image['width']})")
            if not image["alt"] or image["alt"] == PLACEHOLDER_ALT:
                problems.append(f"{where}: figure {number} has no alt text "
                                f"(alt={image['alt']!r})")
    if not figures:
        problems.append("no notebook page shows a figure: the course's notebooks "
                        f"({', '.join(n.name for n in notebooks.values())}) store no image output")
    assert not problems, report(problems, "notebook pages show their code, text outputs and "
                                          "figures (loaded, with alt text)")


LAUNCH_LINKS = {
    "colab": re.compile(r"open (exercises )?in colab", re.I),
    "solutions": re.compile(r"open with solutions", re.I),
    "binder": re.compile(r"binder", re.I),
    "download": re.compile(r"download", re.I),
    "source": re.compile(r"view source", re.I),
    "jupyterhub": re.compile(r"jupyterhub", re.I),
}


def test_every_notebook_page_launch_bar_links_to_the_configured_repository(
        browser, site_url, notebooks):
    course = configured_course()
    repository = repository_being_built(course.repository)
    problems = []
    for path, notebook in notebooks.items():
        in_repository = f"notebooks/{notebook.name}"
        page_url = urljoin(site_url, path)
        launchers = launch_links(course.launchers, repository, in_repository)
        # A notebook with exercises: Colab opens its student copy, or the notebook "with solutions".
        exercises = any("exercise" in cell.metadata.get("tags", [])
                        for cell in nbformat.read(notebook, as_version=4).cells)
        copies = exercise_links(course.launchers, repository, in_repository) if exercises else {}
        expected = {
            "colab": copies.get("exercises", launchers.get("colab")),
            "solutions": copies.get("solutions"),
            "binder": launchers.get("binder"),
            "download": urljoin(page_url, file_href(notebook.name)),
            "source": github_url(repository, "blob", in_repository),
            "jupyterhub": launchers.get("jupyterhub"),
        }
        context = browser.new_context(viewport=DESKTOP_VIEWPORT)
        page = context.new_page()
        open_page(page, page_url)
        where = f"/{path}"
        # The launch bar: the navigation landmark holding the Colab, Binder and download links.
        bar = page.locator("nav")
        for name in ("colab", "binder", "download"):
            bar = bar.filter(has=page.get_by_role("link", name=LAUNCH_LINKS[name]))
        if bar.count() != 1:
            problems.append(f"{where}: {bar.count()} launch bar(s) (a <nav> holding 'Open in "
                            "Colab', 'Binder' and 'Download' links), expected one")
            context.close()
            continue
        for name, label in LAUNCH_LINKS.items():
            found = bar.get_by_role("link", name=label)
            if expected[name] is None:
                if found.count():
                    problems.append(f"{where}: a {name} link although none is configured")
                continue
            if found.count() != 1:
                problems.append(f"{where}: {found.count()} link(s) named {label.pattern!r} in the "
                                "launch bar (expected one)")
                continue
            href = urljoin(page_url, found.get_attribute("href"))
            if href != expected[name]:
                problems.append(f"{where}: {name} link goes to {href}, expected {expected[name]}")
        if not re.search(r"patient data", bar.inner_text(), re.I):
            problems.append(f"{where}: the launch bar does not remind readers not to upload "
                            "patient data")
        response = context.request.get(expected["download"])
        if response.status != 200 or "cells" not in response.json():
            problems.append(f"{where}: download {expected['download']} gave HTTP "
                            f"{response.status}, not the notebook")
        context.close()
    assert not problems, report(problems, "launch bars link to the configured repository "
                                          f"{repository.slug}@{repository.branch}")


def test_search_finds_baa_on_the_health_data_caution_page(page, site_url):
    page.goto(site_url, wait_until="networkidle")
    page.keyboard.press("s")
    page.keyboard.type(SEARCH_TERM)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(state="visible", timeout=10_000)
    hrefs = [urlparse(h).path for h in results.evaluate_all("els => els.map(e => e.href)")]
    matching = [h for h in hrefs if h.endswith(SEARCH_TARGET) or SEARCH_TARGET in h]
    assert matching, f"searching {SEARCH_TERM!r} found {hrefs}, none on the {SEARCH_TARGET} page"
    page.locator(f".md-search-result__item a[href*='{SEARCH_TARGET}']").first.click()
    page.wait_for_load_state("networkidle")
    assert SEARCH_TARGET in urlparse(page.url).path, f"the result led to {page.url}"
    article = page.locator("article").inner_text()
    assert SEARCH_TERM in article, f"{page.url} does not mention {SEARCH_TERM}"


def current_scheme(page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def toggle_scheme(page) -> None:
    before = current_scheme(page)
    page.locator("form[data-md-component=palette] label:not([hidden])").click()
    page.wait_for_function(
        "(before) => document.body.getAttribute('data-md-color-scheme') !== before", arg=before)


def test_light_dark_toggle_keeps_notebook_code_and_outputs_readable(page, site_url, notebooks):
    problems, seen = [], set()
    for path in notebooks:
        open_page(page, urljoin(site_url, path))
        if current_scheme(page) != "default":  # the scheme chosen on the previous page persists
            toggle_scheme(page)
        for _ in range(2):
            scheme = current_scheme(page)
            seen.add(scheme)
            samples = text_contrasts(page, OUTPUT_TEXT)
            if not samples:
                problems.append(f"/{path}: no notebook output text found ({OUTPUT_TEXT})")
            code = text_contrasts(page, CODE_TEXT)   # every token colour of the highlighted code
            if not code:
                problems.append(f"/{path}: no notebook code found ({CODE_TEXT})")
            for ratio, sample in samples + code:
                if ratio < MIN_CONTRAST:
                    problems.append(f"/{path} [{scheme}]: {sample['where']} {sample['text']!r}: "
                                    f"contrast {ratio:.2f}:1 ({sample['colour']} on "
                                    f"{sample['backgrounds'][:3]})")
            toggle_scheme(page)
    assert seen == {"default", "slate"}, f"the toggle switched between {seen}, not light and dark"
    assert not problems, report(problems, f"notebook code and output text have contrast >= {MIN_CONTRAST}:1 "
                                          "in both schemes")


def test_screenshots_of_home_chapter_and_notebook_pages_in_both_schemes(
        browser, site_url, built_site, notebooks):
    chapters = chapter_pages(built_site)
    assert chapters, f"{built_site}: no chapter page"
    targets = {"home": "", "chapter": chapters[0], "notebook": next(iter(notebooks))}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for emulated, scheme in (("light", "default"), ("dark", "slate")):
        context = browser.new_context(viewport=DESKTOP_VIEWPORT, color_scheme=emulated)
        page = context.new_page()
        for name, path in targets.items():
            open_page(page, urljoin(site_url, path))
            assert current_scheme(page) == scheme, (
                f"/{path} with prefers-color-scheme {emulated} shows scheme {current_scheme(page)}")
            shot = SCREENSHOTS / f"{name}-{emulated}.png"
            full_page_screenshot(page, shot)
        context.close()


TALL_PAGE = """<!doctype html><html lang="en"><title>Cells</title>
<body>{cells}<p style="visibility: {hidden}; height: 900px; background: repeating-linear-gradient(#fff 0 10px, #ccc 10px 20px)">drawn only when visible</p><p>end</p></body></html>"""


@pytest.mark.parametrize("hidden", ["visible", "hidden"])
def test_a_full_page_screenshot_with_a_band_not_drawn_fails_naming_it(browser, tmp_path, hidden):
    cells = "".join(f'<h2>Cell {n}</h2><pre>{"x = 1" * 20}\n</pre>' for n in range(40))
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(
        TALL_PAGE.replace("{cells}", cells).replace("{hidden}", hidden), encoding="utf-8")
    server, base_url = serve(tmp_path, "/course/")
    try:
        page = browser.new_page(viewport=DESKTOP_VIEWPORT)
        open_page(page, urljoin(base_url, "page/"))
        if hidden == "visible":
            full_page_screenshot(page, tmp_path / "drawn.png")
        else:
            with pytest.raises(pytest.fail.Exception, match=r"page/: the screenshot blank.png is blank "
                                                            r"from \d+ to \d+ px down the page"):
                full_page_screenshot(page, tmp_path / "blank.png")
        page.close()
    finally:
        server.shutdown()
