"""Measure the course site: build time, page weight and notebook run time.

    python scripts/bench.py        (or: make bench)

1. A cold build (mkdocs-jupyter's cache in .cache/mkdocs-jupyter cleared,
   fresh site folder) and a warm build (cache kept), both `--strict`.
2. The size of every built page, raw and gzipped; for notebook pages also the
   HTML without its figures (inline data: images), gzipped.
3. Each notebook executed top to bottom with nbclient, in a temporary copy
   (the notebooks in notebooks/ are not touched).
4. Every notebook in simulated Colab, every configuration (tests/colab_runtime_sim,
   as in `make test`), timed.
5. The budgets, one PASS/FAIL line each; the exit status is 1 when one fails.
6. scripts/bench_browser.py's main() (page weight in
   the browser, Lighthouse scores).
"""
from __future__ import annotations

import gzip
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import bench_browser
from local_site import ROOT, build_site

NOTEBOOKS = ROOT / "notebooks"
JUPYTER_CACHE = ROOT / ".cache" / "mkdocs-jupyter"

COLD_BUILD_SECONDS = 5.0
NOTEBOOK_RUN_SECONDS = 10.0
SIMULATED_COLAB_SECONDS = 90.0          # all notebooks, every configuration, plus the plain runs
NOTEBOOK_PAGE_GZIP_BYTES = 25 * 1024   # HTML without figures

DATA_URI = re.compile(rb"""data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+""")


def progress(message: str) -> None:
    print(message, flush=True)


def build(site_dir: Path) -> float:
    """Seconds taken by `mkdocs build --strict` into `site_dir`; exits on failure."""
    start = time.perf_counter()
    result = build_site(ROOT, site_dir)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"mkdocs build --strict failed:\n{result.stdout}{result.stderr}")
    return seconds


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


def kb(size: int) -> str:
    return f"{size / 1024:8.1f} KB"


def main() -> int:
    results: list[tuple[bool, str]] = []

    def check(ok: bool, text: str) -> None:
        results.append((ok, text))

    with tempfile.TemporaryDirectory(prefix="bench-site-") as folder:
        site = Path(folder) / "site"
        progress(f"Cold build: clearing {JUPYTER_CACHE.relative_to(ROOT)} and building into a fresh folder ...")
        shutil.rmtree(JUPYTER_CACHE, ignore_errors=True)
        cold = build(site)
        progress(f"  cold build: {cold:.2f} s")
        progress("Warm build: same cache, fresh folder ...")
        shutil.rmtree(site)
        warm = build(site)
        progress(f"  warm build: {warm:.2f} s")
        check(cold < COLD_BUILD_SECONDS, f"cold build {cold:.2f} s < {COLD_BUILD_SECONDS:.0f} s")

        progress("\nPage sizes (gzip -9):")
        progress(f"  {'page':<52} {'raw':>11} {'gzipped':>11} {'no figures':>11}")
        rows = page_sizes(site)
        for name, raw, packed, bare in rows:
            progress(f"  {name:<52} {kb(raw)} {kb(packed)} {kb(bare) if bare is not None else '':>11}")
        for sheet in ("assets/stylesheets/notebook.css",):
            data = (site / sheet).read_bytes()
            progress(f"  {sheet:<52} {kb(len(data))} {kb(gzipped_size(data))}")
        for name, _, _, bare in rows:
            if bare is not None:
                check(bare < NOTEBOOK_PAGE_GZIP_BYTES,
                      f"{name} without figures {bare / 1024:.1f} KB gzipped < {NOTEBOOK_PAGE_GZIP_BYTES // 1024} KB")

    progress("\nNotebook run times (nbclient, temporary copies):")
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

    progress("\nSimulated Colab (tests/colab_runtime_sim), every configuration of every notebook:")
    sys.path.insert(0, str(ROOT / "tests"))
    from colab_runtime_sim.simulate import problems
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-colab-") as folder:
        found = [p for notebook in sorted(NOTEBOOKS.glob("*.ipynb"))
                 for p in problems(notebook, Path(folder) / notebook.stem, progress)[0]]
    seconds = time.perf_counter() - start
    progress(f"  simulated Colab: {seconds:.1f} s" + (f", {len(found)} problem(s)" if found else ""))
    check(not found and seconds < SIMULATED_COLAB_SECONDS,
          f"simulated Colab runs without problems in {seconds:.1f} s < {SIMULATED_COLAB_SECONDS:.0f} s")

    progress("\nBudgets:")
    for ok, text in results:
        progress(f"  {'PASS' if ok else 'FAIL'}  {text}")
    failed = sum(not ok for ok, _ in results)

    progress("\nBrowser measurements (scripts/bench_browser.py):")
    try:
        outcome = bench_browser.main([])
    except SystemExit as exit_:
        outcome = exit_.code
    if outcome not in (None, 0):           # 1 when a target is missed or a tool is missing
        progress(f"  FAIL  bench_browser reported {outcome!r}")
        failed += 1

    progress(f"\n{failed} budget(s) failed." if failed else "\nAll budgets met.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
