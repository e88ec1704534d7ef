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

On the site (this hook, for notebook pages) each solution cell is wrapped in
a closed <details class="exercise-solution"> whose summary reads "Show
solution": the browser's find-in-page reaches its text only once it is
unfolded (the stylesheet hides a closed solution's body), the site search
never indexes it (hooks/notebook_search.py skips solution cells) and print
keeps it folded.
"""
from __future__ import annotations

from notebook_html import parsed_content, serialised

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


def on_page_content(content, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return content
    soup = parsed_content(page, content)
    # mkdocs-jupyter nests a cell's div (with its id) in another div with the same classes: fold the outer one.
    cells = soup.select(f".jp-Notebook-cell.{SOLUTION_CLASS}")
    outer = [cell for cell in cells if cell.find_parent(class_=SOLUTION_CLASS) is None]
    if not outer:
        return content
    for cell in outer:
        fold(soup, cell)
    return serialised(page, soup)


def fold(soup, cell) -> None:
    """Wrap a rendered solution cell in a closed "Show solution" details element."""
    details = soup.new_tag("details", attrs={"class": "exercise-solution"})
    summary = soup.new_tag("summary")
    summary.string = SUMMARY
    body = soup.new_tag("div", attrs={"class": "exercise-solution__body"})
    cell.wrap(body)
    body.wrap(details)
    details.insert(0, summary)
