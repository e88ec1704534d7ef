"""`make new-notebook`: a new notebook that follows the conventions, runs, passes nbval and builds,
is listed by git, and cannot be published with the template's placeholder texts still in it.

Works on a copy of the working tree in tmp_path; the real tree is never written.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from local_site import build_site
from course_links import colab_badge_markdown, configured_repository
from new_notebook import build_notebook, stage_for_git
from notebook_rules import SCAFFOLD_PLACEHOLDERS, check_paths, course_notebooks
from run_notebooks import execute
from course_support import copy_working_tree, launch_link_problems, snapshot, tracked_files


def scaffold_placeholder_problems(root: Path) -> list[str]:
    """The rule book's scaffold-placeholder problems for every notebook under `root`."""
    return [str(p) for p in check_paths(course_notebooks(root), ["scaffold-placeholder"], root)]


def run_new_notebook(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(course / "scripts" / "new_notebook.py"), *args],
                          cwd=course, capture_output=True, text=True)


def test_new_notebook_is_numbered_executed_added_to_the_nav_and_builds(root, tmp_path, monkeypatch):
    course = copy_working_tree(root, tmp_path / "course")
    numbers = [int(p.name[:2]) for p in (course / "notebooks").glob("[0-9][0-9]-*.ipynb")]
    expected = f"notebooks/{max(numbers) + 1:02d}-reading-csv-files.ipynb"

    result = run_new_notebook(course, "reading-csv-files", "--title", "Reading CSV files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Created {expected}" in result.stdout and "[2/4] running" in result.stdout
    assert f"  {Path(expected).name}: code cell 1 of 1 (cell 3)\n" in result.stdout, result.stdout
    # git lists it at once, so the launch-link tests accept it; the steps end with committing it.
    assert f"  staged with `git add --intent-to-add {expected}`, so git lists it" in result.stdout, result.stdout
    assert expected in tracked_files(course)
    assert f"`git add {expected} exercises/{Path(expected).name} notebooks/wrong-answers.yml mkdocs.yml`" \
        in result.stdout and "then commit and push" in result.stdout, result.stdout

    cells = nbformat.read(course / expected, as_version=4).cells
    assert cells[0].source == colab_badge_markdown(configured_repository(course / "mkdocs.yml"), expected)
    title = cells[1].source
    assert title.startswith("# Reading CSV files\n") and "> **Learning objectives**\n" in title
    assert configured_repository(course / "mkdocs.yml").pages_url + "chapter-1/colab/" in title
    # The synthetic-data note is prose: it declares nothing to the identifier scan.
    assert cells[2].source.startswith("> **Synthetic data only**\n") and cells[2].metadata == {}
    code = [c for c in cells if c.cell_type == "code"]
    assert code and code[0].execution_count == 1 and code[0].outputs, "the code cell was not run"
    assert cells[-1].source.startswith("> **Key points**")
    # The course's notebook style, apart from the placeholders the author replaces.
    assert not check_paths([course / expected], ["notebook-boxes", "link-text"], root=course)
    # Nav: the last entry of the chapter's Notebooks section.
    nav = (course / "mkdocs.yml").read_text()
    assert re.search(r"- notebooks/\d\d-[a-z0-9-]+\.ipynb\n(\s+)- " + re.escape(expected) + "\n", nav), nav

    # Its stored outputs pass nbval, as in `make test`.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    nbval = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                            "-o", "addopts=", "--nbval", "--nbval-current-env", expected],
                           cwd=course, capture_output=True, text=True, env=env)
    assert nbval.returncode == 0, nbval.stdout + nbval.stderr

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    build = build_site(course, tmp_path / "site")
    assert build.returncode == 0, build.stdout + build.stderr
    page = tmp_path / "site" / "notebooks" / Path(expected).stem / "index.html"
    assert page.read_text().count('<nav class="launch-bar"') == 1
    problems, counts = launch_link_problems(tmp_path / "site", configured_repository(course / "mkdocs.yml"),
                                            tracked_files(course))
    assert not problems, "\n".join(problems)

    # It takes a number of its own.
    assert not check_paths(course_notebooks(course), ["duplicate-number"], course)

    # Until the author writes it, the placeholder guard refuses it.
    assert any(p.startswith(f"{expected}: cell 1: [scaffold-placeholder] still has the template's placeholder")
               for p in scaffold_placeholder_problems(course)), scaffold_placeholder_problems(course)


@pytest.fixture(scope="module")
def pristine_copy(root, tmp_path_factory) -> Path:
    return copy_working_tree(root, tmp_path_factory.mktemp("course"))


@pytest.mark.parametrize(("name", "message"), [
    ("", "NAME is empty"),
    ("Bad Name", "NAME 'Bad Name' is not a slug"),
    ("double--hyphen", "NAME 'double--hyphen' is not a slug"),
    ("../escape", "NAME '../escape' is not a slug"),
    ("-leading", "NAME '-leading' is not a slug"),
    ("07-numbered", "NAME '07-numbered' starts with a number"),
    ("x" * 61, "is not a slug"),
])
def test_new_notebook_refuses_a_malformed_name_and_changes_nothing(pristine_copy, name, message):
    before = snapshot(pristine_copy)
    result = run_new_notebook(pristine_copy, name)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "nothing was changed" in result.stderr, result.stderr
    assert snapshot(pristine_copy) == before


