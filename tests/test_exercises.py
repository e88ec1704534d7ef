"""Exercises: every notebook has them, their solutions pass, the student copies in
exercises/ are current, leave the solutions out and run top to bottom with every
check saying "Not yet", and each guard names file and cell on a planted defect.

The convention is in hooks/exercises.py; the rules in scripts/notebook_rules.py;
the copies are written by scripts/student_copies.py (`make student-copies`).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient

import fork
import student_copies
from course_links import (
    Launchers, colab_url, configured_repository, exercise_links, repository_being_built, student_copy_path,
)
from exercises import CHECK, CORRECT, NOT_YET, SOLUTION, STARTER, TASK, exercise_roles
from notebook_rules import Course, Notebook, check_cells, check_paths, course_notebooks, output_text
from run_notebooks import local_kernel_config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COPIES = sorted((ROOT / "exercises").glob("*.ipynb"))


def roles(path: Path) -> list[tuple[int, str]]:
    nb = nbformat.read(path, as_version=4)
    return [(index, role) for index, cell in enumerate(nb.cells) for role in exercise_roles(cell)]


def sandbox(tmp_path: Path) -> Path:
    """What the copies are made from (mkdocs.yml, notebooks/, exercises/) in a folder of its own."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("notebooks", "exercises"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def problems_in(root: Path, rules: list[str]) -> list[str]:
    return [str(p) for p in check_paths(course_notebooks(root), rules, root)]


# --- the course's notebooks and copies --------------------------------------------------

@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_stored_solution_passes_its_check_and_every_check_alone_says_not_yet(notebook):
    nb = nbformat.read(notebook, as_version=4)
    for index, cell in enumerate(nb.cells):
        text = output_text(cell).strip().splitlines() if cell.cell_type == "code" else []
        if SOLUTION in exercise_roles(cell):
            assert text and text[-1].startswith(CORRECT), f"notebooks/{notebook.name}: cell {index}: {text}"
        if CHECK in exercise_roles(cell):
            assert text and text[0].startswith(NOT_YET), f"notebooks/{notebook.name}: cell {index}: {text}"


def test_every_notebook_has_a_current_student_copy():
    assert [p.name for p in COPIES] == [p.name for p in NOTEBOOKS]
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "student_copies.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("copy", COPIES, ids=lambda p: p.name)
def test_a_student_copy_has_no_solution_and_its_badge_opens_the_copy(copy):
    nb = nbformat.read(copy, as_version=4)
    assert not [i for i, role in roles(copy) if role == SOLUTION], f"exercises/{copy.name} has solution cells"
    source = nbformat.read(ROOT / "notebooks" / copy.name, as_version=4)
    for cell in source.cells:
        if SOLUTION in exercise_roles(cell):
            assert not any(cell.source in other.source for other in nb.cells), \
                f"exercises/{copy.name} holds the solution {cell.source[:60]!r}"
    expected = colab_url(configured_repository(ROOT / "mkdocs.yml"), f"exercises/{copy.name}")
    assert expected in nb.cells[0].source, f"exercises/{copy.name}: cell 0: {nb.cells[0].source!r}"
    assert [r for _, r in roles(copy)].count(TASK) == [r for _, r in roles(ROOT / "notebooks" / copy.name)].count(TASK)


@pytest.mark.parametrize("copy", COPIES, ids=lambda p: p.name)
def test_a_student_copy_runs_top_to_bottom_with_every_check_saying_not_yet(copy, tmp_path):
    """Run as a learner who answers nothing: no cell fails, and each check prints a plain
    "Not yet: ..." line on standard output, no traceback and nothing on standard error."""
    nb = nbformat.read(copy, as_version=4)
    with local_kernel_config() as config:
        client = NotebookClient(nb, timeout=120, kernel_name="python3", coalesce_streams=True, config=config,
                                resources={"metadata": {"path": str(tmp_path)}})
        client.execute()
    checks = [(index, cell) for index, cell in enumerate(nb.cells) if CHECK in exercise_roles(cell)]
    assert len(checks) >= 2
    for index, cell in checks:
        where = f"exercises/{copy.name}: cell {index}"
        kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
        assert kinds == [("stream", "stdout")], f"{where}: outputs {kinds}: {cell.outputs}"
        lines = cell.outputs[0].text.strip().splitlines()
        assert len(lines) >= 1 and lines[0].startswith(f"{NOT_YET}: "), f"{where}: {lines}"
        assert not any(CORRECT in line or "Traceback" in line for line in lines), f"{where}: {lines}"


