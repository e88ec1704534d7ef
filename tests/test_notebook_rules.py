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


# --- The course's notebook style: the chapter pages' boxes, and links with text ---------------

def styled_notebook(title_cell: str, note: str, last: str, note_tags=("synthetic-data",)):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("[![Open In Colab](badge.svg)](https://colab.example/nb)"),
                nbformat.v4.new_markdown_cell(title_cell),
                nbformat.v4.new_markdown_cell(note, metadata={"tags": list(note_tags)}),
                nbformat.v4.new_code_cell("print(1)"),
                nbformat.v4.new_markdown_cell(last)]
    return nb


STYLED_TITLE = ("# A notebook\n\nWhat it does.\n\n> **Learning objectives**\n>\n> After this notebook you can:\n"
                ">\n> - do one thing.\n\nPart of the course: [Health data caution](https://example.org/caution/)")
STYLED_NOTE = "> **Synthetic data only**\n>\n> Every value is made up."
STYLED_LAST = "> **Key points**\n>\n> - One thing."


def problems_of(tmp_path, nb, rules=("notebook-boxes", "link-text")) -> list[str]:
    path = tmp_path / "planted.ipynb"
    nbformat.write(nb, path)
    return [str(p) for p in check_paths([path], rules, root=tmp_path)]


def test_a_notebook_in_the_course_style_follows_the_style_rules(tmp_path):
    assert problems_of(tmp_path, styled_notebook(STYLED_TITLE, STYLED_NOTE, STYLED_LAST)) == []


def test_the_old_notebook_styles_are_each_named_with_cell_and_rule(tmp_path):
    old_title = ("# A notebook\n\nWhat it does.\n\n**Learning objectives.** After this notebook you can:\n\n"
                 "- do one thing.\n\nPart of the course: <https://example.org/caution/>")
    old_note = "**About the data.** Every value is made up."
    old_last = "## Key points\n\n- One thing."
    problems = problems_of(tmp_path, styled_notebook(old_title, old_note, old_last))
    expected = [
        "planted.ipynb: [notebook-boxes] 0 data notes;",
        "planted.ipynb: cell 1: [link-text] the link https://example.org/caution/ shows its raw address;",
        "planted.ipynb: cell 1: [notebook-boxes] 0 Learning objectives boxes;",
        "planted.ipynb: cell 1: [notebook-boxes] '**Learning objectives**' opens a plain paragraph;",
        "planted.ipynb: cell 2: [notebook-boxes] '**About the data**' opens a plain paragraph;",
        "planted.ipynb: cell 4: [notebook-boxes] 'Key points' is a heading; make it the box '> **Key points**'",
        "planted.ipynb: cell 4: [notebook-boxes] the last cell must be the Key points box:",
    ]
    assert len(problems) == len(expected), "\n".join(problems)
    for line, start in zip(sorted(problems), sorted(expected)):
        assert line.startswith(start), f"{line!r} does not start with {start!r}"


def test_a_box_in_the_wrong_place_or_without_its_tag_is_named(tmp_path):
    nb = styled_notebook(STYLED_TITLE, STYLED_NOTE, STYLED_LAST, note_tags=())
    nb.cells.insert(3, nbformat.v4.new_markdown_cell("> **Learning objectives.** Inline, not a box label."))
    nb.cells.append(nbformat.v4.new_markdown_cell("A closing remark after the key points."))
    problems = problems_of(tmp_path, nb, ["notebook-boxes"])
    assert "planted.ipynb: cell 2: [notebook-boxes] the data note's cell needs the tag 'synthetic-data' " \
           "(the identifier scan reads it)" in problems, problems
    assert any(p.startswith("planted.ipynb: cell 3: [notebook-boxes] '**Learning objectives**' opens a plain "
                            "paragraph") for p in problems), problems
    assert any(p.startswith("planted.ipynb: cell 6: [notebook-boxes] the last cell must be the Key points box; "
                            "found in cell(s) 5") for p in problems), problems
