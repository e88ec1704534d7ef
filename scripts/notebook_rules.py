"""The notebook rule book: every rule a course notebook must satisfy, in one place.

Each rule is a small function registered with an id and a one-line summary:

    @notebook_rule("scaffold-placeholder", "no text left from the new-notebook template")
    def scaffold_placeholder(notebook):
        for index, cell in enumerate(notebook.cells):
            ...
            yield index, "still has the template's placeholder ..."

A notebook rule receives one `Notebook` (its repository path and nbformat
node) and yields `(cell index or None, message)`. A course rule
(`course_rule`) receives every notebook at once, for rules that compare
notebooks with each other, and yields `(Notebook, cell index or None,
message)`. Cells are numbered as nbformat lists them, from 0 (the notebook
tests' `X.ipynb::cell N`, tests/nbval_messages.py, and `make notebooks` count
the same way).

One command runs them (`make lint-notebooks`, pre-commit, the tests):

    python scripts/notebook_rules.py [--rule ID ...] [--list] [NOTEBOOK ...]

Every problem is printed as `notebooks/NAME.ipynb: cell N: [rule-id] message`
and the command exits 1 when there is any; a notebook that cannot be read is
itself a problem naming the file. Nothing is ever modified.
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "hooks"))

from course_links import EXERCISES_FOLDER  # noqa: E402
from exercises import (  # noqa: E402
    CELL_TYPES, CHECK, CORRECT, EXERCISE_TAGS, NOT_YET, SOLUTION, STARTER, TASK, exercise_roles,
)


@dataclass(frozen=True)
class Notebook:
    """A course notebook: its path as shown to authors and its nbformat node."""

    path: str                       # e.g. notebooks/01-colab-quick-start.ipynb
    node: nbformat.NotebookNode
    file: Path | None = None        # the file on disk, for rules that look at its folder

    @property
    def cells(self) -> list:
        return self.node.cells

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def is_student_copy(self) -> bool:
        """A student copy (exercises/NAME.ipynb, written by scripts/student_copies.py)."""
        return Path(self.path).parent.name == EXERCISES_FOLDER


@dataclass(frozen=True)
class Problem:
    path: str
    cell: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.cell is None else f"{self.path}: cell {self.cell}"
        return f"{where}: [{self.rule}] {self.message}"


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    check: Callable
    scope: str                      # "notebook" or "course"


RULES: dict[str, Rule] = {}


def _register(rule_id: str, summary: str, scope: str):
    def decorate(check: Callable) -> Callable:
        if rule_id in RULES:
            raise ValueError(f"notebook rule {rule_id!r} is registered twice")
        RULES[rule_id] = Rule(rule_id, summary, check, scope)
        return check
    return decorate


def notebook_rule(rule_id: str, summary: str):
    """Register `check(notebook) -> Iterable[(cell index | None, message)]`."""
    return _register(rule_id, summary, "notebook")


def course_rule(rule_id: str, summary: str):
    """Register `check(notebooks) -> Iterable[(Notebook, cell index | None, message)]`."""
    return _register(rule_id, summary, "course")


def source_of(cell) -> str:
    """A cell's source as one string (nbformat keeps it as one string)."""
    return cell.get("source", "")


# --- Rules -------------------------------------------------------------------------------

# The new-notebook template's placeholder texts (scripts/new_notebook.py imports
# them from here, so the template and the rule cannot drift apart).
SUMMARY_PLACEHOLDER = "(One paragraph: what this notebook does and why it matters.)"
OBJECTIVE_PLACEHOLDERS = ("(first thing the reader can do)", "(second thing the reader can do)")
CODE_PLACEHOLDER = "# A first cell to replace: a few made-up ages."
KEY_POINT_PLACEHOLDER = "(what the reader should remember)"
SCAFFOLD_PLACEHOLDERS = (SUMMARY_PLACEHOLDER, *OBJECTIVE_PLACEHOLDERS, CODE_PLACEHOLDER, KEY_POINT_PLACEHOLDER)


