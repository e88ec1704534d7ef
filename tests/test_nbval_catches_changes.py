"""The notebook tests (nbval) really compare stored outputs and really run every cell,
and their failures say what to do.

A course notebook is copied to a temporary folder four times: unchanged, with
one stored text output altered, with one cell's code edited after the run (a
stale output), and with one cell made to raise. nbval runs on the copies in a
separate pytest process, with the course's sanitize file and its message
plugin (tests/nbval_messages.py), its output not a terminal. It must pass the
unchanged copy and fail each planted defect with a message that names the
notebook and the cell as nbformat numbers it (the course's one numbering),
says which side is stored and which the new run, ends with the command that
re-runs the notebook, and carries no ANSI codes.
"""
from __future__ import annotations

import os
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
STALE_TEXT = "edited after the run"


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def compared(cell) -> bool:
    """nbval compares this cell's outputs (it is executed and not tagged to be ignored)."""
    tags = set(cell.metadata.get("tags", []))
    return cell.execution_count is not None and not tags & {"nbval-ignore-output", "nbval-skip"}


def compared_stdout_cells(notebook) -> list[int]:
    """Indexes (in nbformat's cell list) of the compared code cells that print text."""
    found = [index for index, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and compared(cell)
             and any(o.output_type == "stream" and o.name == "stdout" for o in cell.outputs)]
    assert len(found) >= 2, f"{SOURCE.name}: fewer than two code cells with a compared stdout output"
    return found


def code_number(notebook, index: int) -> int:
    """1-based position of cell `index` among the code cells."""
    return sum(cell.cell_type == "code" for cell in notebook.cells[:index + 1])


def failure_section(report: str, node: str) -> str:
    """The text pytest prints under the `____ node ____` heading of a failed test."""
    match = re.search(rf"_{{3,}} {re.escape(node)} _{{3,}}\n(.*?)(?=\n_{{3,}} |\n={{3,}} )", report, re.S)
    assert match, f"no failure report for {node} in the nbval output:\n{report}"
    return match.group(1)


@pytest.fixture(scope="module")
def nbval_run(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("nbval-planted")
    original = nbformat.read(SOURCE, as_version=4)
    first, second = compared_stdout_cells(original)[:2]

    changed = nbformat.read(SOURCE, as_version=4)
    stream = next(o for o in changed.cells[first].outputs if o.output_type == "stream" and o.name == "stdout")
    stream.text = PLANTED_TEXT + stream.text

    stale = nbformat.read(SOURCE, as_version=4)      # code edited, notebook not re-run
    stale.cells[second].source += f'\nprint("{STALE_TEXT}")'

    raising = nbformat.read(SOURCE, as_version=4)
    raising_cell = max(i for i, cell in enumerate(raising.cells) if cell.cell_type == "code")
    raising.cells[raising_cell].source = 'raise RuntimeError("planted failure")\n' + raising.cells[raising_cell].source

    for name, notebook in (("unchanged", original), ("changed", changed), ("stale", stale), ("raising", raising)):
        nbformat.write(notebook, folder / f"{name}.ipynb")
    # An empty configuration keeps the course's pyproject.toml (and its addopts) out of the run.
    (folder / "pytest.ini").write_text("[pytest]\n")

    # Not a terminal (output captured) and no --color option: as in CI logs.
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "COLUMNS": "300"}   # summary lines in full
    env.pop("PY_COLORS", None)
    env.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "nbval_messages", "--nbval", "--nbval-current-env",
         f"--nbval-sanitize-with={SANITIZE}", "-p", "no:xdist", "-p", "no:cacheprovider", "-rA",
         "unchanged.ipynb", "changed.ipynb", "stale.ipynb", "raising.ipynb"],
        cwd=folder, capture_output=True, text=True, timeout=600, env=env,
    )
    return {
        "returncode": result.returncode,
        "report": result.stdout + result.stderr,
        "code_cells": [i for i, cell in enumerate(original.cells) if cell.cell_type == "code"],
        "notebook": original,
        "changed_cell": first,
        "stale_cell": second,
        "raising_cell": raising_cell,
    }


def test_nbval_passes_an_unchanged_copy_with_one_test_per_code_cell_numbered_as_nbformat_does(nbval_run):
    report = nbval_run["report"]
    passed = [int(n) for n in re.findall(r"^PASSED unchanged\.ipynb::cell (\d+)$", report, re.M)]
    assert sorted(passed) == nbval_run["code_cells"], report
    assert not re.search(r"^FAILED unchanged\.ipynb", report, re.M), report


def test_nbval_reports_carry_no_ansi_codes_when_not_on_a_terminal(nbval_run):
    assert nbval_run["returncode"] == 1
    assert "\x1b[" not in nbval_run["report"], repr(nbval_run["report"][:2000])


def check_failure(nbval_run, name: str, cell: int, what: str) -> str:
    """The failure section of notebook `name`'s cell `cell`: headed by notebook, cell and `what`,
    ending with the command that re-runs that notebook. Only that cell fails."""
    node = f"{name}::cell {cell}"
    report = nbval_run["report"]
    assert nbval_run["returncode"] == 1, report
    heading = (f"{name}: cell {cell} (code cell {code_number(nbval_run['notebook'], cell)} of "
               f"{len(nbval_run['code_cells'])}): {what}")
    assert re.search(rf"^FAILED {re.escape(node)} - {re.escape(heading)}$", report, re.M), report
    section = failure_section(report, node)
    assert section.startswith(heading + "\n"), section
    assert section.rstrip().endswith(f"\n  make notebooks NB={name}"), section
    assert len(re.findall(rf"^FAILED {re.escape(name)}::", report, re.M)) == 1, report
    return section


def test_a_changed_stored_output_names_notebook_cell_and_which_side_is_stored(nbval_run):
    section = check_failure(nbval_run, "changed.ipynb", nbval_run["changed_cell"],
                            "the stored output differs from a new run of the notebook")
    assert "lines starting with - are stored in the notebook file, lines starting with + come from the new run" \
        in section, section
    assert "--- stdout stream, stored in the notebook\n" in section and "+++ stdout stream, new run\n" in section
    stored = next(line for line in section.splitlines() if PLANTED_TEXT in line)
    assert stored.lstrip().startswith("-" + PLANTED_TEXT), section


def test_a_stale_output_after_a_code_edit_says_to_re_run_the_notebook(nbval_run):
    section = check_failure(nbval_run, "stale.ipynb", nbval_run["stale_cell"],
                            "the stored output differs from a new run of the notebook")
    assert f"Cell {nbval_run['stale_cell']} source:" in section and f'print("{STALE_TEXT}")' in section
    assert re.search(rf"^\s*\+{re.escape(STALE_TEXT)}$", section, re.M), section     # the new run's line
    assert "re-run the notebook to store the new outputs" in section, section


def test_a_cell_that_raises_names_notebook_and_cell(nbval_run):
    section = check_failure(nbval_run, "raising.ipynb", nbval_run["raising_cell"],
                            "the cell raised an exception when the notebook was run")
    assert "RuntimeError: planted failure" in section, section
