"""The notebook rule book (scripts/notebook_rules.py): the course's notebooks follow
every rule, and each rule names file, cell and rule id on a planted defect."""
from __future__ import annotations

import subprocess
import sys

import nbformat

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
