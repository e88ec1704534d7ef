"""Every notebook figure on the site carries the alt text its notebook stores
(the rule book's `figure-alt-text` rule; the notebook page step puts it on the page)."""
from __future__ import annotations

import base64

import nbformat
from selectolax.lexbor import LexborHTMLParser

from notebook_page import give_figures_their_alt_text
from notebook_rules import Course, Notebook, check_notebooks

PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()


def _notebook_with_figures(alts) -> Notebook:
    node = nbformat.v4.new_notebook()
    for alt in alts:
        metadata = {"image/png": {"alt": alt}} if alt is not None else {}
        node.cells.append(nbformat.v4.new_code_cell("display(fig)", outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": PIXEL}, metadata=metadata)]))
    return Notebook("notebooks/figs.ipynb", node, course=Course())


def _page(count):
    return LexborHTMLParser("".join(f'<div><img alt="No description has been provided for this image" '
                                    f'src="data:image/png;base64,{PIXEL}"></div>' for _ in range(count)),
                            is_fragment=True)


def test_the_stored_alt_text_replaces_nbconverts_placeholder():
    tree = _page(2)
    give_figures_their_alt_text(tree, _notebook_with_figures(
        ["First chart", 'A "quoted" chart']))
    page = tree.html
    assert 'alt="First chart"' in page and 'alt="A &quot;quoted&quot; chart"' in page, page
    assert "No description" not in page


def test_a_figure_without_alt_text_is_a_problem_naming_notebook_and_cell():
    problems = check_notebooks([_notebook_with_figures(["Described", None])], ["figure-alt-text"])
    assert [str(p) for p in problems] == [
        "notebooks/figs.ipynb: cell 1: [figure-alt-text] shows a figure without alt text; display it with "
        "display(fig, metadata={'image/png': {'alt': '...'}})"]


def test_a_figure_without_alt_text_fails_the_build_naming_notebook_and_cell(defective_build):
    figure = defective_build["planted"]["figure"]
    assert defective_build["returncode"] != 0
    assert f"{figure['notebook']}: cell {figure['cell']}: [figure-alt-text] shows a figure without alt text" \
        in defective_build["log"], defective_build["log"]
