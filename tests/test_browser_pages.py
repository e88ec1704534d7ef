"""Every page of the built site, opened in headless Chromium: it loads cleanly,
contacts only the course's own host, and passes the accessibility checks.

Pages are discovered from the built site (every index.html, plus 404.html),
so new pages are covered without editing this file. Each page is visited once
and every check below reads that visit's record.
"""
from __future__ import annotations

import pytest

from browser_support import (
    alt_problems, axe_problems, heading_problems, load_problems, report,
    site_pages, third_party_problems, visit_page,
)
from local_site import serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visits(browser, built_site, site_url):
    """One visit of every page of the built site (with axe-core run on it)."""
    return [visit_page(browser, site_url, path) for path in site_pages(built_site)]


def test_the_site_has_pages_to_check(visits):
    assert len(visits) >= 2, f"only {len(visits)} page(s) found in the built site"
    assert any(v.page == "/404.html" for v in visits), "the built site has no 404.html"


def test_every_page_loads_without_errors(visits):
    problems = [p for v in visits for p in load_problems(v)]
    assert not problems, report(problems, "every page loads with status 200, no console "
                                          "error and no failed request")


def test_every_page_contacts_only_the_course_host(visits):
    problems = [p for v in visits for p in third_party_problems(v)]
    assert not problems, report(problems, "no page may contact or refer to a host other than "
                                          "the course's own (privacy: no third-party requests)")


def test_every_page_has_no_serious_accessibility_violation(visits):
    problems = [p for v in visits for p in axe_problems(v)]
    assert not problems, report(problems, "axe-core finds no serious or critical violation")


def test_every_image_and_figure_has_alt_text(visits):
    problems = [p for v in visits for p in alt_problems(v)]
    assert not problems, report(problems, "every image and figure has a text alternative")


def test_every_page_has_one_h1_and_no_skipped_heading_level(visits):
    problems = [p for v in visits for p in heading_problems(v)]
    assert not problems, report(problems, "one h1 per page, heading levels never skipped")


# --------------------------------------------------------------------------
# The checks above can fail: a page with each defect, served the same way.
# --------------------------------------------------------------------------

DEFECTIVE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Defects</title></head>
<body><main>
  <h1>A page with defects</h1>
  <h3>A skipped level</h3>
  <img src="https://example.com/x.png" alt="A remote image">
  <img src="local.svg">
  <p style="color:#bbb;background:#fff">Faint text</p>
  <p><button style="width:12px;height:12px;padding:0;font-size:8px" aria-label="Previous">&lt;</button><button
     style="width:12px;height:12px;padding:0;font-size:8px" aria-label="Next">&gt;</button></p>
</main></body></html>
"""
LOCAL_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


@pytest.fixture(scope="module")
def defective_visit(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("defective-site")
    (folder / "bad").mkdir()
    (folder / "bad" / "index.html").write_text(DEFECTIVE_PAGE, encoding="utf-8")
    (folder / "bad" / "local.svg").write_text(LOCAL_SVG, encoding="utf-8")
    server, base_url = serve(folder, "/course/")
    try:
        yield visit_page(browser, base_url, "bad/")
    finally:
        server.shutdown()


def test_third_party_check_names_the_page_and_the_host(defective_visit):
    problems = third_party_problems(defective_visit)
    assert problems == ["/bad/: contacted example.com (https://example.com/x.png)"]
    # The request was aborted, never sent.
    assert defective_visit.off_host_requests == ["https://example.com/x.png"]


def test_accessibility_checks_name_the_page_rule_and_element(defective_visit):
    axe = "\n".join(axe_problems(defective_visit))
    assert "/bad/: image-alt (critical) at img[src$=\"local.svg\"]" in axe, axe
    assert "/bad/: color-contrast (serious) at p" in axe, axe
    assert "/bad/: target-size (serious) at button" in axe, axe    # WCAG 2.2 AA, switched on
    assert heading_problems(defective_visit) == [
        "/bad/: heading h3 'A skipped level' follows h1 (skips h2)"]
    assert alt_problems(defective_visit) == ["/bad/: img src=local.svg: no alt attribute"]


# A request a page makes only once the reader has scrolled (lazy loading): the
# visit scrolls to the end and waits for the network to fall quiet again.
SCROLL_LOADED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loads on scroll</title></head>
<body><main>
  <h1>Loads on scroll</h1>
  <div style="height: 5000px"></div>
  <p id="end">The end of the page.</p>
  <script>
    // As lazy loaders do: act once scrolling has stopped for a moment.
    let pause;
    addEventListener("scroll", () => {
      clearTimeout(pause);
      pause = setTimeout(() => fetch("https://beacon.example.net/seen").catch(() => {}), 200);
    });
  </script>
</main></body></html>
"""


def test_a_request_made_only_after_scrolling_is_named_too(browser, tmp_path):
    (tmp_path / "lazy").mkdir()
    (tmp_path / "lazy" / "index.html").write_text(SCROLL_LOADED_PAGE, encoding="utf-8")
    server, base_url = serve(tmp_path, "/course/")
    try:
        visit = visit_page(browser, base_url, "lazy/", run_axe=False)
    finally:
        server.shutdown()
    assert third_party_problems(visit) == [
        "/lazy/: contacted beacon.example.net (https://beacon.example.net/seen)"]
