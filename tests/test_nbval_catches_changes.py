"""The notebook tests (nbval) really compare stored outputs and really run every cell.

A course notebook is copied to a temporary folder three times: unchanged, with
one stored text output altered, and with one cell made to raise. nbval runs on
the copies in a separate pytest process, with the course's sanitize file, and
must pass the unchanged copy and fail each planted defect with a message that
names the notebook and the cell.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "02-files-and-google-drive.ipynb"  # the quickest course notebook
SANITIZE = ROOT / "tests" / "nbval-sanitize.cfg"
PLANTED_TEXT = "PLANTED CHANGE "
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def compared(cell) -> bool:
    """nbval compares this cell's outputs (it is executed and not tagged to be ignored)."""
    tags = set(cell.metadata.get("tags", []))
    return cell.execution_count is not None and not tags & {"nbval-ignore-output", "nbval-skip"}


def first_compared_stdout(notebook) -> int:
    """Index (among code cells, as nbval numbers them) of the first compared cell that prints text."""
    for number, cell in enumerate(code_cells(notebook)):
        if compared(cell) and any(o.output_type == "stream" and o.name == "stdout" for o in cell.outputs):
            return number
    raise AssertionError(f"{SOURCE.name}: no code cell with a compared stdout output to change")


def failure_section(report: str, node: str) -> str:
    """The text pytest prints under the `____ node ____` heading of a failed test."""
    match = re.search(rf"_{{3,}} {re.escape(node)} _{{3,}}\n(.*?)(?=\n_{{3,}} |\n={{3,}} )", report, re.S)
    assert match, f"no failure report for {node} in the nbval output:\n{report}"
    return match.group(1)


@pytest.fixture(scope="module")
def nbval_run(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("nbval-planted")
    original = nbformat.read(SOURCE, as_version=4)

    changed = nbformat.read(SOURCE, as_version=4)
    changed_cell = first_compared_stdout(changed)
    stream = next(o for o in code_cells(changed)[changed_cell].outputs
                  if o.output_type == "stream" and o.name == "stdout")
    stream.text = PLANTED_TEXT + stream.text

    raising = nbformat.read(SOURCE, as_version=4)
    raising_cell = len(code_cells(raising)) - 1
    last = code_cells(raising)[raising_cell]
    last.source = 'raise RuntimeError("planted failure")\n' + last.source

    for name, notebook in (("unchanged", original), ("changed", changed), ("raising", raising)):
        nbformat.write(notebook, folder / f"{name}.ipynb")
    # An empty configuration keeps the course's pyproject.toml (and its addopts) out of the run.
    (folder / "pytest.ini").write_text("[pytest]\n")

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
         f"--nbval-sanitize-with={SANITIZE}", "-p", "no:xdist", "-p", "no:cacheprovider",
         "-rA", "--color=no",
         "unchanged.ipynb", "changed.ipynb", "raising.ipynb"],
        cwd=folder, capture_output=True, text=True, timeout=600,
    )
    return {
        "returncode": result.returncode,
        "report": ANSI.sub("", result.stdout + result.stderr),
        "code_cells": len(code_cells(original)),
        "changed_cell": changed_cell,
        "raising_cell": raising_cell,
    }


def test_nbval_passes_an_unchanged_copy(nbval_run):
    report = nbval_run["report"]
    passed = re.findall(r"^PASSED unchanged\.ipynb::Cell \d+$", report, re.M)
    assert len(passed) == nbval_run["code_cells"], report
    assert not re.search(r"^FAILED unchanged\.ipynb", report, re.M), report


def test_nbval_fails_a_changed_stored_output_naming_notebook_and_cell(nbval_run):
    node = f"changed.ipynb::Cell {nbval_run['changed_cell']}"
    report = nbval_run["report"]
    assert nbval_run["returncode"] == 1, report
    assert re.search(rf"^FAILED {re.escape(node)} - Notebook cell execution failed$", report, re.M), report
    section = failure_section(report, node)
    assert f"Cell {nbval_run['changed_cell']}: Cell outputs differ" in section, section
    assert PLANTED_TEXT in section, section
    # Only the planted cell fails: the change does not leak into other cells.
    assert len(re.findall(r"^FAILED changed\.ipynb::", report, re.M)) == 1, report


def test_nbval_fails_a_cell_that_raises_naming_notebook_and_cell(nbval_run):
    node = f"raising.ipynb::Cell {nbval_run['raising_cell']}"
    report = nbval_run["report"]
    assert nbval_run["returncode"] == 1, report
    assert re.search(rf"^FAILED {re.escape(node)} - Notebook cell execution failed$", report, re.M), report
    section = failure_section(report, node)
    assert f"Cell {nbval_run['raising_cell']}: Cell execution caused an exception" in section, section
    assert "RuntimeError: planted failure" in section, section
