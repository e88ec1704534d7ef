"""Run notebooks in simulated Colab, every configuration, and print the coverage report.

    python tests/colab_runtime_sim [NOTEBOOK ...]     (make colab-sim [NB=notebooks/x.ipynb])

Exits 1 when a cell fails or a Colab-only line never runs; the work folders
(each simulated runtime's disk, the executed notebooks) are kept for a look.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from colab_runtime_sim.simulate import ROOT, problems  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    work = Path(tempfile.mkdtemp(prefix="colab-sim-"))
    report, failures = [], []
    for number, path in enumerate(paths, 1):
        if not path.is_file():
            parser.error(f"{path}: no such notebook")
        print(f"[{number}/{len(paths)}] {path}", flush=True)
        found, coverage = problems(path, work / path.stem, progress=lambda line: print(line, flush=True))
        failures += found
        report.append(coverage.summary() if coverage else f"{path}: failed, no coverage")
    print("\nColab-only lines run in simulated Colab:")
    print("\n".join(f"  {line}" for line in report))
    if failures:
        print("\n" + "\n".join(failures), file=sys.stderr)
    print(f"\nWork folders: {work}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