# Mistakes students make, per notebook (notebooks/wrong-answers.yml; the rule book's
# `wrong-answers` rule requires one for every check): each answer runs in the student
# copy right after its exercise's check cell, followed by the check again, which
# answers with "Not yet: ..." and advice about that mistake.

def with_wrong_answers(copy: Path) -> tuple[nbformat.NotebookNode, list]:
    """The copy with each of its wrong answers (and the check again) after its check cell,
    and the (answer, advice) pairs in notebook order."""
    course = Course(ROOT)
    cases = [(case["check"], case["answer"], case["advice"]) for case in course.wrong_answers.get(copy.name) or []]
    notebook = Notebook.read(copy, course=course)
    nb = notebook.node
    tried = []
    for function, index in sorted(check_cells(notebook).items(), key=lambda item: -item[1]):   # from the end
        added = [(answer, advice) for name, answer, advice in cases if name == function]
        nb.cells[index + 1:index + 1] = [new for answer, _ in added for new in
                                         (nbformat.v4.new_code_cell(answer), nbformat.v4.new_code_cell(f"{function}()"))]
        tried = added + tried
    return nb, tried


@pytest.mark.parametrize("copy", COPIES, ids=lambda p: p.name)
def test_a_common_wrong_answer_gets_not_yet_and_advice_about_it(copy, tmp_path):
    nb, tried = with_wrong_answers(copy)
    assert tried, f"exercises/{copy.name}: no wrong answer to try (make lint-notebooks names the checks)"
    with local_kernel_config() as config:
        client = NotebookClient(nb, timeout=120, kernel_name="python3", coalesce_streams=True, config=config,
                                resources={"metadata": {"path": str(tmp_path)}}, allow_errors=True)
        client.execute()
    answers = {answer: index for index, cell in enumerate(nb.cells) for answer, _ in tried if cell.source == answer}
    for answer, advice in tried:
        after = nb.cells[answers[answer] + 1]
        text = "".join(o.get("text", "") + "".join(o.get("traceback", [])) for o in after.outputs)
        where = f"exercises/{copy.name}, the check after `{answer.splitlines()[-1].strip()}`"
        assert text.startswith(f"{NOT_YET}: ") and "Traceback" not in text and advice in text, \
            f"{where} printed {text!r}; expected Not yet: ... {advice!r}"


def test_student_copies_pass_the_leak_guards():
    import clean_notebooks
    result = clean_notebooks.check(COPIES)
    assert result.returncode == 0, result.stdout + result.stderr
    scan = subprocess.run([sys.executable, str(ROOT / "scripts" / "scan_identifiers.py"), *map(str, COPIES)],
                          capture_output=True, text=True, cwd=ROOT)
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert all(f"exercises/{p.name}" in scan.stdout for p in COPIES), scan.stdout


# --- planted defects: each fails, naming file and cell ------------------------------------

def first(path: Path, role: str) -> int:
    return next(index for index, r in roles(path) if r == role)


def with_exercises(number: int) -> Path:
    """The course's `number`th notebook (from 0) among those that have exercises: a
    defect is planted in one that has them (the rule exercises-present names the others)."""
    found = [path for path in NOTEBOOKS if any(role == TASK for _, role in roles(path))]
    assert found and len(found) > number, (f"planting this defect needs {number + 1} notebooks with exercises; "
                                 f"these have them: {[p.name for p in found]}")
    return found[number]


