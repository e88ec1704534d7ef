"""Measure the course against its speed and weight budgets, side by side in one run.

    python scripts/bench.py [--rounds N] [--skip-suite] [--skip-browser]   (or: make bench)

1. Cold builds, in scratch copies, taking turns for N rounds (median kept):
   the course (`mkdocs build --strict`, no mkdocs-jupyter cache), the same
   site built without the project's hooks (hooks list emptied, notebooks
   copied into docs/), and Jupyter Book on the same pages and notebooks
   (installed once in its own scratch environment, .cache/bench/, never in
   the project's requirements; its notebook copies name Python as their
   language, so its code is highlighted as the course's is). Printed as times
   and ratios, wall clock and CPU, with the stack's own ratio: the site
   without hooks against Jupyter Book.
2. The size of every built page, raw and gzipped; for notebook pages also the
   HTML without its figures (inline data: images), gzipped.
3. Each notebook executed top to bottom with nbclient, in a temporary copy;
   then every notebook in simulated Colab, every configuration
   (tests/colab_runtime_sim, as in `make test`), timed.
4. An author's quick loop on a copy of the course with one notebook edited:
   scripts/quick_check.py (the rule book, the strict build, that notebook's nbval).
5. The test suite warm, as `make test` runs it (skip with --skip-suite).
6. scripts/bench_browser.py on the built site (skip with --skip-browser).
7. The budgets, one PASS/FAIL line each; the exit status is 1 when one fails.

Ratios come from the same run. The verdict is the ratio of CPU time (the
builds are single-threaded, so on an idle machine it equals the wall-clock
one, and on a busy machine it is the one that stays put); the wall-clock ratio
is printed beside it.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_browser
from local_site import BUILD_ENVIRONMENT, ROOT, build_site, copy_course

NOTEBOOKS = ROOT / "notebooks"
BENCH_CACHE = ROOT / ".cache" / "bench"
JUPYTER_BOOK = "jupyter-book==1.0.4.post1"   # Sphinx-based; 2.x needs its theme from the internet

# Budgets.
VS_JUPYTER_BOOK = 0.8            # cold build, course / Jupyter Book
VS_NO_HOOKS = 1.3                # cold build, course / same site without the project's hooks
SUITE_SECONDS = 90.0             # `make test`, warm, with the browser tests
QUICK_LOOP_SECONDS = 30.0        # rules + strict build + one notebook's nbval
NOTEBOOK_RUN_SECONDS = 10.0
SIMULATED_COLAB_SECONDS = 90.0   # all notebooks, every configuration, plus the plain runs
NOTEBOOK_PAGE_GZIP_BYTES = 25 * 1024   # HTML without figures

DATA_URI = re.compile(rb"""data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+""")


def progress(message: str) -> None:
    print(message, flush=True)


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children); exits when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, **BUILD_ENVIRONMENT})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# --- The three builds --------------------------------------------------------------------------

def without_hooks(course: Path) -> Path:
    """The copy at `course` made to build with MkDocs, Material and mkdocs-jupyter alone."""
    config = course / "mkdocs.yml"
    text = re.sub(r"^hooks:\n(?:[ \t]+- .*\n)+", "", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text, encoding="utf-8")
    shutil.copytree(course / "notebooks", course / "docs" / "notebooks")   # what hooks/notebooks.py does
    return course


def nav_files(nav) -> list[str]:
    """The pages of an mkdocs.yml `nav`, in order."""
    files = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        files += nav_files(value) if isinstance(value, list) else [value]
    return files


def with_python_lexer(path: Path) -> None:
    """Name Python as the notebook's language, as mkdocs-jupyter assumes when a notebook names none.

    The course's notebooks carry no metadata (nb-clean). Without a language Jupyter Book's
    myst-nb leaves every code cell unhighlighted ("No source code lexer found"), while
    mkdocs-jupyter highlights them as Python; with it both sides render the same coloured code.
    """
    import nbformat

    node = nbformat.read(path, as_version=4)
    node.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    node.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    nbformat.write(node, path)


def jupyter_book_copy(course: Path, book: Path) -> Path:
    """The course's pages and notebooks as a Jupyter Book (same files, same order)."""
    from mkdocs.utils.yaml import yaml_load

    with open(course / "mkdocs.yml", encoding="utf-8") as handle:
        settings = yaml_load(handle)
    shutil.copytree(course / "docs", book)
    shutil.copytree(course / "notebooks", book / "notebooks")
    for path in sorted((book / "notebooks").glob("*.ipynb")):
        with_python_lexer(path)
    pages = [re.sub(r"\.(md|ipynb)$", "", page) for page in nav_files(settings["nav"])]
    (book / "_config.yml").write_text(
        f"title: {settings['site_name']}\nexecute:\n  execute_notebooks: 'off'\nonly_build_toc_files: true\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: " + pages[0] + "\nchapters:\n"
                                   + "".join(f"  - file: {page}\n" for page in pages[1:]))
    return book


