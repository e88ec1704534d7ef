"""Start a new course notebook: notebooks/NN-NAME.ipynb, executed, cleaned and in the nav.

    python scripts/new_notebook.py NAME [--title TITLE]

NAME is a slug (lower-case letters, digits and single hyphens); NN is the
next free number. The notebook follows the course's conventions: the
Open-in-Colab badge cell, a title cell with learning objectives and a link to
the chapter's page on the hosted site, a note that the data are made up, a
first code cell and a Key points cell. The note is prose only and declares
nothing: the identifier scan (scripts/scan_identifiers.py) exempts no
notebook. It is run (scripts/run_notebooks.py, so its stored outputs pass
nbval) and cleaned, then added to mkdocs.yml under the chapter's "Notebooks"
section. Inside a git work tree it is staged with `git add --intent-to-add`,
so git lists it (the launch-link tests only accept files git tracks) before
its content is committed. A NAME that is malformed or already taken is refused and nothing
is written.

The template's placeholder texts live in scripts/notebook_rules.py, whose
`scaffold-placeholder` rule fails while any notebook still contains one,
naming the notebook and cell.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))  # course_links, when run as a script

from course_links import colab_badge_markdown, configured_course, configured_repository, site_page_url  # noqa: E402
from notebook_rules import (  # noqa: E402  (the template's placeholders, checked by the rule book)
    CODE_PLACEHOLDER,
    KEY_POINT_PLACEHOLDER,
    OBJECTIVE_PLACEHOLDERS,
    SUMMARY_PLACEHOLDER,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NUMBERED_RE = re.compile(r"^(\d+)-(.+)\.ipynb$")
MAX_NAME = 60
CHAPTER_PAGE = "chapter-1/colab/"           # the chapter's page on the hosted site
NAV_SECTION = re.compile(r'^(?P<indent>\s*)- "?Notebooks"?:\s*$', re.M)

class NewNotebookError(Exception):
    """Input refused; nothing has been written."""


def check_name(name: str, notebooks: Path) -> None:
    if not name:
        raise NewNotebookError("NAME is empty; for example: make new-notebook NAME=reading-csv-files")
    if len(name) > MAX_NAME or not SLUG_RE.match(name):
        raise NewNotebookError(
            f"NAME {name!r} is not a slug: use lower-case letters, digits and single hyphens, "
            f"at most {MAX_NAME} characters (for example reading-csv-files)")
    if re.match(r"^\d+-", name):
        raise NewNotebookError(f"NAME {name!r} starts with a number; the number is added for you")
    for path in sorted(notebooks.glob("*.ipynb")):
        match = NUMBERED_RE.match(path.name)
        if (match.group(2) if match else path.stem) == name:
            raise NewNotebookError(f"a notebook named {name!r} already exists: notebooks/{path.name}")


def next_number(notebooks: Path) -> int:
    numbers = [int(m.group(1)) for p in notebooks.glob("*.ipynb") if (m := NUMBERED_RE.match(p.name))]
    return max(numbers, default=0) + 1


def nav_insertion(mkdocs_text: str, entry_path: str) -> str:
    """mkdocs.yml with `entry_path` added as the last item of the "Notebooks" nav section."""
    section = NAV_SECTION.search(mkdocs_text)
    if not section:
        raise NewNotebookError('mkdocs.yml: no "Notebooks" section in nav to add the notebook to')
    lines = mkdocs_text[section.end():].split("\n")[1:]
    offset = section.end() + 1
    child_indent = None
    end = offset
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if line.strip() and (indent <= len(section.group("indent")) or not line.lstrip().startswith("- ")):
            break
        if line.strip():
            child_indent = indent if child_indent is None else child_indent
            end = offset + len(line) + 1
        offset += len(line) + 1
    if child_indent is None:
        child_indent = len(section.group("indent")) + 4
        end = section.end() + 1
    entry = " " * child_indent + f"- {entry_path}\n"
    return mkdocs_text[:end] + entry + mkdocs_text[end:]


def build_notebook(relative: str, title: str) -> nbformat.NotebookNode:
    repository = configured_repository(ROOT / "mkdocs.yml")
    chapter_url = site_page_url(configured_course(ROOT / "mkdocs.yml").site_url_for(repository), CHAPTER_PAGE)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(colab_badge_markdown(repository, relative)),
        nbformat.v4.new_markdown_cell(
            f"# {title}\n"
            "\n"
            f"{SUMMARY_PLACEHOLDER}\n"
            "\n"
            "> **Learning objectives**\n"
            ">\n"
            "> After this notebook you can:\n"
            ">\n"
            f"> - {OBJECTIVE_PLACEHOLDERS[0]};\n"
            f"> - {OBJECTIVE_PLACEHOLDERS[1]}.\n"
            "\n"
            "Part of section 1.8, Google Colab, of the Health Data Science course. "
            f"Read it with [1.8 Google Colab]({chapter_url})"),
        nbformat.v4.new_markdown_cell(
            "> **Synthetic data only**\n"
            ">\n"
            "> Every value in this notebook is made up by the notebook itself. No real\n"
            "> person is described; never upload real patient data to Colab."),
        nbformat.v4.new_code_cell(
            f"{CODE_PLACEHOLDER}\n"
            "ages = [34, 51, 67, 45]\n"
            'print(f"{len(ages)} synthetic patients, mean age {sum(ages) / len(ages):.1f}")'),
        nbformat.v4.new_markdown_cell(
            "> **Key points**\n"
            ">\n"
            f"> - {KEY_POINT_PLACEHOLDER}"),
    ]
    return nb


def stage_for_git(path: Path, root: Path) -> str:
    """`git add --intent-to-add path` inside a git work tree; returns what happened, for the output."""
    relative = path.relative_to(root).as_posix()
    try:
        inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=root,
                                capture_output=True, text=True, timeout=30)
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return f"not in a git work tree: `git add {relative}` once it is one"
        added = subprocess.run(["git", "add", "--intent-to-add", "--", relative], cwd=root,
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"git could not run ({error}): run `git add {relative}` yourself"
    if added.returncode != 0:
        return f"`git add --intent-to-add` failed ({added.stderr.strip()}): run `git add {relative}` yourself"
    return f"staged with `git add --intent-to-add {relative}`, so git lists it"


def _positional_first(argv: list[str]) -> list[str]:
    """Read the first argument as the positional one even when it starts with "-"
    (`make` passes it first), so a malformed value gets this script's own message."""
    if argv and argv[0] not in ("-h", "--help") and not argv[0].startswith("--"):
        return [*argv[1:], "--", argv[0]]
    return argv


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="a slug such as reading-csv-files")
    parser.add_argument("--title", help="the notebook's title (default: from NAME)")
    args = parser.parse_args(_positional_first(sys.argv[1:] if argv is None else list(argv)))

    notebooks = ROOT / "notebooks"
    mkdocs_yml = ROOT / "mkdocs.yml"
    name = args.name.strip()
    title = (args.title or name.replace("-", " ").capitalize()).strip()
    try:
        check_name(name, notebooks)
        if not title or "\n" in title:
            raise NewNotebookError("TITLE must be one non-empty line")
        filename = f"{next_number(notebooks):02d}-{name}.ipynb"
        relative = f"notebooks/{filename}"
        new_mkdocs = nav_insertion(mkdocs_yml.read_text(encoding="utf-8"), relative)
        nb = build_notebook(relative, title)
    except (NewNotebookError, ValueError) as error:
        print(f"new-notebook: {error}; nothing was changed.", file=sys.stderr)
        return 2

    from run_notebooks import execute  # needs the notebook tooling; imported once input is valid

    path = notebooks / filename
    print(f"[1/4] writing {relative}", flush=True)
    nbformat.write(nb, path)
    print(f"[2/4] running {relative}", flush=True)
    try:
        seconds = execute(path)
    except BaseException:
        path.unlink(missing_ok=True)
        print(f"new-notebook: running {relative} failed; it was removed and mkdocs.yml was not changed.",
              file=sys.stderr)
        raise
    print(f"  done in {seconds:.1f} s, cleaned", flush=True)
    print("[3/4] adding it to the nav in mkdocs.yml", flush=True)
    mkdocs_yml.write_text(new_mkdocs, encoding="utf-8")
    print("[4/4] telling git about it", flush=True)
    print(f"  {stage_for_git(path, ROOT)}", flush=True)
    print(f"Created {relative} ({title!r}). Next:\n"
          "  1. write it (replace every text in parentheses and the first code cell; synthetic data only),\n"
          "     with at least two exercises (docs/teach.md, \"Exercises: task, starter, check and solution\")\n"
          "     and a mistake students make for each in notebooks/wrong-answers.yml;\n"
          f"  2. after each change `make notebooks NB={relative}` (runs it, stores its outputs), then\n"
          f"     `make check NB={relative}` (student copy, rule book, leak guards, build, nbval);\n"
          "  3. `make test`;\n"
          f"  4. `git add {relative} exercises/{filename} notebooks/wrong-answers.yml mkdocs.yml`,\n"
          "     then commit and push.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