def test_a_solution_left_in_a_student_copy_fails_naming_copy_and_cell(tmp_path):
    root = sandbox(tmp_path)
    name = with_exercises(0).name
    source = nbformat.read(root / "notebooks" / name, as_version=4)
    solution = source.cells[first(root / "notebooks" / name, SOLUTION)]
    copy_path = root / "exercises" / name
    copy = nbformat.read(copy_path, as_version=4)
    at = first(copy_path, CHECK) + 1
    copy.cells.insert(at, solution)
    nbformat.write(copy, copy_path)
    problems = problems_in(root, ["solution-leak", "exercise-order"])
    assert any(p.startswith(f"exercises/{name}: cell {at}: [solution-leak]") for p in problems), problems
    assert any(p.startswith(f"exercises/{name}: cell {at}: [exercise-order]") for p in problems), problems


def test_solution_text_pasted_into_a_starter_of_a_copy_fails_naming_copy_and_cell(tmp_path):
    root = sandbox(tmp_path)
    name = with_exercises(-1).name
    source = nbformat.read(root / "notebooks" / name, as_version=4)
    solution = source.cells[first(root / "notebooks" / name, SOLUTION)]
    copy_path = root / "exercises" / name
    copy = nbformat.read(copy_path, as_version=4)
    at = first(copy_path, STARTER)
    copy.cells[at].source += "\n" + solution.source   # still tagged as a starter: only the text betrays it
    nbformat.write(copy, copy_path)
    problems = problems_in(root, ["solution-leak"])
    assert any(p.startswith(f"exercises/{name}: cell {at}: [solution-leak] holds solution text from "
                            f"notebooks/{name}") for p in problems), problems


def test_a_stale_copy_fails_naming_it_and_the_cell_that_differs(tmp_path):
    root = sandbox(tmp_path)
    name = with_exercises(1).name
    path = root / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    at = first(path, TASK)
    nb.cells[at].source += "\n\nOne more sentence in the task."
    nbformat.write(nb, path)
    in_copy = at + 1   # the copy has its note under the badge
    problems = problems_in(root, ["student-copy-current"])
    assert problems and problems[0].startswith(f"exercises/{name}: cell {in_copy}: [student-copy-current] is stale"), problems
    result = subprocess.run([sys.executable, "-c", "import sys, student_copies; "
                             f"sys.exit(student_copies.main(['--check'], root=__import__('pathlib').Path({str(root)!r})))"],
                            capture_output=True, text=True, cwd=ROOT / "scripts")
    assert result.returncode == 1 and f"exercises/{name}: cell {in_copy}: is stale" in result.stdout, result.stdout
    assert "make student-copies" in result.stdout
    # Writing the copies brings it back in step; the notebook itself is left as it is.
    before = path.read_bytes()
    assert student_copies.write_copies(root) == 0
    assert problems_in(root, ["student-copy-current"]) == [] and path.read_bytes() == before


def test_a_missing_and_a_left_over_copy_are_named(tmp_path):
    root = sandbox(tmp_path)
    (root / "exercises" / with_exercises(0).name).unlink()
    shutil.copy2(root / "exercises" / with_exercises(1).name, root / "exercises" / "99-gone.ipynb")
    problems = problems_in(root, ["student-copy-current"])
    assert any(p.startswith(f"exercises/{with_exercises(0).name}: [student-copy-current] is missing")
               for p in problems)
    assert any(p.startswith("exercises/99-gone.ipynb: [student-copy-current] is left over") for p in problems)


def test_an_exercise_without_a_check_fails_naming_notebook_and_cell(tmp_path):
    root = sandbox(tmp_path)
    name = with_exercises(2).name
    path = root / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    task, check = first(path, TASK), first(path, CHECK)
    del nb.cells[check]
    nbformat.write(nb, path)
    problems = problems_in(root, ["exercise-order"])
    assert f"notebooks/{name}: cell {task}: [exercise-order] this exercise has no check cell: " \
           f"cell {check} is tagged 'solution'" in "\n".join(problems), problems


def test_a_check_that_raises_or_has_no_message_fails_naming_notebook_and_cell(tmp_path):
    root = sandbox(tmp_path)
    name = with_exercises(3).name
    path = root / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    check = first(path, CHECK)
    nb.cells[check].source = "assert first_gpu_name(['Tesla T4, 15360 MiB']) == 'Tesla T4'"
    nbformat.write(nb, path)
    problems = [p for p in problems_in(root, ["exercise-check-message"]) if p.startswith(f"notebooks/{name}: cell {check}: ")]
    text = "\n".join(problems)
    assert "has no 'Correct' message" in text and "has no 'Not yet' message" in text, problems
    assert "uses `assert` (line 1)" in text, problems