def test_new_notebook_refuses_a_name_already_taken_and_changes_nothing(pristine_copy):
    existing = sorted((pristine_copy / "notebooks").glob("[0-9][0-9]-*.ipynb"))[0]
    name = existing.stem[3:]
    before = snapshot(pristine_copy)
    result = run_new_notebook(pristine_copy, name)
    assert result.returncode == 2
    assert f"a notebook named {name!r} already exists: notebooks/{existing.name}" in result.stderr, result.stderr
    assert snapshot(pristine_copy) == before


def test_no_notebook_keeps_the_scaffold_placeholders(root):
    problems = scaffold_placeholder_problems(root)
    assert not problems, "\n".join(problems)


def test_the_placeholder_guard_names_notebook_and_cell_of_a_fresh_scaffold(tmp_path):
    relative = "notebooks/01-fresh.ipynb"
    (tmp_path / "notebooks").mkdir()
    nbformat.write(build_notebook(relative, "Fresh"), tmp_path / relative)
    problems = scaffold_placeholder_problems(tmp_path)
    # Every placeholder of a cell is listed in one run, not only the first.
    rule = "[scaffold-placeholder] still has the template's placeholder"
    assert problems == [
        f"{relative}: cell 1: {rule} {SCAFFOLD_PLACEHOLDERS[0]!r}; write the notebook's own text there",
        f"{relative}: cell 1: {rule} {SCAFFOLD_PLACEHOLDERS[1]!r}; write the notebook's own text there",
        f"{relative}: cell 1: {rule} {SCAFFOLD_PLACEHOLDERS[2]!r}; write the notebook's own text there",
        f"{relative}: cell 3: {rule} {SCAFFOLD_PLACEHOLDERS[3]!r}; write the notebook's own text there",
        f"{relative}: cell 4: {rule} {SCAFFOLD_PLACEHOLDERS[4]!r}; write the notebook's own text there",
    ], problems
    # Every marker is in the template; a marker the template lost would guard nothing.
    text = (tmp_path / relative).read_text()
    assert all(json.dumps(marker)[1:-1] in text for marker in SCAFFOLD_PLACEHOLDERS)


def test_outside_git_the_new_notebook_is_not_staged_and_the_output_says_what_to_run(tmp_path):
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "01-x.ipynb"
    path.write_text("{}")
    assert stage_for_git(path, tmp_path) == "not in a git work tree: `git add notebooks/01-x.ipynb` once it is one"


def refusal(nb, path: Path) -> str:
    """What `make notebooks` says when it will not store a run of `nb` (written to `path`);
    the file must be left exactly as it was."""
    nbformat.write(nb, path)
    before = path.read_bytes()
    with pytest.raises(SystemExit) as failure:
        execute(path)
    assert path.read_bytes() == before, f"{path} was changed"
    return str(failure.value)


def test_a_failing_cell_is_named_by_notebook_and_cell_and_the_notebook_is_left_as_it_was(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell("Text."), nbformat.v4.new_code_cell("1 / 0")]
    path = tmp_path / "broken.ipynb"
    message = refusal(nb, path)
    assert message.startswith(f"{path}: code cell 2 of 2 (cell 3) failed; the notebook was not changed."), message
    assert "ZeroDivisionError" in message
    assert "\x1b[" not in message, "no terminal colour codes when the output is not a terminal"


def test_a_missing_package_points_to_the_rule_book(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import no_such_package_in_colab")])
    path = tmp_path / "imports.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(SystemExit) as failure:
        execute(path)
    assert f"`make lint-notebooks NB={path}`" in str(failure.value), failure.value


def test_a_notebook_that_installs_software_is_refused_before_any_cell_runs(tmp_path):
    """`make notebooks` never runs an install: it would change this machine's own Python."""
    marker = tmp_path / "ran"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').close()"),
        nbformat.v4.new_code_cell("%pip install -q lifelines")])
    path = tmp_path / "installs.ipynb"
    message = refusal(nb, path)
    assert "installs.ipynb: cell 1: [installs-nothing] line 1: `%pip install -q lifelines` installs software" \
        in message and message.endswith(f"{path}: not run, and not changed."), message
    assert not marker.exists(), "a cell ran"


def test_the_next_number_is_never_one_already_used(tmp_path):
    from new_notebook import next_number
    for name in ("01-a.ipynb", "03-b.ipynb", "3-c.ipynb", "notes.ipynb", "10-later.txt"):
        (tmp_path / name).write_text("{}")
    assert next_number(tmp_path) == 4
    used = {int(p.name.split("-")[0]) for p in tmp_path.glob("[0-9]*-*.ipynb")}
    assert next_number(tmp_path) not in used
