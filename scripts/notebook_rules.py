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
import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


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


def box_label(blockquote) -> str | None:
    """The label of a course box: a quote whose first paragraph is one bold label."""
    first = blockquote.find(True, recursive=False)
    if first is None or first.name != "p":
        return None
    parts = [part for part in first.contents if not (isinstance(part, str) and not part.strip())]
    if len(parts) != 1 or getattr(parts[0], "name", None) != "strong":
        return None
    label = parts[0].get_text().strip()
    return label if label in NOTEBOOK_BOXES else None


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


@notebook_rule("link-text", "Markdown links show what they point to, not their raw address "
                            "(printed pages add the address)")
def link_text(notebook: Notebook):
    for index, cell in enumerate(notebook.cells):
        tree = rendered_markdown(cell)
        for link in [] if tree is None else tree.find_all("a", href=True):
            text = link.get_text().strip()
            if text and (text == link["href"] or text.startswith(("http://", "https://", "www."))):
                yield index, (f"the link {link['href']} shows its raw address; give it text: "
                              f"[what it is]({link['href']})")
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


# --- Running the rules ---------------------------------------------------------------------

def course_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "notebooks").glob("*.ipynb"))


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
