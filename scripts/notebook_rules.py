"""The notebook rule book: every rule a course notebook must satisfy, in one place.

Each rule is a small function registered with an id and a one-line summary:

    @notebook_rule("scaffold-placeholder", "no text left from the new-notebook template")
    def scaffold_placeholder(notebook):
        for index, cell in enumerate(notebook.cells):
            ...
            yield index, "still has the template's placeholder ..."

A notebook rule receives one `Notebook` (its repository path, nbformat node
and the `Course` it belongs to: the repository setting, Colab's runtime and
the notebooks' pins) and yields `(cell index or None, message)`. A course rule
(`course_rule`) receives every notebook at once, for rules that compare
notebooks with each other, and yields `(Notebook, cell index or None,
message)`. Cells are numbered as nbformat lists them, from 0 (the notebook
tests' `X.ipynb::cell N`, tests/nbval_messages.py, and `make notebooks` count
the same way).

One command runs them all (`make lint-notebooks`, pre-commit, the tests); the
build (hooks/notebook_page.py) runs the three that shape a notebook's page,
`colab-badge`, `figure-alt-text` and `notebook-boxes`, and warns with the same lines.

    python scripts/notebook_rules.py [--rule ID ...] [--list] [NOTEBOOK ...]

Every problem is printed as `notebooks/NAME.ipynb: cell N: [rule-id] message`
and the command exits 1 when there is any; a notebook that cannot be read is
itself a problem naming the file. Nothing is ever modified.
"""
from __future__ import annotations

import argparse
import ast
import functools
import importlib.metadata
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import nbformat
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "hooks"))  # course_links: the repository setting and its URLs

from colab_runtime import ColabRuntime, read_record  # noqa: E402  (the record of Colab's runtime)
from course_links import (  # noqa: E402
    COLAB_BADGE_IMAGE_RE, EXERCISES_FOLDER, Repository, colab_badge_markdown, configured_course,
    configured_repository, published_site_url,
)
from exercises import (  # noqa: E402  (the exercise convention)
    CELL_TYPES, CHECK, CORRECT, NOT_YET, SOLUTION, STARTER, TASK, exercise_roles,
)


@dataclass(frozen=True)
class Runtime:
    """Colab's runtime as recorded in notebooks/colab-runtime.txt."""

    python: str | None
    packages: dict[str, str | None]  # canonical name -> version (None for URL installs)

    @property
    def python_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in (self.python or "0").split(".")[:2])


class Course:
    """What the rules compare a notebook with: the repository setting in mkdocs.yml,
    Colab's runtime record and the notebooks' pins. Each is read when a rule first
    asks for it; tests pass their own."""

    def __init__(self, root: Path = ROOT, *, repository: Repository | None = None,
                 runtime_file: Path | None = None, pins_file: Path | None = None,
                 wrong_answers_file: Path | None = None):
        self.root = root
        self._repository = repository
        self.runtime_file = runtime_file or root / "notebooks" / "colab-runtime.txt"
        self.pins_file = pins_file or root / "notebooks" / "requirements.txt"
        self.wrong_answers_file = wrong_answers_file or root / "notebooks" / "wrong-answers.yml"

    @functools.cached_property
    def repository(self) -> Repository:
        return self._repository or configured_repository(self.root / "mkdocs.yml")

    @functools.cached_property
    def site_url(self) -> str:
        """The course site's address (its custom domain or GitHub Pages), ending in /."""
        return published_site_url(configured_course(self.root / "mkdocs.yml")).rstrip("/") + "/"

    @functools.cached_property
    def runtime(self) -> Runtime:
        return read_runtime(self.runtime_file)

    @functools.cached_property
    def record(self) -> ColabRuntime:
        """The same record with its header facts (date of the package list...)."""
        return read_record(self.runtime_file)

    @functools.cached_property
    def pins(self) -> tuple[dict[str, str], list[str]]:
        return read_pins(self.pins_file)

    @functools.cached_property
    def wrong_answers(self) -> dict[str, list[dict]]:
        """notebooks/wrong-answers.yml: notebook file name -> its (check, answer, advice) entries."""
        import yaml

        if not self.wrong_answers_file.is_file():
            return {}
        with open(self.wrong_answers_file, encoding="utf-8") as file:
            return yaml.safe_load(file) or {}

    def shown(self, path: Path) -> str:
        """`path` as authors see it: relative to the course's folder when inside it."""
        return shown_path(path, self.root)