def jupyter_book() -> Path:
    """jupyter-book in its own scratch environment (.cache/bench/jupyter-book), made once."""
    venv = BENCH_CACHE / "jupyter-book"
    program = venv / "bin" / "jupyter-book"
    marker = venv / "installed.txt"
    if not (program.is_file() and marker.is_file() and marker.read_text() == JUPYTER_BOOK):
        progress(f"  installing {JUPYTER_BOOK} into {venv.relative_to(ROOT)} (once) ...")
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                        "-q", JUPYTER_BOOK], check=True)
        marker.write_text(JUPYTER_BOOK)
    return program


def compare_builds(scratch: Path, rounds: int) -> tuple[dict[str, list[tuple[float, float]]], Path]:
    """Cold builds of the three sides, taking turns; returns their (wall, CPU) times and the course's site."""
    course = copy_course(scratch / "course", warm=False)
    bare = without_hooks(copy_course(scratch / "no-hooks", warm=False))
    book = jupyter_book_copy(course, scratch / "book")
    program = jupyter_book()
    sides = {
        # Not --quiet: with it MkDocs 1.6 stops counting warnings, and --strict passes them.
        "course": (course, [sys.executable, "-m", "mkdocs", "build", "--strict",
                            "--site-dir", str(scratch / "site")]),
        "no hooks": (bare, [sys.executable, "-m", "mkdocs", "build",
                            "--site-dir", str(scratch / "site-no-hooks")]),
        "Jupyter Book": (book, [str(program), "build", "--quiet", str(book)]),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for round_ in range(1, rounds + 1):
        for name, (folder, command) in sides.items():
            for cache in (folder / ".cache", folder / "_build"):
                shutil.rmtree(cache, ignore_errors=True)            # cold: no conversion cache, no output
            wall, cpu = timed(command, folder)
            times[name].append((wall, cpu))
            progress(f"  round {round_}/{rounds}: {name:<13} {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    return times, scratch / "site"


def median(values, index: int) -> float:
    return statistics.median(value[index] for value in values)


# --- Pages, notebooks, the quick loop, the suite ------------------------------------------------

def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def without_figures(html: bytes) -> bytes:
    """The page with its inline data: images emptied (figures are measured apart)."""
    return DATA_URI.sub(b"data:,", html)


def page_sizes(site: Path) -> list[tuple[str, int, int, int | None]]:
    """(page, raw bytes, gzipped bytes, gzipped bytes without figures for notebook pages)."""
    notebook_pages = {f"notebooks/{nb.stem}/index.html" for nb in sorted(NOTEBOOKS.glob("*.ipynb"))}
    rows = []
    for page in sorted(site.rglob("*.html")):
        name = page.relative_to(site).as_posix()
        data = page.read_bytes()
        bare = gzipped_size(without_figures(data)) if name in notebook_pages else None
        rows.append((name, len(data), gzipped_size(data), bare))
    return rows


def run_notebook(notebook: Path) -> float:
    """Seconds to execute a temporary copy of `notebook` with nbclient."""
    import nbformat
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="bench-nb-") as folder:
        copy = Path(folder) / notebook.name
        shutil.copy2(notebook, copy)
        nb = nbformat.read(copy, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": folder}})
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start


def quick_loop(scratch: Path, notebook: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of scripts/quick_check.py on a copy of the course where `notebook`'s
    first Markdown paragraph after its title was edited (the other notebooks stay cached)."""
    import nbformat

    course = copy_course(scratch / "quick-loop")
    shutil.copytree(ROOT / "tests", course / "tests")                  # the nbval sanitize file
    shutil.copy2(ROOT / "pyproject.toml", course / "pyproject.toml")   # pytest's options
    path = course / "notebooks" / notebook.name
    node = nbformat.read(path, as_version=4)
    title = next(cell for cell in node.cells if cell.cell_type == "markdown" and cell.source.startswith("# "))
    title.source = title.source.replace("\n\n", "\n\nEdited for the benchmark. ", 1)
    nbformat.write(node, path)
    return timed([sys.executable, "scripts/quick_check.py", f"notebooks/{notebook.name}"], course)


def suite() -> tuple[float, float]:
    """(wall, CPU) seconds of the test suite as `make test` runs it, after a build that warms the caches."""
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as folder:
        build_site(ROOT, Path(folder) / "site")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=ROOT,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tail = result.stdout.strip().splitlines()[-1:] or [""]
    progress(f"  pytest: {tail[0]}")
    if result.returncode != 0:
        progress(result.stdout[-3000:])
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def kb(size: int) -> str:
    return f"{size / 1024:8.1f} KB"


def simulated_colab(scratch: Path) -> tuple[float, list[str]]:
    """Seconds to run every notebook in every simulated Colab configuration, and the problems."""
    sys.path.insert(0, str(ROOT / "tests"))
    from colab_runtime_sim.simulate import problems

    start = time.perf_counter()
    found = [p for notebook in sorted(NOTEBOOKS.glob("*.ipynb"))
             for p in problems(notebook, scratch / "colab-sim" / notebook.stem, progress)[0]]
    return time.perf_counter() - start, found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold builds per side (default 3)")
    parser.add_argument("--skip-suite", action="store_true", help="do not time the test suite")
    parser.add_argument("--skip-browser", action="store_true", help="do not run scripts/bench_browser.py")
    args = parser.parse_args(argv)
    results: list[tuple[bool, str]] = []

    def check(ok: bool, text: str) -> None:
        results.append((ok, text))

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        scratch = Path(folder)
        progress(f"Cold builds, side by side ({args.rounds} rounds, taking turns):")
        times, site = compare_builds(scratch, args.rounds)
        progress(f"\n  {'median':<13} {'wall':>8} {'CPU':>8}   course / this (wall, CPU)   load {os.getloadavg()[0]:.1f}")
        course_wall, course_cpu = median(times["course"], 0), median(times["course"], 1)
        for name, values in times.items():
            wall, cpu = median(values, 0), median(values, 1)
            progress(f"  {name:<13} {wall:7.2f}s {cpu:7.2f}s   {course_wall / wall:5.2f}x  {course_cpu / cpu:5.2f}x")
        for name, budget in (("Jupyter Book", VS_JUPYTER_BOOK), ("no hooks", VS_NO_HOOKS)):
            ratio = course_cpu / median(times[name], 1)
            check(ratio <= budget, f"cold build {ratio:.2f}x {name}'s (CPU time; wall clock "
                                   f"{course_wall / median(times[name], 0):.2f}x) <= {budget}x")
        floor = median(times["no hooks"], 1) / median(times["Jupyter Book"], 1)
        progress(f"\n  Without any of the project's hooks, MkDocs, Material and mkdocs-jupyter alone take "
                 f"{floor:.2f}x Jupyter Book's CPU time;\n  the course can be no faster than that "
                 f"without replacing part of that stack.")

        progress("\nPage sizes (gzip -9):")
        progress(f"  {'page':<52} {'raw':>11} {'gzipped':>11} {'no figures':>11}")
        rows = page_sizes(site)
        for name, raw, packed, bare in rows:
            progress(f"  {name:<52} {kb(raw)} {kb(packed)} {kb(bare) if bare is not None else '':>11}")
        sheet = site / "assets/stylesheets/notebook.css"
        progress(f"  {'assets/stylesheets/notebook.css':<52} {kb(sheet.stat().st_size)} "
                 f"{kb(gzipped_size(sheet.read_bytes()))}")
        for name, _, _, bare in rows:
            if bare is not None:
                check(bare < NOTEBOOK_PAGE_GZIP_BYTES,
                      f"{name} without figures {bare / 1024:.1f} KB gzipped < {NOTEBOOK_PAGE_GZIP_BYTES // 1024} KB")

        progress("\nNotebook run times (nbclient, temporary copies):")
        slowest, slowest_seconds = None, -1.0
        for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
            progress(f"  running {notebook.name} ...")
            try:
                seconds = run_notebook(notebook)
            except Exception as error:  # a failing cell: report it, keep measuring the others
                progress(f"  {notebook.name}: failed: {type(error).__name__}: {str(error).strip()[-500:]}")
                check(False, f"{notebook.name} runs without error")
                continue
            progress(f"  {notebook.name}: {seconds:.2f} s")
            check(seconds < NOTEBOOK_RUN_SECONDS, f"{notebook.name} runs in {seconds:.2f} s < {NOTEBOOK_RUN_SECONDS:.0f} s")
            if seconds > slowest_seconds:
                slowest, slowest_seconds = notebook, seconds

        progress("\nSimulated Colab (tests/colab_runtime_sim), every configuration of every notebook:")
        seconds, found = simulated_colab(scratch)
        progress(f"  simulated Colab: {seconds:.1f} s" + (f", {len(found)} problem(s)" if found else ""))
        check(not found and seconds < SIMULATED_COLAB_SECONDS,
              f"simulated Colab runs without problems in {seconds:.1f} s < {SIMULATED_COLAB_SECONDS:.0f} s")

        if slowest is not None:
            progress(f"\nAn author's quick loop on {slowest.name} (the slowest notebook), edited in a copy:")
            seconds, cpu = quick_loop(scratch, slowest)
            progress(f"  scripts/quick_check.py: {seconds:.1f} s wall, {cpu:.1f} s CPU")
            check(seconds < QUICK_LOOP_SECONDS, f"quick loop {seconds:.1f} s < {QUICK_LOOP_SECONDS:.0f} s")

        if not args.skip_suite:
            progress("\nThe test suite, warm (python -m pytest, as `make test` runs it) ...")
            seconds, cpu = suite()
            progress(f"  {seconds:.1f} s wall on {os.cpu_count()} cores ({cpu:.1f} s CPU, "
                     f"load {os.getloadavg()[0]:.1f})")
            check(seconds < SUITE_SECONDS, f"make test warm {seconds:.1f} s < {SUITE_SECONDS:.0f} s")

        failed = 0
        if not args.skip_browser:
            progress("\nBrowser measurements (scripts/bench_browser.py):")
            try:
                outcome = bench_browser.main(["--site", str(site)])
            except SystemExit as exit_:
                outcome = exit_.code
            if outcome not in (None, 0):           # 1 when a target is missed or a tool is missing
                progress(f"  FAIL  bench_browser reported {outcome!r}")
                failed += 1

    progress("\nBudgets:")
    for ok, text in results:
        progress(f"  {'PASS' if ok else 'FAIL'}  {text}")
    failed += sum(not ok for ok, _ in results)
    progress(f"\n{failed} budget(s) failed." if failed else "\nAll budgets met.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
