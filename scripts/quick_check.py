"""An author's quick loop after changing one notebook: the student copies brought
up to date (exercises/, generated from notebooks/), the leak guards on the
notebook and its copy (the pre-commit hooks' commands: account metadata,
secrets, patient-like identifiers), the rule book, the strict build, then that
notebook's nbval, stopping at the first step that fails.

    python scripts/quick_check.py notebooks/NAME.ipynb      (or: make check NB=...)

Much quicker than `make test`, which also runs every notebook and the browser
tests: run that before pushing.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from course_links import student_copy_path  # noqa: E402


def steps(notebook: str) -> list[tuple[str, list[str]]]:
    """(name, command) of each step, run from the course's folder."""
    python = sys.executable
    guarded = [notebook, *([copy] if (ROOT / (copy := student_copy_path(notebook))).is_file() else [])]
    return [
        ("student copies", [python, "scripts/student_copies.py"]),
        # The leak guards' commands, as .pre-commit-config.yaml runs them: first, so that
        # a draft that breaks a rule still learns about an identifier or a secret in it.
        ("leak guard: account metadata", [python, "scripts/clean_notebooks.py", "--check", *guarded]),
        ("leak guard: secrets", [str(Path(python).parent / "detect-secrets-hook"), "--baseline",
                                 ".secrets.baseline", *guarded]),
        ("leak guard: patient-like identifiers", [python, "scripts/scan_identifiers.py", "--quiet", *guarded]),
        ("notebook rules", [python, "scripts/notebook_rules.py", notebook]),
        # Not --quiet: with it MkDocs 1.6 stops counting warnings, and --strict passes them.
        ("strict build", [python, "-m", "mkdocs", "build", "--strict"]),
        # pyproject.toml's options (--nbval, sanitize file), in this process: no xdist workers to start.
        ("nbval", [python, "-m", "pytest", "-n", "0", "-q", notebook]),
    ]


def run(notebook: str, root: Path = ROOT) -> tuple[int, dict[str, float]]:
    """Run the steps for `notebook`; (exit status, seconds per step run)."""
    seconds: dict[str, float] = {}
    for number, (name, command) in enumerate(steps(notebook), 1):
        print(f"[{number}/{len(steps(notebook))}] {name} ...", flush=True)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=root)
        seconds[name] = time.perf_counter() - start
        print(f"  {name}: {seconds[name]:.1f} s", flush=True)
        if result.returncode != 0:
            print(f"quick check: {name} failed for {notebook} (see above)", flush=True)
            return result.returncode, seconds
    print(f"quick check passed for {notebook} in {sum(seconds.values()):.1f} s", flush=True)
    return 0, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="the notebook you changed, e.g. notebooks/01-colab-quick-start.ipynb")
    args = parser.parse_args(argv)
    path = Path(args.notebook)
    if not path.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    return run(path.resolve().relative_to(ROOT).as_posix() if path.resolve().is_relative_to(ROOT)
               else str(path.resolve()))[0]


if __name__ == "__main__":
    sys.exit(main())
