"""Exercise solutions on notebook pages, in headless Chromium: folded under "Show
solution", out of the browser's find-in-page until unfolded, and folded in print."""
from __future__ import annotations

from urllib.parse import urljoin

import pytest

from browser_support import DESKTOP_VIEWPORT, notebook_pages

pytestmark = pytest.mark.browser

# A line only the solution of notebook 02's first exercise holds.
SOLUTION_TEXT = 'is_relative_to("/content/drive/MyDrive")'
PAGE = "notebooks/02-files-and-google-drive/"

FIND = "text => { window.getSelection().removeAllRanges(); return window.find(text, true); }"
BODY_SHOWN = """() => [...document.querySelectorAll('details.exercise-solution > .exercise-solution__body')]
                      .map(body => getComputedStyle(body).display !== 'none' && body.offsetHeight > 0)"""


@pytest.fixture
def page(browser, built_site, site_url):
    assert PAGE in notebook_pages(built_site), f"no notebook page {PAGE}"
    context = browser.new_context(viewport=DESKTOP_VIEWPORT)
    page = context.new_page()
    page.goto(urljoin(site_url, PAGE), wait_until="networkidle")
    yield page
    context.close()


def test_solutions_are_folded_and_find_in_page_reaches_them_only_unfolded(page):
    summaries = page.locator("details.exercise-solution > summary")
    assert summaries.count() == 2 and summaries.first.inner_text().strip() == "Show solution"
    assert page.evaluate(BODY_SHOWN) == [False, False], "a solution is shown before it is unfolded"
    assert page.evaluate(FIND, "survives_runtime") is True, "find-in-page does not work on this page"
    assert page.evaluate(FIND, SOLUTION_TEXT) is False, "find-in-page reaches a folded solution"
    summaries.first.click()                    # mouse, or Enter on the focused summary
    assert page.evaluate(BODY_SHOWN) == [True, False]
    assert page.evaluate(FIND, SOLUTION_TEXT) is True, "the unfolded solution cannot be found"
    summaries.nth(1).focus()
    page.keyboard.press("Enter")
    assert page.evaluate(BODY_SHOWN) == [True, True], "Enter on the summary does not unfold it"


def test_solutions_are_left_off_paper_even_when_unfolded_on_screen(page):
    page.locator("details.exercise-solution > summary").first.click()
    page.emulate_media(media="print")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")  # as Material does for print
    assert page.evaluate(BODY_SHOWN) == [False, False], "a solution is printed"
    assert not page.locator("details.exercise-solution > summary").first.is_visible(), \
        "a 'Show solution' box that cannot be opened is printed"
    assert page.locator(".celltag_check").first.is_visible(), "the exercise's check is not printed"


def test_without_the_course_rule_find_in_page_would_reach_a_folded_solution(page):
    """The check above can fail: Chromium searches inside a closed <details> unless its body is not rendered."""
    page.add_style_tag(content=".md-typeset details.exercise-solution:not([open]) > .exercise-solution__body"
                               " { display: block !important }")
    assert page.evaluate(FIND, SOLUTION_TEXT) is True
