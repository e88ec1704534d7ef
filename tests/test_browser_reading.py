"""Notebook pages read well on a phone (375 px) and a desktop (1280 px), in the
light and dark schemes, from the keyboard and on paper.

Every notebook page of the built site is read at both widths in both schemes
(tests/reading_support.py records each reading); the pages written in
Markdown (home, chapter, instructors' and about pages) are read for their
layout, tables and print. Full-page screenshots of every
notebook page at both widths and in both schemes go to build/screenshots/
(kept by CI). The checks are shown to fail on planted defects at the end.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from browser_support import notebook_pages, prose_pages, report
from local_site import serve
from reading_support import (
    CONFIGURATIONS, DESKTOP, PHONE, box_problems, break_problems, covering_problems, dark_figure_problems,
    enlarge_problems, figure_problems, launch_bar_problems, leftover_problems, overflow_problems,
    print_problems, read_page, scroller_problems, skip_link_problems, tab_stop_problems,
    table_problems, text_size_problems,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
# The boxes every notebook shares with the chapter pages: (admonition type, title).
NOTEBOOK_BOXES = [("abstract", "Learning objectives"), ("info", "Synthetic data only"),
                  ("success", "Key points")]


def shot_name(path: str, viewport: dict, scheme: str) -> str:
    return f"{path.strip('/').split('/')[-1]}-{viewport['width']}-{'dark' if scheme == 'slate' else 'light'}.png"


@pytest.fixture(scope="session")
def notebooks(built_site) -> dict[str, Path]:
    found = notebook_pages(built_site)
    assert found, f"{built_site}: no notebook page (a page folder holding its .ipynb)"
    return found


def every(readings, check) -> list[str]:
    return [problem for reading in readings for problem in check(reading)]


class ReadingChecks:
    """Every check, on the readings at one width (`viewport`) in both schemes. Each width
    is its own test class (below), so the two widths are read in parallel by the test
    workers (pytest-xdist's --dist loadscope keeps a class together)."""

    viewport: dict

    @pytest.fixture(scope="class")
    @classmethod
    def readings(cls, browser, site_url, notebooks) -> list:
        """Every notebook page at this width, light and dark, with screenshots."""
        return [read_page(browser, site_url, path, viewport, scheme, notebook=notebook,
                          screenshot=SCREENSHOTS / shot_name(path, viewport, scheme))
                for viewport, scheme, _ in CONFIGURATIONS if viewport == cls.viewport
                for path, notebook in notebooks.items()]

    @pytest.fixture(scope="class")
    @classmethod
    def prose_readings(cls, browser, site_url, built_site) -> list:
        """Every page written in Markdown at this width, light and dark (layout, tables, print)."""
        return [read_page(browser, site_url, path, viewport, scheme, keyboard=False)
                for viewport, scheme, _ in CONFIGURATIONS if viewport == cls.viewport
                for path in prose_pages(built_site)]

    def test_every_notebook_page_is_read_in_both_schemes(self, readings, notebooks):
        assert len(readings) == 2 * len(notebooks)
        wrong = [f"{r.label}: shows scheme {r.shown_scheme!r}" for r in readings if r.shown_scheme != r.scheme]
        assert not wrong, report(wrong, "each reading shows the colour scheme it asked for")
        missing = [r.label for r in readings if not r.layout["boxes"]]
        assert not missing, report(missing, "each notebook page shows code and output boxes")


    def test_code_and_output_boxes_span_the_text_column(self, readings):
        problems = every(readings, box_problems)
        assert not problems, report(problems, "code and output boxes are at least 90% of the text column")


    def test_copy_buttons_do_not_cover_code(self, readings, prose_readings):
        problems = every(readings + prose_readings, covering_problems)
        assert not problems, report(problems, "a copy button sits beside the code it copies, not over it "
                                              "(code blocks: on touch screens)")


    def test_output_and_table_text_wraps_only_at_spaces(self, readings, prose_readings):
        problems = every(readings + prose_readings, break_problems)
        assert not problems, report(problems, "output and table text never breaks inside a word or number")


    def test_nothing_reaches_past_the_viewport_outside_a_scrolling_box(self, readings, prose_readings):
        problems = every(readings + prose_readings, overflow_problems)
        assert not problems, report(problems, "every element wider than the viewport sits in a box that scrolls")


    def test_boxes_that_scroll_sideways_take_focus_and_show_more_to_scroll(self, readings, prose_readings):
        problems = every(readings + prose_readings, scroller_problems)
        assert not problems, report(problems, "a box that scrolls sideways is a named keyboard stop with an "
                                              "edge shadow on the side that has more")


    def test_figures_fit_the_column_and_fill_it_on_a_phone_or_enlarge(self, readings):
        problems = every(readings, figure_problems)
        assert not problems, report(problems, "figures fit the column, and on a phone fill it or can be enlarged")
        assert any(r.layout["figures"] for r in readings), "no notebook page shows a figure"


    def test_figures_open_full_size_on_tap_and_close_with_escape(self, readings):
        problems = every(readings, enlarge_problems)
        assert not problems, report(problems, "tapping a figure opens it full size with its alt text; "
                                              "Escape closes it")


    def test_figures_in_dark_mode_are_dark_and_legible(self, readings):
        problems = every(readings, dark_figure_problems)
        assert not problems, report(problems, "in dark mode figures are not bright panels and keep their contrast")


    def test_skip_link_leads_to_the_title_and_open_in_colab_follows_within_five_tab_stops(self, readings, built_site):
        problems = []
        for reading in readings:
            soup = BeautifulSoup((built_site / reading.page.strip("/") / "index.html").read_text(encoding="utf-8"),
                                 "html.parser")
            h1 = soup.select_one("article h1")
            problems += skip_link_problems(reading, h1.get("id") if h1 else None)
        assert not problems, report(problems, "the skip link goes to the page title and Open in Colab is "
                                              "within 5 Tab stops after it")


    def test_every_tab_stop_is_a_control_or_a_scrolling_box_with_visible_focus(self, readings):
        assert all(r.stops for r in readings), "a page had no Tab stop at all"
        problems = every(readings, tab_stop_problems)
        assert not problems, report(problems, "no focus stop on cells that do nothing, and focus always visible")


    def test_print_shows_every_details_body_and_link_address_and_no_copy_button(self, readings, prose_readings):
        problems = every(readings + prose_readings, print_problems)
        assert not problems, report(problems, "printed pages show collapsed boxes and tabs opened, external "
                                              "link addresses, and no copy buttons")
        assert any(r.printed["details"] for r in prose_readings), "no prose page has a details box to print"


    def test_title_comes_first_then_a_compact_launch_bar(self, readings):
        problems = every(readings, launch_bar_problems)
        assert not problems, report(problems, "the page title comes first, then a compact launch bar")


    def test_no_notebook_prompts_or_test_tool_tags_are_shown(self, readings):
        problems = every(readings, leftover_problems)
        assert not problems, report(problems, "no In/Out prompts and no cell tags such as nbval-ignore-output")


    def test_tables_and_boxes_are_set_near_the_body_text_size(self, readings, prose_readings):
        problems = every(readings + prose_readings, text_size_problems)
        assert not problems, report(problems, "tables, admonitions and details are not set in small print")


    def test_tables_fit_the_column_or_keep_each_row_readable(self, readings, prose_readings):
        problems = every(readings + prose_readings, table_problems)
        assert not problems, report(problems, "a table fits its column (on a phone, stacked as cards) or, with "
                                              "5+ columns on a desktop, keeps its first column in view while it scrolls")
        assert any(r.tables for r in prose_readings), "no prose page has a table"


    def test_notebook_objectives_data_note_and_key_points_are_the_chapter_pages_boxes(self, readings, prose_readings):
        chapter_style = {}
        for reading in prose_readings:
            for box in reading.layout["admonitions"]:
                chapter_style.setdefault((reading.scheme, tuple(box["classes"])), box["style"])
        problems = []
        for reading in readings:
            boxes = reading.layout["admonitions"]
            for kind, title in NOTEBOOK_BOXES:
                found = [b for b in boxes if kind in b["classes"] and b["title"] == title]
                if len(found) != 1:
                    problems.append(f"{reading.label}: {len(found)} {title!r} box(es) (div.admonition.{kind}); "
                                    "expected one, as on the chapter pages")
                    continue
                expected = chapter_style.get((reading.scheme, tuple(found[0]["classes"])))
                if expected is None:
                    problems.append(f"{reading.label}: no chapter page has an admonition.{kind} to compare with")
                elif found[0]["style"] != expected:
                    problems.append(f"{reading.label}: the {title!r} box looks different from the chapter pages' "
                                    f"({found[0]['style']} vs {expected})")
        assert not problems, report(problems, "notebooks show objectives, data note and key points in the "
                                              "chapter pages' boxes")


    def test_screenshots_of_every_notebook_page_in_both_schemes(self, readings, notebooks):
        expected = {shot_name(path, self.viewport, scheme) for viewport, scheme, _ in CONFIGURATIONS
                    if viewport == self.viewport for path in notebooks}
        missing = sorted(name for name in expected if not (SCREENSHOTS / name).is_file()
                         or (SCREENSHOTS / name).stat().st_size == 0)
        assert not missing, f"missing screenshots in {SCREENSHOTS}: {missing}"


class TestOnAPhone(ReadingChecks):
    """375 px wide, as a phone."""
    viewport = PHONE


class TestOnADesktop(ReadingChecks):
    """1280 px wide, as a desktop."""
    viewport = DESKTOP


# --------------------------------------------------------------------------
# The checks can fail: a notebook page with every break, served the same way.
# --------------------------------------------------------------------------

FIGURE = ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI2NDAiIGhlaWdodD0iMzIwIj48cmVjdCB3aWR0aD0iNjQwIiBoZWlnaHQ9IjMyMCIgZmlsbD0iI2ZmZiIvPjx0ZXh0IHg9IjEwIiB5PSIzMCIgZm9udC1zaXplPSIyMCI+YTwvdGV4dD48L3N2Zz4=")
BROKEN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Broken</title>
<style>
  body { margin: 0; font: 16px sans-serif; }
  article { width: 343px; padding: 0 16px; }
  .jp-InputArea { display: flex; overflow: hidden; }
  .jp-InputPrompt { flex: 0 0 110px; }
  .jp-InputArea-editor { flex: 1 1 auto; width: 1px; overflow: hidden; }
  .jp-OutputArea-output { overflow: auto; }
  .jp-OutputArea-output pre { white-space: pre-wrap; word-break: break-all; }
  .jp-OutputArea-output img { width: 150px; }
  .clip { overflow: hidden; width: 343px; }
  td { font-size: 12px; }
  .celltoolbar { font-size: 11px; }
  :focus { outline: none; }
  .launch-bar a { display: block; padding: 20px 0; }
</style></head>
<body>
<a href="#title" class="md-skip">Skip to content</a>
<article class="md-content__inner">
<nav class="launch-bar"><a class="launch-bar__link launch-bar__link--colab" href="https://colab.example/nb">Open in Colab</a>
  <a href="https://binder.example/nb">Binder</a> <a href="#a">Download</a> <a href="#b">Source</a></nav>
<h1 id="title">A broken notebook</h1>
<div class="jp-Cell jp-CodeCell celltag_nbval-ignore-output" id="cell-id=c1">
 <div class="jp-Cell-inputWrapper" tabindex="0"><div class="jp-InputArea">
  <div class="jp-InputPrompt">In [1]:</div>
  <div class="jp-InputArea-editor"><div class="celltoolbar"><span class="cell-tag">nbval-ignore-output</span></div>
   <clipboard-copy role="button" aria-label="Copy" style="position: absolute; right: 16px; margin-top: 2px">[copy]</clipboard-copy>
   <pre><span class="n">print</span>(<span class="s2">"a very long line of code that does not fit"</span>, <span class="s2">"next to the prompt column at all"</span>)</pre></div>
 </div></div>
 <div class="jp-OutputArea-output" tabindex="0"><pre>Mounted at /content/drive: Google Drive True False aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</pre></div>
</div>
<div class="jp-Cell jp-CodeCell" id="cell-id=c2">
 <div class="jp-OutputArea-output"><div class="clip"><table><thead><tr><th>name</th><th>email</th></tr></thead>
  <tbody><tr><td>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</td><td>bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb</td></tr></tbody></table></div></div>
 <div class="jp-OutputArea-output"><img src="FIGURE" alt="A white panel"></div>
 <div class="jp-OutputArea-output"><button onclick="document.getElementById('big').showModal()"><img src="FIGURE" alt="A figure that opens"></button></div>
 <div class="jp-OutputArea-output"><pre style="white-space: pre">a scrolling output line that is much longer than the narrow text column of a phone screen</pre></div>
</div>
<details><summary>The 18 identifiers</summary><p>Names, dates and the rest.</p></details>
<p>See <a href="https://www.hhs.gov/hipaa/">the guidance</a>.</p>
</article>
<nav style="position: fixed; top: 0; left: -300px; width: 240px"><a href="#drawer">A link in a closed drawer</a></nav>
<dialog id="big" style="width: 100vw; max-width: 100vw; height: 100vh; max-height: 100vh; margin: 0; padding: 0; overflow: auto">
 <form method="dialog"><button>Close</button></form><img src="FIGURE" alt="A figure, full size" style="width: 2400px; max-width: none">
</dialog></body></html>
""".replace("FIGURE", FIGURE)
BROKEN_NOTEBOOK = {"cells": [{"id": "c0", "cell_type": "markdown", "source": "x", "metadata": {}},
                             {"id": "c1", "cell_type": "code", "source": "", "metadata": {}, "outputs": [],
                              "execution_count": 1},
                             {"id": "c2", "cell_type": "code", "source": "", "metadata": {}, "outputs": [],
                              "execution_count": 2}],
                   "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def broken_readings(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken-site")
    (folder / "broken").mkdir()
    (folder / "broken" / "index.html").write_text(BROKEN_PAGE, encoding="utf-8")
    notebook = folder / "broken" / "broken.ipynb"
    notebook.write_text(json.dumps(BROKEN_NOTEBOOK), encoding="utf-8")
    server, base_url = serve(folder, "/course/")
    try:
        yield {(viewport["width"], scheme): read_page(browser, base_url, "broken/", viewport, scheme,
                                                      notebook=notebook)
               for viewport, scheme in ((PHONE, "default"), (DESKTOP, "slate"))}
    finally:
        server.shutdown()


def joined(problems: list[str]) -> str:
    return "\n".join(problems)


def test_planted_breaks_are_each_reported_with_page_cell_and_element(broken_readings):
    phone, desktop = broken_readings[(375, "default")], broken_readings[(1280, "slate")]
    where = "/broken/ [375 px, light]: "
    boxes = joined(box_problems(phone))
    assert where + "cell 1: code box div.jp-InputArea-editor is" in boxes, boxes
    breaks = joined(break_problems(phone))
    assert where + "cell 1: output text breaks mid-word" in breaks, breaks
    wide = joined(overflow_problems(phone))
    assert where + "cell 2: table spans 16.." in wide and "cut off by div.clip (overflow hidden)" in wide, wide
    # One line per clipping box, however many elements it cuts off.
    assert wide.count(where + "cell 1: ") == 1 and "cut off by div.jp-InputArea-editor" in wide, wide
    assert where + "cell 1: the copy button clipboard-copy covers the code it copies" in joined(covering_problems(phone))
    scrollers = joined(scroller_problems(phone))
    assert where + "cell 2: div.jp-OutputArea-output scrolls sideways" in scrollers, scrollers
    assert "without keyboard focus (tabindex), an edge shadow" in scrollers, scrollers
    figures = joined(figure_problems(phone))
    assert where + "cell 2: figure 1 is 150 px on a 343 px phone column and cannot be enlarged" in figures
    enlarged = joined(enlarge_problems(phone))
    assert "cell 2: figure 1 does not open full size on tap" in enlarged, enlarged
    assert where + ("cell 2: figure 2: scrolled to the enlarged figure's far corner, the dialog's Close button "
                    "is off screen") in enlarged, enlarged
    dark = joined(dark_figure_problems(desktop))
    assert "/broken/ [1280 px, dark]: cell 2: figure 1 is a bright panel in dark mode" in dark, dark
    assert dark_figure_problems(phone) == []  # light mode: a white figure is fine
    skip = joined(skip_link_problems(phone, "title"))
    assert where + "Open in Colab is not within 5 Tab stops after the skip link" in skip, skip
    stops = joined(tab_stop_problems(phone))
    assert where + "Tab stop 6: cell 1: div.jp-Cell-inputWrapper takes focus but is neither" in stops, stops
    assert "shows no focus indicator" in stops, stops
    assert "Tab stop 12: a is off screen when focused (at x=-300, y=0 px): the focus disappears" in stops, stops
    printed = joined(print_problems(desktop))
    assert "/broken/ [1280 px, dark]: print: the body of details 'The 18 identifiers' is hidden" in printed
    assert "print: the link to https://www.hhs.gov/hipaa/ prints without its address" in printed, printed
    bar = joined(launch_bar_problems(phone))
    assert where + "the launch bar (top" in bar and "comes before the title" in bar, bar
    assert where + "the launch bar is" in bar and "(compact: at most a quarter of the 740 px screen, 185 px)" in bar
    leftovers = joined(leftover_problems(phone))
    assert where + "cell 1: notebook prompt 'In [1]:' is shown" in leftovers, leftovers
    assert where + "cell 1: test-tool tag 'nbval-ignore-output' is shown" in leftovers, leftovers
    small = joined(text_size_problems(phone))
    assert where + "cell 2: td" in small and "is set at 12.0 px" in small, small


def test_planted_copy_button_in_print_clipped_tables_and_split_words_are_reported(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken-chapter")
    (folder / "page").mkdir()
    cells = "".join(f"<th>Column {n}</th>" for n in range(7))
    row = "<tr>" + "".join(f"<td>value{n}value{n}value{n}</td>" for n in range(7)) + "</tr>"
    decision = "<tr>" + "".join("<td>Pseudonymisation-and-re-identification</td>" for _ in range(4)) + "</tr>"
    tags = "<tr><td style='width:1px'><code style='word-break:break-all'>exercise</code></td><td>Markdown</td></tr>"
    (folder / "page" / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'><title>t</title></head><body>"
        "<article class='md-content__inner' style='width:343px'><h1>T</h1>"
        "<button class='md-clipboard'>Copy</button>"
        f"<div style='overflow-x:auto'><table><thead><tr>{cells}</tr></thead><tbody>{row * 3}</tbody></table></div>"
        "<div style='overflow-x:auto'><table><thead><tr><th>#</th><th>Question</th><th>If yes</th><th>If no</th></tr>"
        f"</thead><tbody>{decision}</tbody></table></div>"
        f"<table><thead><tr><th>Tag</th><th>Cell</th></tr></thead><tbody>{tags}</tbody></table>"
        "<pre style='position:relative'><nav class='md-code__nav' style='position:absolute;top:0;right:0'>"
        "<button class='md-code__button' aria-label='Copy'>c</button></nav>"
        "<code>git clone https://github.com/YOU/course.git</code></pre>"
        "</article></body></html>", encoding="utf-8")
    server, base_url = serve(folder, "/course/")
    try:
        phone, desktop = (read_page(browser, base_url, "page/", viewport, "default", keyboard=False)
                          for viewport in (PHONE, DESKTOP))
    finally:
        server.shutdown()
    printed = joined(print_problems(phone))
    assert "/page/ [375 px, light]: print: copy button button.md-clipboard is printed" in printed, printed
    assert "/page/ [375 px, light]: print: table 1 (first heading 'Column 0'," in printed, printed
    assert "is cut off on paper (718 px wide)" in printed and "print: table 3" not in printed, printed
    assert (joined(covering_problems(phone)) ==
            "/page/ [375 px, light]: the copy button button.md-code__button covers the code it copies")
    assert covering_problems(desktop) == []    # with a mouse, hovering reveals and moves it: not checked
    tables = joined(table_problems(phone))
    assert "/page/ [375 px, light]: table 1 (7 columns, first 'Column 0') is wider than the phone's column" in tables
    assert "/page/ [375 px, light]: table 2 (4 columns, first '#') is wider than the phone's column" in tables, tables
    tables = joined(table_problems(desktop))
    assert ("/page/ [1280 px, light]: table 1 (7 columns, first 'Column 0') does not fit its column and does not "
            "keep its first column in view") in tables, tables
    assert "/page/ [1280 px, light]: table 2 (4 columns, first '#') does not fit its column\n" in tables + "\n", tables
    assert "table 3" not in tables, tables
    breaks = joined(break_problems(phone))
    assert "/page/ [375 px, light]: table text breaks mid-word: 'e" in breaks, breaks
