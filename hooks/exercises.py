"""Exercises in the notebooks: the convention, and their solutions folded on the site.

An exercise is four cells in a row, each marked by a cell tag:

    exercise   Markdown: the task, what to do and why it matters
    starter    code: what the learner starts from (runs as it is, answers nothing)
    check      code: defines check_NAME(), calls it, and prints "Correct: ..." or
               "Not yet: ..." in plain words (never a bare AssertionError)
    solution   code: a worked answer, ending with a call to check_NAME()

The check runs before the solution, so in the notebook with solutions its
stored output is what an unanswered exercise gets ("Not yet: ..."), and the
solution's output shows the check passing ("Correct: ..."). The student
copies in exercises/ (scripts/student_copies.py) leave the solution out.
The rule book (scripts/notebook_rules.py) checks the convention.

On the site (hooks/notebook_page.py calls `fold_solutions`) each solution
cell is wrapped in a closed <details class="exercise-solution"> whose summary
reads "Show solution": the browser's find-in-page reaches its text only once
it is unfolded (notebook.css hides a closed solution's body), the site search
never indexes it (the page step leaves solution cells out of the search
text) and print leaves it out.
"""
from __future__ import annotations

TASK, STARTER, CHECK, SOLUTION = "exercise", "starter", "check", "solution"
EXERCISE_TAGS = (TASK, STARTER, CHECK, SOLUTION)
CELL_TYPES = {TASK: "markdown", STARTER: "code", CHECK: "code", SOLUTION: "code"}
# The messages a check prints: one of these starts its output.
CORRECT, NOT_YET = "Correct", "Not yet"
# nbconvert's templates give every rendered cell a class per tag.
SOLUTION_CLASS = f"celltag_{SOLUTION}"
SUMMARY = "Show solution"


def tags_of(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []) or [])


def exercise_roles(cell) -> list[str]:
    """The exercise tags a cell carries (a well-formed cell carries at most one)."""
    return [tag for tag in tags_of(cell) if tag in EXERCISE_TAGS]


def is_solution(cell) -> bool:
    return SOLUTION in tags_of(cell)


FOLD = ('<details class="exercise-solution"><summary>' + SUMMARY + '</summary>'
        '<div class="exercise-solution__body"></div></details>')


def has_class(node, name: str) -> bool:
    return name in (node.attributes.get("class") or "").split()


def is_solution_node(node) -> bool:
    """A rendered cell (selectolax node) of a solution: nbconvert gives it the tag's class."""
    return has_class(node, SOLUTION_CLASS)


def fold_solutions(wrapper) -> int:
    """Wrap each rendered solution cell under `wrapper` (a selectolax node) in a closed
    "Show solution" details element; returns how many were folded."""
    from selectolax.lexbor import LexborHTMLParser

    def nested(node) -> bool:
        parent = node.parent
        while parent is not None:
            if is_solution_node(parent):
                return True
            parent = parent.parent
        return False

    # mkdocs-jupyter nests a cell's div (with its id) in another with the same classes: fold the outer one.
    cells = [cell for cell in wrapper.css(f".jp-Notebook-cell.{SOLUTION_CLASS}") if not nested(cell)]
    for cell in cells:
        cell.insert_before(LexborHTMLParser(FOLD, is_fragment=True).root)
        details = cell.prev
        details.css_first(".exercise-solution__body").insert_child(cell)   # inserts a copy
        cell.decompose()
    return len(cells)
