"""The notebook rule book (scripts/notebook_rules.py): the course's notebooks follow
every rule, and each rule names file, cell and rule id on a planted defect."""
from __future__ import annotations

import subprocess
import sys

import nbformat

from course_support import copy_working_tree, tool
from notebook_rules import RULES, check_paths, course_notebooks


def test_every_course_notebook_follows_every_rule(root):
    problems = check_paths(course_notebooks(root), root=root)
    assert not problems, "\n".join(map(str, problems))


def test_the_command_lists_every_problem_with_file_cell_and_rule_and_exits_1(root, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"),
                nbformat.v4.new_markdown_cell("(first thing the reader can do) and "
                                              "(what the reader should remember)")]
    path = tmp_path / "planted.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    result = subprocess.run([sys.executable, str(root / "scripts" / "notebook_rules.py"),
                             "--rule", "scaffold-placeholder", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if ": cell 1: " in line]
    assert len(lines) == 2 and all("[scaffold-placeholder]" in line for line in lines), result.stdout
    assert path.read_bytes() == before


def test_an_unreadable_notebook_is_a_problem_naming_the_file(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    problems = check_paths([path], root=tmp_path)
    assert [(p.path, p.rule) for p in problems] == [("broken.ipynb", "unreadable")]


def test_every_rule_has_an_id_and_a_summary():
    assert RULES
    for rule_id, rule in RULES.items():
        assert rule_id == rule.id and rule.summary and rule.scope in ("notebook", "course")


def numbered_folder(tmp_path, names: list[str]):
    """A notebooks/ folder under tmp_path holding a tiny notebook for each name."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in names:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}")]
        nbformat.write(nb, folder / name)
    return folder


def test_two_notebooks_with_one_number_are_each_reported_with_the_fix(root, tmp_path):
    folder = numbered_folder(tmp_path, ["05-de-identification.ipynb", "06-mine.ipynb", "06-upstream.ipynb"])
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = subprocess.run([sys.executable, str(root / "scripts" / "notebook_rules.py"), *sorted(folder.iterdir())],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    problems = [line for line in result.stdout.splitlines() if "[duplicate-number]" in line]
    assert len(problems) == 2, result.stdout
    mine = next(line for line in problems if line.startswith(f"{folder}/06-mine.ipynb: [duplicate-number] "))
    assert f"has number 06, like {folder}/06-upstream.ipynb" in mine, mine
    assert f"`git mv {folder}/06-mine.ipynb {folder}/07-mine.ipynb`" in mine, mine
    assert "mkdocs.yml's nav" in mine and "make fork REPO=" in mine, mine
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before          # nothing modified


def test_checking_one_notebook_finds_the_other_with_its_number(tmp_path):
    # pre-commit passes only the notebooks of a commit: the merged-in one is found in the folder.
    folder = numbered_folder(tmp_path, ["01-start.ipynb", "2-mine.ipynb", "02-upstream.ipynb", "notes.ipynb"])
    problems = check_paths([folder / "2-mine.ipynb"], ["duplicate-number"], root=tmp_path)
    assert [(p.path, p.rule) for p in problems] == [("notebooks/2-mine.ipynb", "duplicate-number")], problems
    assert "like notebooks/02-upstream.ipynb" in problems[0].message
    assert "`git mv notebooks/2-mine.ipynb notebooks/3-mine.ipynb`" in problems[0].message
    assert not check_paths([folder / "01-start.ipynb", folder / "notes.ipynb"], ["duplicate-number"], root=tmp_path)


def test_the_commit_guard_finds_a_duplicate_number_when_only_the_nav_changes(root, tmp_path):
    # A merge commit that brings in upstream's notebook 06 may have only mkdocs.yml in conflict:
    # the rule-book hook still checks every notebook.
    import os
    import shutil

    repo = copy_working_tree(root, tmp_path / "repo", init_git=False, warm=False)
    (repo / ".venv").symlink_to(root / ".venv")
    source = course_notebooks(repo)[0]
    for name in ("06-mine.ipynb", "06-upstream.ipynb"):
        shutil.copy(source, repo / "notebooks" / name)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    result = subprocess.run([tool("pre-commit"), "run", "notebook-rules", "--files", "mkdocs.yml"],
                            cwd=repo, capture_output=True, text=True, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "notebooks/06-mine.ipynb: [duplicate-number] has number 06, like notebooks/06-upstream.ipynb" \
        in result.stdout, result.stdout