@notebook_rule("scaffold-placeholder", "no text is left from the new-notebook template")
def scaffold_placeholder(notebook: Notebook):
    for index, cell in enumerate(notebook.cells):
        source = source_of(cell)
        for marker in SCAFFOLD_PLACEHOLDERS:
            if marker in source:
                yield index, (f"still has the template's placeholder {marker!r}; "
                              "write the notebook's own text there")


NUMBERED = re.compile(r"^(?P<number>\d+)-(?P<rest>.+\.ipynb)$")


def numbered_notebooks(folder: Path) -> dict[str, int]:
    """{file name: number} for the notebooks in `folder` named NN-name.ipynb."""
    return {path.name: int(match.group("number")) for path in folder.glob("*.ipynb")
            if (match := NUMBERED.match(path.name))}


@course_rule("duplicate-number", "no two notebooks share a number")
def duplicate_number(notebooks: list[Notebook]):
    """Two notebooks numbered alike (both sides of a merge added a notebook after the last one).
    The notebooks' folder is read too, so checking only the notebooks of a commit finds the pair."""
    for notebook in notebooks:
        match = NUMBERED.match(notebook.name)
        if notebook.file is None or not match:
            continue
        numbers = numbered_notebooks(notebook.file.parent)
        number = int(match.group("number"))
        others = sorted(name for name, n in numbers.items() if n == number and name != notebook.name)
        if not others:
            continue
        folder = Path(notebook.path).parent.as_posix()
        renamed = f"{folder}/{max(numbers.values()) + 1:0{len(match.group('number'))}d}-{match.group('rest')}"
        yield notebook, None, (
            f"has number {match.group('number')}, like {', '.join(f'{folder}/{name}' for name in others)}. "
            f"Renumber one of them (after merging upstream, your own) to the next free number: "
            f"`git mv {notebook.path} {renamed}`, then change its entry in mkdocs.yml's nav to the new "
            f"name and run `make fork REPO=OWNER/NAME` (your repo_name in mkdocs.yml) to re-point its Colab badge")


# --- Exercises (the convention: hooks/exercises.py) ---------------------------------------

ORDER = (TASK, STARTER, CHECK, SOLUTION)
ORDER_TEXT = ("a Markdown cell tagged 'exercise' (the task), then code cells tagged 'starter', "
              "'check' and 'solution'")


@notebook_rule("exercise-order", "each exercise is a task, a starter, a check and a solution, in that order")
def exercise_order(notebook: Notebook):
    """Student copies have no solution: there an exercise is task, starter and check."""
    order = ORDER[:-1] if notebook.is_student_copy else ORDER
    roles = []
    for index, cell in enumerate(notebook.cells):
        found = exercise_roles(cell)
        if len(found) > 1:
            yield index, f"carries more than one exercise tag ({', '.join(found)}); keep one"
        role = found[0] if found else None
        if role and cell.cell_type != CELL_TYPES[role]:
            yield index, f"is tagged {role!r} but is a {cell.cell_type} cell; it must be a {CELL_TYPES[role]} cell"
        roles.append(role)
    index = 0
    while index < len(roles):
        role = roles[index]
        if role is None:
            index += 1
            continue
        if role != TASK:
            if notebook.is_student_copy and role == SOLUTION:
                yield index, "is a solution cell in a student copy; run `make student-copies`"
            else:
                yield index, (f"is tagged {role!r} outside an exercise: an exercise is {ORDER_TEXT}, "
                              "one after the other")
            index += 1
            continue
        length = 1
        for want in order[1:]:
            at = index + length
            if at >= len(roles) or roles[at] != want:
                there = (f"cell {at} is tagged {roles[at]!r}" if at < len(roles) and roles[at]
                         else f"cell {at} has no exercise tag" if at < len(roles) else "the notebook ends")
                yield index, (f"this exercise has no {want} cell: {there}. An exercise is {ORDER_TEXT}, "
                              "one after the other")
                break
            length += 1
        index += length