def test_a_solution_that_does_not_pass_its_check_fails_naming_notebook_and_cell(tmp_path):
    root = sandbox(tmp_path)
    name = with_exercises(4).name
    path = root / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    solution = first(path, SOLUTION)
    nb.cells[solution].outputs = [nbformat.v4.new_output("stream", name="stdout", text="Not yet: wrong.\n")]
    nbformat.write(nb, path)
    problems = problems_in(root, ["solution-passes"])
    assert any(p.startswith(f"notebooks/{name}: cell {solution}: [solution-passes]") for p in problems), problems


def test_tags_out_of_order_are_named(tmp_path):
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell("task"), nbformat.v4.new_code_cell("x = None"),
             nbformat.v4.new_code_cell("print('Correct: y')"), nbformat.v4.new_markdown_cell("a solution?")]
    for cell, tag in zip(cells, [STARTER, TASK, CHECK, SOLUTION]):
        cell.metadata["tags"] = [tag]
    nb.cells = cells
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "x.ipynb"
    nbformat.write(nb, path)
    problems = [str(p) for p in check_paths([path], ["exercise-order"], tmp_path)]
    text = "\n".join(problems)
    assert "notebooks/x.ipynb: cell 0: [exercise-order] is a markdown cell tagged" not in text
    assert "notebooks/x.ipynb: cell 0: [exercise-order] is tagged 'starter' but is a markdown cell" in text, text
    assert "notebooks/x.ipynb: cell 1: [exercise-order] is tagged 'exercise' but is a code cell" in text, text
    assert "notebooks/x.ipynb: cell 3: [exercise-order] is tagged 'solution' but is a markdown cell" in text, text


def test_a_notebook_without_exercises_gets_a_plain_copy_and_no_exercises_link(tmp_path):
    root = sandbox(tmp_path)
    path = root / "notebooks" / NOTEBOOKS[0].name
    nb = nbformat.read(path, as_version=4)
    nb.cells = [cell for cell in nb.cells if not exercise_roles(cell)]
    nbformat.write(nb, path)
    copy = nbformat.reads(student_copies.copy_text(path, root), as_version=4)
    assert copy.cells[1].source.startswith("**Student copy.** This notebook has no exercises yet")
    assert [c.source for c in copy.cells[2:]] == [c.source for c in nb.cells[1:]]
    from mkdocs.theme import Theme
    from notebook_page import LAUNCH_BAR, render_launch_bar
    template = Theme(name="material", custom_dir=str(ROOT / "overrides")).get_env().get_template(LAUNCH_BAR)
    common = dict(repository=configured_repository(root / "mkdocs.yml"), notebook=f"notebooks/{path.name}",
                  download_href="x.ipynb", caution_href="../caution/")
    bar = render_launch_bar(template, **common)
    assert "Open in Colab" in bar and "exercises/" not in bar and "Open with solutions" not in bar
    bar = render_launch_bar(template, **common, exercises=True)
    student_copy = exercise_links(Launchers(), common["repository"], common["notebook"])["exercises"]
    assert f'href="{student_copy}"' in bar and "Open with solutions" in bar


