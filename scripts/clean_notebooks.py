"""Strip account metadata and volatile fields from the course's notebooks.

Uses nb-clean. What a committed notebook keeps: its cells, their outputs and
execution counts (nbval compares outputs only of executed cells) and each
cell's `tags`. What goes: all notebook-level metadata (Colab's `provenance`,
`authorship_tag`, `mount_file_id`, widget state) and every other cell field
(`executionInfo` with the author's name and id, execution timestamps, ids).

    python scripts/clean_notebooks.py [--check] [NOTEBOOK ...]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NB_CLEAN_OPTIONS = [
    "--remove-all-notebook-metadata",
    "--preserve-cell-outputs",
    "--preserve-execution-counts",
    "--preserve-cell-metadata-field", "tags",
]


def nb_clean() -> str:
    """Path of the nb-clean executable installed beside this Python."""
    found = shutil.which("nb-clean", path=str(Path(sys.executable).parent)) or shutil.which("nb-clean")
    if not found:
        raise SystemExit("nb-clean is not installed: run `make setup` (it is pinned in requirements.txt)")
    return found


def course_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def check(paths: list[Path]) -> subprocess.CompletedProcess:
    """nb-clean's verdict on `paths`: returncode 0 when all are clean, 1 when dirty (stdout names
    each notebook, cell and field), other codes when a notebook cannot be read (stderr names it)."""
    args = [nb_clean(), "check", *NB_CLEAN_OPTIONS, *map(str, paths)]
    if not paths:  # nb-clean with no path would read a notebook from standard input
        return subprocess.CompletedProcess(args, 0, "", "")
    return subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def clean(paths: list[Path]) -> None:
    """Clean `paths` in place. A notebook nb-clean cannot read is left as it was: SystemExit names it."""
    if not paths:
        return
    result = subprocess.run([nb_clean(), "clean", *NB_CLEAN_OPTIONS, *map(str, paths)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise SystemExit(f"nb-clean could not clean every notebook:\n{result.stderr.strip()}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report dirty notebooks, change nothing")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or course_notebooks()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"no such notebook: {', '.join(missing)}")
    if args.check:
        result = check(paths)
        print(result.stdout + result.stderr, end="")
        if result.returncode == 0:
            print(f"clean: {len(paths)} notebook(s) carry no account metadata or volatile fields")
        elif result.returncode == 1:
            print("dirty: run `make clean-notebooks student-copies` (cleans notebooks/, then writes the "
                  "student copies in exercises/ again from them)")
        else:
            print("error: a notebook could not be read (see above); nothing was changed")
        return result.returncode
    before = {p: p.read_bytes() for p in paths}
    clean(paths)
    for path in paths:
        changed = path.read_bytes() != before[path]
        print(f"{'cleaned' if changed else 'already clean'}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