def _strings_in(tree: ast.AST) -> list[str]:
    """Every string constant in `tree`, f-strings' literal parts included."""
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def output_text(cell) -> str:
    """A code cell's stored text outputs (streams and text/plain results), joined."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


def _message_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@notebook_rule("exercise-check-message",
               "each check prints 'Correct: ...' or 'Not yet: ...' in plain words, never a bare error")
def exercise_check_message(notebook: Notebook):
    for index, cell in enumerate(notebook.cells):
        if CHECK not in exercise_roles(cell) or cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as error:
            yield index, f"check is not valid Python (line {error.lineno}): {error.msg}"
            continue
        strings = _strings_in(tree)
        for word in (CORRECT, NOT_YET):
            if not any(text.lstrip().startswith(word) for text in strings):
                yield index, (f"check has no {word!r} message: it must print a line starting "
                              f"'{CORRECT}: ...' when the answer is right and '{NOT_YET}: ...' saying "
                              "what is still wrong")
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assert, ast.Raise)):
                kind = "assert" if isinstance(node, ast.Assert) else "raise"
                yield index, (f"check uses `{kind}` (line {node.lineno}): a learner would see a bare "
                              f"error; print '{NOT_YET}: ...' with what is wrong instead")
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            yield index, f"check's stored output is an error; it must print '{NOT_YET}: ...' instead"
        lines = _message_lines(output_text(cell))
        if cell.get("outputs") and not notebook.is_student_copy and not (lines and lines[0].startswith(NOT_YET)):
            yield index, (f"check's stored output should start '{NOT_YET}': it runs on the starter, "
                          "before the solution; an unanswered exercise must not pass")


@notebook_rule("solution-passes", "each solution's stored run ends with its check saying 'Correct'")
def solution_passes(notebook: Notebook):
    for index, cell in enumerate(notebook.cells):
        if SOLUTION not in exercise_roles(cell) or cell.cell_type != "code":
            continue
        lines = _message_lines(output_text(cell))
        if not lines or not lines[-1].startswith(CORRECT) or any(line.startswith(NOT_YET) for line in lines):
            yield index, (f"the solution's stored output does not end with '{CORRECT}: ...': end the cell "
                          "with a call to its check, then `make notebooks NB=" + notebook.path + "`")


def _distinctive_solution_lines(source: Notebook) -> dict[str, int]:
    """{line: cell} for every line of a solution cell (its code and stored output) that is
    found nowhere in the notebook's other cells, not even inside a longer line."""
    elsewhere = []
    for cell in source.cells:
        if SOLUTION not in exercise_roles(cell):
            elsewhere.append(cell.source)
            if cell.cell_type == "code":
                elsewhere.append(output_text(cell))
    elsewhere_text = "\n".join(elsewhere)
    found = {}
    for index, cell in enumerate(source.cells):
        if SOLUTION in exercise_roles(cell):
            for line in _message_lines(cell.source) + _message_lines(output_text(cell)):
                if len(line) >= 12 and re.search(r"[A-Za-z0-9]", line) and line not in elsewhere_text:
                    found.setdefault(line, index)
    return found


@notebook_rule("solution-leak", "no solution cell or solution text in a student copy")
def solution_leak(notebook: Notebook):
    if not notebook.is_student_copy or notebook.file is None:
        return
    source_file = notebook.file.parent.parent / "notebooks" / notebook.name
    if not source_file.is_file():
        return  # a left-over copy: student-copy-current reports it
    try:
        source = Notebook(f"notebooks/{notebook.name}", nbformat.read(source_file, as_version=4), source_file)
    except Exception:
        return  # the notebook itself is reported as unreadable when it is checked
    lines = _distinctive_solution_lines(source)
    for index, cell in enumerate(notebook.cells):
        if SOLUTION in exercise_roles(cell):
            yield index, "is a solution cell (tagged 'solution') in a student copy; run `make student-copies`"
            continue
        text = _message_lines(cell.source) + (_message_lines(output_text(cell)) if cell.cell_type == "code" else [])
        leaked = [line for line in text if line in lines]
        if leaked:
            yield index, (f"holds solution text from {source.path} cell {lines[leaked[0]]}: {leaked[0][:80]!r}; "
                          "a student copy must not show the solution: run `make student-copies`")


