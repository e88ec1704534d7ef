"""The notebook rule book (scripts/notebook_rules.py): the course's notebooks follow
every rule, and each rule names file, cell and rule id on a planted defect."""
from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat

from course_links import configured_course, published_site_url
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


# --- The course's notebook style: the chapter pages' boxes, and links with text ---------------

def styled_notebook(title_cell: str, note: str, last: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("[![Open In Colab](badge.svg)](https://colab.example/nb)"),
                nbformat.v4.new_markdown_cell(title_cell),
                nbformat.v4.new_markdown_cell(note),
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


def test_a_box_in_the_wrong_place_is_named(tmp_path):
    nb = styled_notebook(STYLED_TITLE, STYLED_NOTE, STYLED_LAST)
    nb.cells[2], nb.cells[3] = nb.cells[3], nb.cells[2]          # the data note after the code
    nb.cells.insert(3, nbformat.v4.new_markdown_cell("> **Learning objectives.** Inline, not a box label."))
    nb.cells.append(nbformat.v4.new_markdown_cell("A closing remark after the key points."))
    problems = problems_of(tmp_path, nb, ["notebook-boxes"])
    assert "planted.ipynb: cell 4: [notebook-boxes] the data note comes after the first code cell (cell 2); " \
           "move it before" in problems, problems
    assert any(p.startswith("planted.ipynb: cell 3: [notebook-boxes] '**Learning objectives**' opens a plain "
                            "paragraph") for p in problems), problems
    assert any(p.startswith("planted.ipynb: cell 6: [notebook-boxes] the last cell must be the Key points box; "
                            "found in cell(s) 5") for p in problems), problems


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


# --- Notebooks as stored: run top to bottom, linking to the hosted site ----------------------

def test_a_cell_never_run_or_run_out_of_order_is_named_with_the_command_that_fixes_it(root, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", execution_count=1),
                nbformat.v4.new_markdown_cell("Between the cells."),
                nbformat.v4.new_code_cell("print(x)")]
    assert problems_of(tmp_path, nb, ["executed-in-order"]) == [
        "planted.ipynb: cell 2: [executed-in-order] has never been run (no execution count, no stored output); "
        "run the notebook top to bottom with `make notebooks NB=planted.ipynb`"]
    nb.cells[2].execution_count = 3
    assert problems_of(tmp_path, nb, ["executed-in-order"]) == [
        "planted.ipynb: cell 2: [executed-in-order] was run out of order (execution count 3 after 1); run the "
        "notebook top to bottom with `make notebooks NB=planted.ipynb`"]
    nb.cells[2].execution_count = 2
    assert problems_of(tmp_path, nb, ["executed-in-order"]) == []


def test_a_relative_link_in_a_notebook_is_named_with_the_sites_address(root, tmp_path):
    shutil.copy2(root / "mkdocs.yml", tmp_path / "mkdocs.yml")
    site = published_site_url(configured_course(tmp_path / "mkdocs.yml")).rstrip("/") + "/"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        f"See [the caution page]({site}chapter-1/colab/health-data-caution/), [above](#top) and "
        "[occupancy](../chapter-1/colab/occupancy.md).")]
    assert problems_of(tmp_path, nb, ["absolute-links"]) == [
        "planted.ipynb: cell 0: [absolute-links] the link '../chapter-1/colab/occupancy.md' is relative, and "
        f"leads nowhere in Colab or on GitHub; link to the page on the course site, {site}PAGE/"]


def test_a_notebook_with_fewer_than_two_exercises_is_named(root, tmp_path):
    nb = nbformat.read(root / "notebooks" / "01-colab-quick-start.ipynb", as_version=4)
    first_task = next(i for i, cell in enumerate(nb.cells) if "exercise" in cell.metadata.get("tags", []))
    nb.cells = nb.cells[:first_task]
    assert problems_of(tmp_path, nb, ["exercises-present"]) == [
        "planted.ipynb: [exercises-present] has 0 exercise(s), expected at least 2: each is a Markdown task "
        "tagged 'exercise' and code cells tagged 'starter', 'check' and 'solution' (docs/teach.md, "
        "\"Exercises: task, starter, check and solution\")"]


def test_an_install_in_any_form_is_named_with_notebook_cell_and_line(root, tmp_path):
    """The notebooks run on what Colab has: a cell that installs software is named, whatever
    form the install takes, and a notebook that merely inspects packages passes."""
    installs = ["%pip install -q lifelines", "!pip install seaborn==0.13.2",
                "import sys\n!{sys.executable} -m pip install polars", "!apt-get -qq install -y graphviz",
                "%conda install -y scikit-survival",
                "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'pip', 'install', 'lifelines'])"]
    fine = ["import sys\n!{sys.executable} -m pip show numpy pandas", "# no pip install needed here\nx = 1",
            "def installed(package):\n    return package in {'numpy'}"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in installs + fine]
    problems = problems_of(tmp_path, nb, ["installs-nothing"])
    assert [p.split(": [")[0] for p in problems] == [f"planted.ipynb: cell {i}" for i in range(len(installs))], problems
    assert problems[2].startswith("planted.ipynb: cell 2: [installs-nothing] line 2: `!{sys.executable} -m pip "
                                  "install polars` installs software; the course's notebooks install nothing"), problems


def test_a_check_without_a_wrong_answer_or_a_listed_check_without_a_cell_is_named(root, tmp_path):
    """Every exercise's check has a mistake in notebooks/wrong-answers.yml for the tests to
    try; the rule book (and so `make check` and the commit guard) names one that has none."""
    from notebook_rules import Course, Notebook, check_notebooks

    source = root / "notebooks" / "05-de-identification.ipynb"
    listing = tmp_path / "notebooks" / "wrong-answers.yml"
    listing.parent.mkdir()
    listing.write_text("05-de-identification.ipynb:\n"
                       "  - {check: check_smallest_k, answer: 'x = 1', advice: '-'}\n"
                       "  - {check: check_nothing, answer: 'x = 1', advice: '-'}\n", encoding="utf-8")
    course = Course(tmp_path, wrong_answers_file=listing)
    notebook = Notebook.read(source, "notebooks/05-de-identification.ipynb", course)
    problems = [str(p) for p in check_notebooks([notebook], ["wrong-answers"])]
    generalise = next(i for i, cell in enumerate(notebook.cells) if "def check_generalise_record(" in cell.source)
    assert problems == [
        "notebooks/05-de-identification.ipynb: [wrong-answers] notebooks/wrong-answers.yml lists 'check_nothing' "
        "for this notebook, but no check cell defines it",
        f"notebooks/05-de-identification.ipynb: cell {generalise}: [wrong-answers] no wrong answer for "
        "check_generalise_record in notebooks/wrong-answers.yml: add a mistake students make (check: "
        "check_generalise_record, answer: ..., advice: words its Not yet message must contain)"], problems