class UnreadableNotebook(ValueError):
    """A notebook file nbformat cannot read: `line` is the line of broken JSON (None for a
    notebook that is JSON but not a notebook), `reason` what is wrong; str() gives both."""

    def __init__(self, reason: str, line: int | None = None):
        self.reason, self.line = reason, line
        super().__init__(f"line {line}: {reason}" if line else reason)


def read_notebook_text(text: str) -> nbformat.NotebookNode:
    """The notebook in `text` (nbformat, version 4), or UnreadableNotebook saying why."""
    try:
        json.loads(text)                          # for the line number of a syntax error
    except json.JSONDecodeError as error:
        raise UnreadableNotebook(error.msg, error.lineno) from None
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several kinds for JSON that is not a notebook
        raise UnreadableNotebook(" ".join(str(error).split())[:200]) from None


def read_notebook_file(file: Path) -> nbformat.NotebookNode:
    """The notebook in `file`, or UnreadableNotebook (UnicodeDecodeError, OSError) saying why."""
    return read_notebook_text(Path(file).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Notebook:
    """A course notebook: its path as shown to authors, its nbformat node and its course."""

    path: str                       # e.g. notebooks/01-colab-quick-start.ipynb
    node: nbformat.NotebookNode
    file: Path | None = None        # the file on disk, for rules that look at its folder
    course: Course = field(default_factory=Course, compare=False)

    @classmethod
    def read(cls, file: Path, shown: str | None = None, course: Course | None = None) -> "Notebook":
        course = course or Course()
        return cls(shown or course.shown(file), read_notebook_file(file), Path(file), course)

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


# --- The course's notebook style ----------------------------------------------------------
# Objectives, the data note and key points are the chapter pages' boxes, written
# as plain Markdown that Colab, GitHub and Jupyter show well: a quote whose first
# paragraph is only the box's bold label.
#
#     > **Learning objectives**
#     >
#     > After this notebook you can:
#     >
#     > - ...
#
# The site turns each into the same admonition as the chapter pages'
# `!!! abstract "Learning objectives"` (hooks: the notebook page step). The
# rules read the Markdown as the site and Jupyter render it (nbconvert).

NOTEBOOK_BOXES = {"Learning objectives": "abstract", "Synthetic data only": "info", "Key points": "success"}


@functools.lru_cache(maxsize=512)
def _rendered(source: str):
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return BeautifulSoup(markdown2html_mistune(source), "html.parser")


def rendered_markdown(cell):
    """A Markdown cell as nbconvert renders it (a BeautifulSoup tree), or None for other cells."""
    return _rendered(source_of(cell)) if cell.get("cell_type") == "markdown" else None


# A quote's opening paragraph that holds only a bold label, as nbconvert renders it
# (the rules below and the page step, hooks/notebook_page.py, read the same HTML).
BOX_LABEL = re.compile(r"\s*<p>\s*<strong>([^<]*)</strong>\s*</p>")


def box_label_of(quote_html: str) -> str | None:
    """The course box a quote is, from its inner HTML: the label of its opening
    paragraph when that paragraph is only one of NOTEBOOK_BOXES' bold labels."""
    match = BOX_LABEL.match(quote_html)
    label = match.group(1).strip() if match else None
    return label if label in NOTEBOOK_BOXES else None


def box_label(blockquote) -> str | None:
    """box_label_of for a BeautifulSoup <blockquote>."""
    return box_label_of(blockquote.decode_contents())


def boxes_in(cell) -> list[str]:
    tree = rendered_markdown(cell)
    return [] if tree is None else [label for quote in tree.find_all("blockquote")
                                    if (label := box_label(quote))]


def _label_outside_a_box(tree) -> str | None:
    """A paragraph that opens with a box's bold label but is not a course box."""
    for paragraph in tree.find_all("p"):
        strong = paragraph.find(True)
        if strong is None or strong.name != "strong" or paragraph.get_text().strip().find(strong.get_text().strip()):
            continue
        label = strong.get_text().strip().rstrip(".:").strip()
        if label in NOTEBOOK_BOXES or label == "About the data" or label == "Synthetic data":
            quote = paragraph.find_parent("blockquote")
            if quote is None or box_label(quote) is None:
                return label
    return None


@notebook_rule("notebook-boxes", "objectives, data note and key points are the course's boxes: Markdown "
                                 "quotes opening with **Learning objectives**, **Synthetic data only** or **Key points**")
def notebook_boxes(notebook: Notebook):
    cells = notebook.cells
    found = {label: [i for i, cell in enumerate(cells) if label in boxes_in(cell)] for label in NOTEBOOK_BOXES}
    title = next((i for i, cell in enumerate(cells)
                  if (tree := rendered_markdown(cell)) is not None and tree.find("h1")), None)
    first_code = next((i for i, cell in enumerate(cells) if cell.get("cell_type") == "code"), len(cells))
    example = {label: f"'> **{label}**' on a line of its own, then the quote's text" for label in NOTEBOOK_BOXES}

    objectives = found["Learning objectives"]
    if len(objectives) != 1:
        where = f" (cells {', '.join(map(str, objectives))})" if objectives else ""
        yield title, (f"{len(objectives)} Learning objectives boxes{where}; write one in the title cell or "
                      f"the cell after it: {example['Learning objectives']}")
    elif title is not None and objectives[0] not in (title, title + 1):
        yield objectives[0], "the Learning objectives box belongs in the title cell or the cell right after it"

    notes = found["Synthetic data only"]
    if len(notes) != 1:
        where = f" (cells {', '.join(map(str, notes))})" if notes else ""
        yield None, (f"{len(notes)} data notes{where}; write one before the first code cell: "
                     f"{example['Synthetic data only']}")
    elif notes[0] > first_code:
        yield notes[0], f"the data note comes after the first code cell (cell {first_code}); move it before"

    key_points = found["Key points"]
    last = len(cells) - 1
    if key_points != [last]:
        where = f"; found in cell(s) {', '.join(map(str, key_points))}" if key_points else ""
        yield last, f"the last cell must be the Key points box{where}: {example['Key points']}"

    for index, cell in enumerate(cells):
        tree = rendered_markdown(cell)
        if tree is None:
            continue
        for heading in tree.find_all(["h2", "h3", "h4"]):
            text = heading.get_text().replace("\u00b6", "").strip().rstrip(".:")  # without the ¶ anchor
            if text in NOTEBOOK_BOXES:
                yield index, f"{text!r} is a heading; make it the box '> **{text}**'"

        label = _label_outside_a_box(tree)
        if label:
            yield index, (f"'**{label}**' opens a plain paragraph; make it a box: "
                          f"{example.get(label, example['Synthetic data only'])}")


def markdown_links(notebook: Notebook):
    """(cell index, <a> element) of every link in the notebook's Markdown, as rendered."""
    for index, cell in enumerate(notebook.cells):
        tree = rendered_markdown(cell)
        for link in [] if tree is None else tree.find_all("a", href=True):
            yield index, link


@notebook_rule("link-text", "Markdown links show what they point to, not their raw address "
                            "(printed pages add the address)")
def link_text(notebook: Notebook):
    for index, link in markdown_links(notebook):
        text = link.get_text().strip()
        if text and (text == link["href"] or text.startswith(("http://", "https://", "www."))):
            yield index, (f"the link {link['href']} shows its raw address; give it text: "
                          f"[what it is]({link['href']})")


# Notebooks are opened in Colab, on GitHub and in Jupyter as well as on the site:
# a relative link works in none of those, so links point to the hosted site.
LINK_SCHEMES = ("http://", "https://", "mailto:", "#")


@notebook_rule("absolute-links", "Markdown links are absolute addresses (the course site's pages "
                                 "by their address there): the notebook is opened outside the site too")
def absolute_links(notebook: Notebook):
    for index, link in markdown_links(notebook):
        href = link["href"].strip()
        if href and not href.startswith(LINK_SCHEMES):
            yield index, (f"the link {href!r} is relative, and leads nowhere in Colab or on GitHub; link "
                          f"to the page on the course site, {notebook.course.site_url}PAGE/")


@notebook_rule("executed-in-order", "every code cell has been run, top to bottom, with its outputs stored "
                                    "(make notebooks)")
def executed_in_order(notebook: Notebook):
    """The stored outputs are what readers see and what nbval compares with: a
    cell never run shows no output on the site and is compared with nothing.
    Student copies are handed out unrun (their starters answer nothing yet)."""
    if notebook.is_student_copy:
        return
    previous = 0
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code" or not source_of(cell).strip():
            continue
        count = cell.get("execution_count")
        if count is None:
            yield index, ("has never been run (no execution count, no stored output); run the notebook top "
                          f"to bottom with `make notebooks NB={notebook.path}`")
            return
        if count != previous + 1:
            yield index, (f"was run out of order (execution count {count} after {previous}); run the notebook "
                          f"top to bottom with `make notebooks NB={notebook.path}`")
            return
        previous = count


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

MIN_EXERCISES = 2


@notebook_rule("exercises-present", f"every notebook has at least {MIN_EXERCISES} exercises "
                                    "(docs/teach.md, \"Exercises\")")
def exercises_present(notebook: Notebook):
    tasks = sum(1 for cell in notebook.cells if TASK in exercise_roles(cell))
    if tasks < MIN_EXERCISES:
        yield None, (f"has {tasks} exercise(s), expected at least {MIN_EXERCISES}: each is a Markdown task "
                     "tagged 'exercise' and code cells tagged 'starter', 'check' and 'solution' "
                     "(docs/teach.md, \"Exercises: task, starter, check and solution\")")


CHECK_NAME = re.compile(r"def (check_\w+)\(")


def check_cells(notebook: Notebook) -> dict[str, int]:
    """check function name -> index of the check cell that defines it."""
    return {match[1]: index for index, cell in enumerate(notebook.cells) if CHECK in exercise_roles(cell)
            for match in [CHECK_NAME.search(source_of(cell))] if match}


@notebook_rule("wrong-answers", "each exercise's check is tried on a mistake students make, listed in "
                                "notebooks/wrong-answers.yml (the tests run it and expect advice)")
def wrong_answers(notebook: Notebook):
    if notebook.is_student_copy:          # the copy's checks are its notebook's
        return
    listing = notebook.course.shown(notebook.course.wrong_answers_file)
    entries = notebook.course.wrong_answers.get(notebook.name) or []
    listed = {entry.get("check") for entry in entries if isinstance(entry, dict)}
    checks = check_cells(notebook)
    for name, index in checks.items():
        if name not in listed:
            yield index, (f"no wrong answer for {name} in {listing}: add a mistake students make "
                          f"(check: {name}, answer: ..., advice: words its Not yet message must contain)")
    for name in sorted(listed - set(checks), key=str):
        yield None, f"{listing} lists {name!r} for this notebook, but no check cell defines it"


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
    """The copies of the notebooks checked (all of them in a full run, which also checks
    exercises/ and so finds a left-over copy); one notebook checked, its copy alone."""
    from student_copies import stale_copies  # the copies are made there
    roots = {notebook.file.resolve().parent.parent for notebook in notebooks
             if notebook.file is not None and notebook.file.resolve().parent.name in ("notebooks", EXERCISES_FOLDER)
             and (notebook.file.resolve().parent.parent / "mkdocs.yml").is_file()}
    checked = {notebook.name for notebook in notebooks}   # a copy shares its notebook's file name
    for root in sorted(roots):
        for shown, cell, what in stale_copies(root):
            if Path(shown).name in checked:
                yield (Notebook(shown, nbformat.v4.new_notebook(), root / shown), cell,
                       f"{what}; run `make student-copies`")


@notebook_rule("colab-badge", "cell 0 is the Open-in-Colab badge for the configured repository, "
                              "and no other cell shows one")
def colab_badge(notebook: Notebook):
    expected = colab_badge_markdown(notebook.course.repository, notebook.path)
    with_badge = [index for index, cell in enumerate(notebook.cells) if shows_a_badge(cell)]
    if not with_badge:
        yield None, f"no Colab badge; cell 0 must be exactly {expected}"
        return
    for index in with_badge:
        if index != 0:
            yield index, "a Colab badge outside cell 0 (one badge per notebook)"
    first = notebook.cells[0]
    if 0 not in with_badge:
        yield 0, f"not the Colab badge; expected {expected!r}"
    elif first.cell_type != "markdown" or source_of(first).strip() != expected:
        yield 0, (f"badge is {source_of(first).strip()!r}; expected {expected!r} "
                  "(run `make fork` to re-point badges)")


def shows_a_badge(cell) -> bool:
    """Whether the cell shows a Colab badge: in Markdown, or in a rendered (HTML/Markdown) output."""
    if cell.cell_type == "markdown" and COLAB_BADGE_IMAGE_RE.search(source_of(cell)):
        return True
    return any(COLAB_BADGE_IMAGE_RE.search(output.get("data", {}).get(mime) or "")
               for output in cell.get("outputs", []) for mime in ("text/markdown", "text/html"))


IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


def figure_alt_texts(node: nbformat.NotebookNode) -> list[tuple[int, str | None]]:
    """(cell index, alt text or None) for each figure output, in page order."""
    figures = []
    for index, cell in enumerate(node.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            image_type = next((t for t in IMAGE_TYPES if t in output.get("data", {})), None)
            if image_type:
                alt = (output.get("metadata", {}).get(image_type) or {}).get("alt")
                figures.append((index, alt.strip() if isinstance(alt, str) and alt.strip() else None))
    return figures


@notebook_rule("figure-alt-text", "every figure output stores its alt text (the page shows it)")
def figure_alt_text(notebook: Notebook):
    for index, alt in figure_alt_texts(notebook.node):
        if alt is None:
            yield index, ("shows a figure without alt text; display it with "
                          "display(fig, metadata={'image/png': {'alt': '...'}})")


# --- Imports: what Colab's runtime has, and what notebooks/requirements.txt pins -----------

# Import names whose distribution cannot be found from the installed packages:
# Colab-only modules, and common packages whose import name differs from the
# distribution's name (used when the package is not installed locally).
IMPORT_TO_DISTRIBUTION = {
    "google.colab": "google-colab",
    "sklearn": "scikit-learn",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "yaml": "pyyaml",
    "bs4": "beautifulsoup4",
    "skimage": "scikit-image",
}
# Distributions that exist only inside Colab: they cannot be pinned or installed
# elsewhere, so a notebook may import them only inside an `if`/`try` block
# (guarded by a check that it runs in Colab).
COLAB_ONLY = {"google-colab"}
# Standard-library modules that newer Pythons removed (PEP 594 and PEP 632):
# they import on older Pythons but not on Colab's.
REMOVED_FROM_STDLIB = {
    **dict.fromkeys(["asynchat", "asyncore", "distutils", "imp", "smtpd"], (3, 12)),
    **dict.fromkeys(["aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3",
                     "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr",
                     "spwd", "sunau", "telnetlib", "uu", "xdrlib"], (3, 13)),
}


@dataclass(frozen=True)
class Import:
    cell: int  # index in the notebook's cells
    line: int  # line in the cell
    module: str  # as written, e.g. "matplotlib.pyplot"
    guarded: bool  # inside an if/try block


def read_runtime(path: Path) -> Runtime:
    """Parse a pip-freeze record: `name==version` or `name @ url` lines, `# python-version:` header."""
    python = None
    packages: dict[str, str | None] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("# python-version:"):
            python = line.split(":", 1)[1].strip()
        if not line or line.startswith("#"):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise ValueError(f"{shown_path(path)} line {number}: not a pip freeze line: {line!r} ({error})") from None
        pinned = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        packages[canonicalize_name(requirement.name)] = pinned[0] if pinned else None
    return Runtime(python, packages)


@dataclass(frozen=True)
class Pin:
    """One exact pin of a requirements file."""

    line: int
    name: str       # canonical
    version: str
    note: str       # the comment on the line, without "#"


def read_pin_lines(path: Path) -> tuple[list[Pin], list[str]]:
    """Exact pins in a requirements file (with their line's comment), and a problem for
    every line that is not `name==version`."""
    pins: list[Pin] = []
    problems: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line, _, note = raw.partition("#")
        line = line.strip()
        if not line:
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            problems.append(f"{shown_path(path)} line {number}: cannot parse {line!r}: {error}")
            continue
        specs = list(requirement.specifier)
        if len(specs) != 1 or specs[0].operator != "==":
            problems.append(f"{shown_path(path)} line {number}: {line!r} is not an exact pin (name==version)")
            continue
        pins.append(Pin(number, canonicalize_name(requirement.name), specs[0].version, note.strip()))
    return pins, problems


def read_pins(path: Path) -> tuple[dict[str, str], list[str]]:
    """Exact pins in a requirements file as {name: version}, and a problem for every line that
    is not `name==version`."""
    pins, problems = read_pin_lines(path)
    return {pin.name: pin.version for pin in pins}, problems


class _ImportVisitor(ast.NodeVisitor):
    def __init__(self):
        self.found: list[tuple[int, str, bool]] = []
        self.depth = 0  # if/try blocks around the current node

    def _guarded(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_If = visit_Try = _guarded
    if sys.version_info >= (3, 11):
        visit_TryStar = _guarded

    def visit_Import(self, node):
        for alias in node.names:
            self.found.append((node.lineno, alias.name, self.depth > 0))

    def visit_ImportFrom(self, node):
        if node.level == 0 and node.module:
            self.found.append((node.lineno, node.module, self.depth > 0))


def notebook_imports(notebook: Notebook) -> tuple[list[Import], list[tuple[int, str]]]:
    """Every import in the notebook's code cells, and (cell, problem) for each cell that is not valid code.

    IPython syntax (`!shell`, `%magic`, `x = !cmd`) is first turned into Python
    with IPython's own input transformer, as the kernel does.
    """
    from IPython.core.inputtransformer2 import TransformerManager  # slow to import: only when needed

    transformer = TransformerManager()
    imports, problems = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(transformer.transform_cell(cell.source))
        except SyntaxError as error:
            problems.append((index, f"line {error.lineno}: not valid Python: {error.msg}"))
            continue
        visitor = _ImportVisitor()
        visitor.visit(tree)
        imports += [Import(index, line, module, guarded) for line, module, guarded in visitor.found]
    return imports, problems


@functools.lru_cache(maxsize=1)
def _installed_distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distribution_of(module: str) -> str | None:
    """The distribution that provides `module`: 'stdlib', a canonical name, or None if unknown."""
    top = module.split(".")[0]
    for name, distribution in IMPORT_TO_DISTRIBUTION.items():
        if module == name or module.startswith(name + "."):
            return distribution
    if top in sys.stdlib_module_names:
        return "stdlib"
    found = _installed_distributions().get(top)
    return canonicalize_name(found[0]) if found else None


@notebook_rule("colab-imports", "every import is in the standard library of Colab's Python "
                                "or in Colab's runtime (notebooks/colab-runtime.txt)")
def colab_imports(notebook: Notebook):
    runtime = notebook.course.runtime
    imports, unparsable = notebook_imports(notebook)
    yield from unparsable
    for item in imports:
        distribution = distribution_of(item.module)
        removed_in = REMOVED_FROM_STDLIB.get(item.module.split(".")[0])
        where = f"line {item.line}: `import {item.module}`"
        # On Python 3.13 itself these are no longer standard-library names at all.
        if distribution in ("stdlib", None) and removed_in and runtime.python_tuple >= removed_in:
            yield item.cell, (f"{where}: removed from the standard library in Python "
                              f"{removed_in[0]}.{removed_in[1]}; Colab runs Python {runtime.python}")
        elif distribution == "stdlib":
            continue
        elif distribution is None:
            # Not installed here: Colab's list may still have it under the module's own name.
            named = canonicalize_name(item.module.split(".")[0])
            record = notebook.course.shown(notebook.course.runtime_file)
            if named in runtime.packages:
                pin = f"{named}=={runtime.packages[named]}" if runtime.packages[named] else named
                yield item.cell, (f"{where}: Colab has {named}, but it is not installed here, so the notebook "
                                  f"cannot be tested: add `{pin}` to "
                                  f"{notebook.course.shown(notebook.course.pins_file)}, then `make setup`")
            else:
                yield item.cell, (f"{where}: no package of that name is installed here or listed in Colab's "
                                  f"runtime ({record}); in Colab it would need a `pip install`, and the "
                                  "course's notebooks install nothing: use a package Colab has")
        elif distribution not in runtime.packages:
            yield item.cell, f"{where} needs {distribution}, which Colab's runtime does not have"


@notebook_rule("pinned-imports", "every imported package is pinned in notebooks/requirements.txt; "
                                 "Colab-only ones are imported inside an `if`")
def pinned_imports(notebook: Notebook):
    pins, _ = notebook.course.pins          # the pins file's own problems: tests/test_colab_runtime.py
    pins_file = notebook.course.shown(notebook.course.pins_file)
    imports, unparsable = notebook_imports(notebook)
    yield from unparsable
    for item in imports:
        distribution = distribution_of(item.module)
        if distribution in (None, "stdlib"):
            continue  # unknown packages are reported by the colab-imports rule
        if distribution in COLAB_ONLY:
            if not item.guarded:
                yield item.cell, (f"line {item.line}: `import {item.module}` exists only in Colab; "
                                  "import it inside an `if` that checks for Colab")
        elif distribution not in pins:
            version = notebook.course.runtime.packages.get(distribution)
            fix = f": add `{distribution}=={version}` (Colab's version) to it, then `make setup`" if version else ""
            yield item.cell, (f"line {item.line}: `import {item.module}` needs {distribution}, "
                              f"which is not pinned in {pins_file}{fix}")


# A command that installs software, in any form a code cell can run it: `%pip install`,
# `!pip install`, `!{sys.executable} -m pip install`, `!apt-get install`, `%conda install`,
# a `%%bash` cell, or the words inside subprocess.run([...]).
INSTALL_COMMAND = re.compile(r"""(?ix)
    (?<![\w.-])
    (?: pip3? | (?:python3?|\{sys\.executable\}) \s+ -m \s+ pip | uv \s+ pip | conda | mamba | micromamba
      | apt(?:-get)? | dnf | yum | apk | brew | npm | easy_install )
    \s+ (?:-\S+ \s+)* (?:install|add) \b
  | ['"]pip3?['"] \s*,\s* (?:['"]-[^'"]*['"] \s*,\s*)* ['"]install['"]
  | \bpip\.main\(
""")


@notebook_rule("installs-nothing", "no code cell installs software (pip, conda, apt ...): the notebooks run "
                                   "on what Colab already has")
def installs_nothing(notebook: Notebook):
    """An install works differently in Colab (it lasts until the runtime resets, and it can
    replace a package Colab's other packages were built against) and here (where it would
    change the machine's own Python); a student should never have to wait for one."""
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        for number, line in enumerate(source_of(cell).splitlines(), 1):
            if not line.lstrip().startswith("#") and INSTALL_COMMAND.search(line):
                yield index, (f"line {number}: `{line.strip()}` installs software; the course's notebooks "
                              "install nothing: use what Colab's runtime has "
                              f"({notebook.course.shown(notebook.course.runtime_file)}), or drop the cell")
                break


# How a notebook states the Colab runtime it is tested against, e.g.
# "Colab's runtime of 19 August 2026 (Python 3.13)"; line breaks may fall anywhere.
STATED_RUNTIME = re.compile(r"Colab's runtime of (\d{1,2} [A-Z][a-z]+ \d{4}) \(Python (3\.\d+)\)")


@notebook_rule("colab-runtime-facts", "a stated Colab runtime (date, Python) is the one recorded")
def colab_runtime_facts(notebook: Notebook):
    record = notebook.course.record
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "markdown":
            continue
        for match in STATED_RUNTIME.finditer(" ".join(source_of(cell).split())):
            if (match[1], match[2]) != (record.date_text, record.python_minor):
                yield index, (f"states {match[0]}, but {notebook.course.shown(notebook.course.runtime_file)} "
                              f"records Colab's runtime of {record.date_text} (Python {record.python_minor})")


# --- Running the rules ---------------------------------------------------------------------

def course_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks in notebooks/, then their student copies in exercises/."""
    return sorted((root / "notebooks").glob("*.ipynb")) + sorted((root / EXERCISES_FOLDER).glob("*.ipynb"))


def shown_path(path: Path, root: Path = ROOT) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def read_notebooks(paths: Iterable[Path], course: Course) -> tuple[list[Notebook], list[Problem]]:
    """The readable notebooks, and a `unreadable` problem for each one nbformat cannot read."""
    notebooks, problems = [], []
    for path in paths:
        shown = course.shown(path)
        try:
            notebooks.append(Notebook.read(path, shown, course))
        except (UnreadableNotebook, UnicodeDecodeError, OSError) as error:
            problems.append(Problem(shown, None, "unreadable", f"not a readable notebook: {error}"))
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
                root: Path = ROOT, course: Course | None = None) -> list[Problem]:
    """Every problem of the notebooks at `paths`: the course is the one at `root` unless given."""
    notebooks, problems = read_notebooks(paths, course or Course(root))
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
    rules = len(args.rules) if args.rules else len(RULES)
    summary = (f"{len(problems)} problem(s) in {len({p.path for p in problems})} notebook(s) "
               f"({rules} rule(s), {len(paths)} notebook(s) checked)." if problems
               else f"{len(paths)} notebook(s) follow all {rules} rule(s).")
    print(*problems, summary, sep="\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
