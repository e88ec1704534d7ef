"""Every notebook figure on the site carries the alt text its notebook stores."""
from __future__ import annotations

import base64
import logging
from types import SimpleNamespace

import nbformat
import pytest

import figure_alt_text
from conftest import ROOT

PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()


def _notebook_with_figures(path, alts):
    notebook = nbformat.v4.new_notebook()
    for alt in alts:
        cell = nbformat.v4.new_code_cell("display(fig)")
        metadata = {"image/png": {"alt": alt}} if alt is not None else {}
        cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PIXEL}, metadata=metadata)]
        notebook.cells.append(cell)
    nbformat.write(notebook, path)
    return path


def _page(path):
    return SimpleNamespace(file=SimpleNamespace(src_uri=f"notebooks/{path.name}", abs_src_path=str(path)))


def _html(count):
    return "".join(f'<div><img alt="No description has been provided for this image" '
                   f'src="data:image/png;base64,{PIXEL}"></div>' for _ in range(count))


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_every_figure_in_the_course_notebooks_has_alt_text(notebook):
    missing = [cell for cell, alt in figure_alt_text.figure_alt_texts(str(notebook)) if alt is None]
    assert not missing, (f"{notebook.name}: cell(s) {missing} show a figure without alt text; use "
                         "display(fig, metadata={'image/png': {'alt': '...'}})")


def test_the_stored_alt_text_replaces_nbconverts_placeholder(tmp_path):
    notebook = _notebook_with_figures(tmp_path / "figs.ipynb", ["First chart", 'A "quoted" chart'])
    page = figure_alt_text.on_post_page(_html(2), _page(notebook), config=None)
    assert 'alt="First chart"' in page and 'alt="A &quot;quoted&quot; chart"' in page
    assert "No description" not in page


def test_a_figure_without_alt_text_is_a_warning_naming_notebook_and_cell(tmp_path, caplog):
    notebook = _notebook_with_figures(tmp_path / "figs.ipynb", ["Described", None])
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.figure_alt_text"):
        figure_alt_text.on_post_page(_html(2), _page(notebook), config=None)
    assert "notebooks/figs.ipynb: cell 1 shows a figure without alt text" in caplog.text
