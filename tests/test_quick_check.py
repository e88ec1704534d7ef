"""`make check NB=...`: an author's quick loop (student copies, rule book, strict build, that
notebook's nbval) stops at the first failing step and names it (the full loop's time is a budget in `make bench`)."""
from __future__ import annotations

import subprocess
import sys

import nbformat

from local_site import copy_course
from notebook_rules import KEY_POINT_PLACEHOLDER


def test_the_quick_loop_stops_at_a_broken_rule_naming_step_notebook_and_cell(root, tmp_path):
    course = copy_course(tmp_path / "course")
    notebook = sorted((course / "notebooks").glob("*.ipynb"))[0]
    node = nbformat.read(notebook, as_version=4)
    node.cells.append(nbformat.v4.new_markdown_cell(f"- {KEY_POINT_PLACEHOLDER}"))
    nbformat.write(node, notebook)
    name = f"notebooks/{notebook.name}"
    result = subprocess.run([sys.executable, "scripts/quick_check.py", name], cwd=course,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{name}: cell {len(node.cells) - 1}: [scaffold-placeholder]" in result.stdout, result.stdout
    assert f"quick check: notebook rules failed for {name}" in result.stdout, result.stdout
    assert f"exercises/{notebook.name}: updated" in result.stdout, "the edited notebook's student copy is refreshed first"
    assert "[student-copy-current]" not in result.stdout, result.stdout
    assert "[3/4] strict build" not in result.stdout, "a failed step must stop the loop"


def test_the_quick_loops_build_fails_on_a_warning_naming_notebook_and_cell(root, tmp_path):
    """A notebook that follows every rule but loads an image from another site passes the
    rules and fails the strict build, as `make build` does."""
    course = copy_course(tmp_path / "course")
    notebook = sorted((course / "notebooks").glob("*.ipynb"))[1]
    node = nbformat.read(notebook, as_version=4)
    node.cells.insert(len(node.cells) - 1, nbformat.v4.new_markdown_cell("![A chart](https://example.org/x.png)"))
    nbformat.write(node, notebook)
    name = f"notebooks/{notebook.name}"
    result = subprocess.run([sys.executable, "scripts/quick_check.py", name], cwd=course,
                            capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"quick check: strict build failed for {name}" in output, output
    assert f"{name}: cell {len(node.cells) - 2} loads https://example.org/x.png from another site" in output, output


def test_the_quick_loop_refuses_a_notebook_that_does_not_exist(root):
    result = subprocess.run([sys.executable, str(root / "scripts" / "quick_check.py"), "notebooks/nope.ipynb"],
                            cwd=root, capture_output=True, text=True)
    assert result.returncode == 2 and "no such notebook: notebooks/nope.ipynb" in result.stderr, result.stderr