@course_rule("student-copy-current", "every notebook's student copy in exercises/ is current")
def student_copy_current(notebooks: list[Notebook]):
    from student_copies import stale_copies  # the copies are made there
    roots = {notebook.file.resolve().parent.parent for notebook in notebooks
             if notebook.file is not None and notebook.file.resolve().parent.name in ("notebooks", EXERCISES_FOLDER)
             and (notebook.file.resolve().parent.parent / "mkdocs.yml").is_file()}
    for root in sorted(roots):
        for shown, cell, what in stale_copies(root):
            yield (Notebook(shown, nbformat.v4.new_notebook(), root / shown), cell,
                   f"{what}; run `make student-copies`")


# --- Running the rules ---------------------------------------------------------------------

def course_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks in notebooks/, then their student copies in exercises/."""
    return sorted((root / "notebooks").glob("*.ipynb")) + sorted((root / EXERCISES_FOLDER).glob("*.ipynb"))


def shown_path(path: Path, root: Path = ROOT) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def read_notebooks(paths: Iterable[Path], root: Path = ROOT) -> tuple[list[Notebook], list[Problem]]:
    """The readable notebooks, and a `unreadable` problem for each one nbformat cannot read."""
    notebooks, problems = [], []
    for path in paths:
        shown = shown_path(path, root)
        try:
            notebooks.append(Notebook(shown, nbformat.read(path, as_version=4), Path(path)))
        except Exception as error:  # nbformat raises several kinds for bad JSON or schema
            message = " ".join(str(error).split())[:300]
            problems.append(Problem(shown, None, "unreadable", f"not a readable notebook: {message}"))
    return notebooks, problems


def check_notebooks(notebooks: list[Notebook], rule_ids: Iterable[str] | None = None) -> list[Problem]:
    """Every problem the selected rules (default: all) find in `notebooks`."""
    selected = [RULES[r] for r in rule_ids] if rule_ids else list(RULES.values())
    problems: list[Problem] = []
    for rule in selected:
        if rule.scope == "notebook":
            for notebook in notebooks:
                problems.extend(Problem(notebook.path, cell, rule.id, message)
                                for cell, message in rule.check(notebook))
        else:
            problems.extend(Problem(notebook.path, cell, rule.id, message)
                            for notebook, cell, message in rule.check(notebooks))
    return sorted(problems, key=lambda p: (p.path, -1 if p.cell is None else p.cell, p.rule))


def check_paths(paths: Iterable[Path], rule_ids: Iterable[str] | None = None,
                root: Path = ROOT) -> list[Problem]:
    notebooks, problems = read_notebooks(paths, root)
    return problems + check_notebooks(notebooks, rule_ids)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to check (default: every notebook in notebooks/)")
    parser.add_argument("--rule", action="append", dest="rules", metavar="ID",
                        help="run only this rule (repeatable); --list shows the ids")
    parser.add_argument("--list", action="store_true", help="list the rules and exit")
    args = parser.parse_args(argv)
    if args.list:
        for rule in RULES.values():
            print(f"{rule.id:28} {rule.summary}")
        return 0
    unknown = [r for r in args.rules or [] if r not in RULES]
    if unknown:
        parser.error(f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(RULES)}")
    paths = args.notebooks or course_notebooks()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    problems = check_paths(paths, args.rules)
    for problem in problems:
        print(problem)
    rules = len(args.rules) if args.rules else len(RULES)
    if problems:
        print(f"{len(problems)} problem(s) in {len({p.path for p in problems})} notebook(s) "
              f"({rules} rule(s), {len(paths)} notebook(s) checked).")
        return 1
    print(f"{len(paths)} notebook(s) follow all {rules} rule(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
