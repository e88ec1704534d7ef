"""`make new-notebook`: a new notebook that follows the conventions, runs, passes nbval and builds.

Works on a copy of the working tree in tmp_path; the real tree is never written.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_site
from course_links import colab_badge_markdown, configured_repository
from test_fork import copy_working_tree, snapshot


def run_new_notebook(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(course / "scripts" / "new_notebook.py"), *args],
                          cwd=course, capture_output=True, text=True)


def test_new_notebook_is_numbered_executed_added_to_the_nav_and_builds(root, tmp_path, monkeypatch):
    course = copy_working_tree(root, tmp_path / "course")
    numbers = [int(p.name[:2]) for p in (course / "notebooks").glob("[0-9][0-9]-*.ipynb")]
    expected = f"notebooks/{max(numbers) + 1:02d}-reading-csv-files.ipynb"

    result = run_new_notebook(course, "reading-csv-files", "--title", "Reading CSV files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Created {expected}" in result.stdout and "[2/3] running" in result.stdout

    cells = json.loads((course / expected).read_text())["cells"]
    assert "".join(cells[0]["source"]) == colab_badge_markdown(configured_repository(course / "mkdocs.yml"),
                                                                  expected)
    title = "".join(cells[1]["source"])
    assert title.startswith("# Reading CSV files\n") and "By the end of this notebook you will be able to:" in title
    assert configured_repository(course / "mkdocs.yml").pages_url + "chapter-1/colab/" in title
    assert cells[2]["metadata"] == {"tags": ["synthetic-data"]}
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and code[0]["execution_count"] == 1 and code[0]["outputs"], "the code cell was not run"
    assert "".join(cells[-1]["source"]).startswith("## Key points")
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
