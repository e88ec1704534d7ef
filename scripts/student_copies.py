"""Write the student copies: each notebook without its solutions, for learners to work in.

    python scripts/student_copies.py [--check]

For every notebook in notebooks/, exercises/NAME.ipynb is the same notebook
with:
- its Open-in-Colab badge pointing at the copy (exercises/NAME.ipynb), from
  the repository setting in mkdocs.yml (hooks/course_links.py);
- a note under the badge saying that solutions are left out and where the
  notebook with solutions is;
- every cell tagged `solution` removed, and the outputs of the exercises'
  starter and check cells cleared (the learner runs them);
- every other cell, with its stored outputs, as it is.

The copies are generated files: edit the notebook in notebooks/, then run
this (`make student-copies`). A copy whose notebook is gone is deleted.
`--check` writes nothing and exits 1 when a copy is missing, stale or left
over, naming it and the first cell that differs. The notebooks in notebooks/
are never modified.
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from course_links import (  # noqa: E402
    EXERCISES_FOLDER, Repository, colab_badge_markdown, configured_repository, github_url, is_badge_cell,
    student_copy_path,
)
from exercises import CHECK, STARTER, TASK, exercise_roles, is_solution  # noqa: E402

NOTE_CELL_ID = "student-copy-note"


def note_text(repository: Repository, notebook: str, exercises: bool) -> str:
    where = f"[{notebook}]({github_url(repository, 'blob', notebook)})"
    if not exercises:
        return f"**Student copy.** This notebook has no exercises yet; it is the same as {where}."
    return ("**Exercise copy.** This is the course notebook with the solutions left out: "
            "work through each exercise in the cell under it, then run its check. "
            f"The notebook with solutions is {where}.")


def student_copy(node: nbformat.NotebookNode, notebook: str,
                 repository: Repository) -> nbformat.NotebookNode:
    """The student copy of the notebook `node` (repository path `notebook`)."""
    result = copy.deepcopy(node)
    target = student_copy_path(notebook)
    exercises = any(TASK in exercise_roles(cell) for cell in result.cells)
    cells = []
    for cell in result.cells:
        if is_solution(cell):
            continue
        if is_badge_cell(cell):
            cell.source = colab_badge_markdown(repository, target)
            cells.append(cell)
            note = nbformat.v4.new_markdown_cell(note_text(repository, notebook, exercises))
            note.id = NOTE_CELL_ID
            cells.append(note)
            continue
        if cell.cell_type == "code" and {STARTER, CHECK} & set(exercise_roles(cell)):
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    result.cells = cells
    return result


def copy_text(path: Path, root: Path = ROOT, repository: Repository | None = None) -> str:
    """The student copy of the notebook at `path`, as the text written to disk."""
    repository = repository or configured_repository(root / "mkdocs.yml")
    notebook = f"notebooks/{path.name}"
    node = nbformat.read(path, as_version=4)
    return nbformat.writes(student_copy(node, notebook, repository)) + "\n"


def source_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "notebooks").glob("*.ipynb"))


def copy_paths(root: Path = ROOT) -> list[Path]:
    return sorted((root / EXERCISES_FOLDER).glob("*.ipynb"))


def first_difference(expected: str, actual: str) -> int | None:
    """The first cell where a copy on disk differs from what its notebook gives (None: elsewhere)."""
    try:
        want, have = nbformat.reads(expected, as_version=4), nbformat.reads(actual, as_version=4)
    except Exception:
        return None
    for index, (a, b) in enumerate(zip(want.cells, have.cells)):
        if a != b:
            return index
    if len(want.cells) != len(have.cells):
        return min(len(want.cells), len(have.cells))
    return None


def stale_copies(root: Path = ROOT) -> list[tuple[str, int | None, str]]:
    """(copy path, cell or None, what is wrong) for every copy that is missing, stale or left over."""
    repository = configured_repository(root / "mkdocs.yml")
    problems = []
    sources = source_notebooks(root)
    for path in sources:
        target = root / student_copy_path(f"notebooks/{path.name}")
        shown = target.relative_to(root).as_posix()
        expected = copy_text(path, root, repository)
        if not target.is_file():
            problems.append((shown, None, f"is missing: notebooks/{path.name} has no student copy"))
        else:
            actual = target.read_text(encoding="utf-8")
            if actual != expected:
                cell = first_difference(expected, actual)
                where = f"cell {cell}" if cell is not None else "the file"
                problems.append((shown, cell, f"is stale: {where} differs from what notebooks/{path.name} "
                                              "gives (edit the notebook, not its copy)"))
    names = {path.name for path in sources}
    for target in copy_paths(root):
        if target.name not in names:
            problems.append((target.relative_to(root).as_posix(), None,
                             f"is left over: there is no notebooks/{target.name}"))
    return problems


def write_copies(root: Path = ROOT) -> int:
    repository = configured_repository(root / "mkdocs.yml")
    folder = root / EXERCISES_FOLDER
    folder.mkdir(exist_ok=True)
    sources = source_notebooks(root)
    for number, path in enumerate(sources, 1):
        target = folder / path.name
        text = copy_text(path, root, repository)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        state = "unchanged" if current == text else ("updated" if current is not None else "written")
        if current != text:
            target.write_text(text, encoding="utf-8")
        print(f"[{number}/{len(sources)}] {target.relative_to(root).as_posix()}: {state}", flush=True)
    names = {path.name for path in sources}
    for target in copy_paths(root):
        if target.name not in names:
            target.unlink()
            print(f"{target.relative_to(root).as_posix()}: deleted (no notebooks/{target.name})")
    return 0


def main(argv=None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a copy is missing, stale or left over")
    args = parser.parse_args(argv)
    if not args.check:
        return write_copies(root)
    problems = stale_copies(root)
    for shown, cell, what in problems:
        where = shown if cell is None else f"{shown}: cell {cell}"
        print(f"{where}: {what}; run `make student-copies`")
    if problems:
        return 1
    print(f"{len(copy_paths(root))} student copies match their notebooks.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