def test_the_exercise_links_follow_the_colab_setting_and_encode_branch_and_name(root):
    """"Open exercises in Colab" and "Open with solutions" are Colab's links: none when
    extra.course.colab is off, and percent-encoded like every other course link."""
    from mkdocs.theme import Theme
    from notebook_page import LAUNCH_BAR, render_launch_bar
    from course_links import Launchers, Repository, exercise_links
    template = Theme(name="material", custom_dir=str(root / "overrides")).get_env().get_template(LAUNCH_BAR)
    repository = Repository("alice/course", "spring 2026#1")
    notebook = "notebooks/06-résumé #2.ipynb"
    common = dict(repository=repository, notebook=notebook, download_href="x.ipynb",
                  caution_href="../caution/", exercises=True)
    links = exercise_links(Launchers(), repository, notebook)
    assert links == {
        "exercises": "https://colab.research.google.com/github/alice/course/blob/spring%202026%231/"
                     "exercises/06-r%C3%A9sum%C3%A9%20%232.ipynb",
        "solutions": "https://colab.research.google.com/github/alice/course/blob/spring%202026%231/"
                     "notebooks/06-r%C3%A9sum%C3%A9%20%232.ipynb",
    }
    bar = BeautifulSoup(render_launch_bar(template, **common), "html.parser")
    hrefs = {a.get_text(strip=True): a["href"] for a in bar.select("a")}
    assert hrefs["Open exercises in Colab"] == links["exercises"], hrefs
    assert hrefs["Open with solutions"] == links["solutions"], hrefs
    off = Launchers(colab=False)
    assert exercise_links(off, repository, notebook) == {}
    bar = BeautifulSoup(render_launch_bar(template, **common, launchers=off), "html.parser")
    texts = [a.get_text(strip=True) for a in bar.select("a.launch-bar__link")]
    assert texts == ["Launch on Binder", "Download .ipynb", "View source on GitHub"], texts
    assert "colab.research.google.com" not in str(bar)


# --- make fork re-points the copies' badges ----------------------------------------------

def test_make_fork_repoints_the_copies_badges_and_leaves_them_current(tmp_path, capsys):
    root = sandbox(tmp_path)
    assert fork.main(["alice/course", "--branch", "teaching"], root=root) == 0
    assert "exercises/" in capsys.readouterr().out
    for copy in sorted((root / "exercises").glob("*.ipynb")):
        badge = nbformat.read(copy, as_version=4).cells[0].source
        assert "github/alice/course/blob/teaching/exercises/" + copy.name in badge, badge
    assert student_copies.stale_copies(root) == []


# --- on the site ---------------------------------------------------------------------------

@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_the_site_folds_every_solution_and_offers_both_colab_links(built_site, notebook):
    page = built_site / "notebooks" / notebook.stem / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    solutions = [index for index, role in roles(notebook) if role == SOLUTION]
    folds = soup.select("details.exercise-solution")
    assert len(folds) == len(solutions), f"{page}: {len(folds)} folded solutions for {len(solutions)}"
    for fold in folds:
        assert not fold.has_attr("open")
        assert fold.find("summary").get_text(strip=True) == "Show solution"
        assert fold.select(".exercise-solution__body .celltag_solution[id]")
        # under its exercise: right after the check cell
        before = fold.find_previous_sibling(class_="jp-Notebook-cell")
        assert before is not None and "celltag_check" in before.get("class", []), f"{page}: a fold not after a check"
    repository = repository_being_built(configured_repository(ROOT / "mkdocs.yml"))
    links = {a.get_text(strip=True): a["href"] for a in soup.select("nav.launch-bar a")}
    name = f"notebooks/{notebook.name}"
    assert links.get("Open exercises in Colab") == colab_url(repository, student_copy_path(name)), links
    assert links.get("Open with solutions") == colab_url(repository, name), links
    assert "Open in Colab" not in links, links


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_site_search_does_not_index_the_solutions(built_site):
    """No distinctive line of any solution is in the search index; the exercises' own
    cells are (found the same way, so the search below can find code)."""
    import json
    from notebook_rules import Notebook, _distinctive_solution_lines
    docs = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    indexed = _squeezed(" ".join(BeautifulSoup(doc["text"], "html.parser").get_text(" ") for doc in docs))
    for path in NOTEBOOKS:
        if not any(role == CHECK for _, role in roles(path)):
            continue   # no exercises: the rule exercises-present says so
        notebook = Notebook(f"notebooks/{path.name}", nbformat.read(path, as_version=4), path)
        leaked = [line for line in _distinctive_solution_lines(notebook) if _squeezed(line) in indexed]
        assert not leaked, f"notebooks/{path.name}: the search index holds solution text {leaked}"
        check = notebook.cells[first(path, CHECK)].source.splitlines()[0]
        assert _squeezed(check) in indexed, f"notebooks/{path.name}: the check {check!r} is not searchable"
