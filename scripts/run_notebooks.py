"""Re-execute the course's notebooks in place, then clean them.

Each notebook runs top to bottom in a fresh kernel from the notebooks/ folder
(as in Colab, where nothing is installed first). Progress is printed per
cell. A notebook whose cell fails is left untouched on disk, and the error
names the notebook and the cell. A notebook with a cell that installs
software (the rule book's `installs-nothing`) is refused before anything runs.

This process talks to the kernel through Unix sockets in a private temporary
folder (Jupyter's IPC transport), not TCP ports: nothing listens on the
network, and newer ipykernels do not warn that the connection is
unencrypted (on Windows, which has no IPC transport, TCP on 127.0.0.1).

    python scripts/run_notebooks.py [NOTEBOOK ...]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets.config import Config

from clean_notebooks import clean, course_notebooks
from notebook_rules import check_paths

TIMEOUT_PER_CELL = 120
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")   # tracebacks are coloured for a terminal


class ProgressClient(NotebookClient):
    """A NotebookClient that prints one line per cell as it runs."""

    def __init__(self, nb, label, **kwargs):
        super().__init__(nb, **kwargs)
        self.label = label
        self.code_cells = sum(c.cell_type == "code" for c in nb.cells)
        self.done = 0           # code cells started so far
        self.cell_index = None  # index among all cells (as in nbval's messages) of the one running

    def where(self) -> str:
        """The running cell, e.g. "code cell 2 of 5 (cell 4)"."""
        return f"code cell {self.done} of {self.code_cells} (cell {self.cell_index})"

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        if cell.cell_type == "code":
            self.done += 1
            self.cell_index = cell_index
            print(f"  {self.label}: {self.where()}", flush=True)
        return await super().async_execute_cell(cell, cell_index, *args, **kwargs)


@contextmanager
def local_kernel_config():
    """Kernel manager settings for a kernel reached through Unix sockets in a private folder."""
    if os.name != "posix":
        yield Config()
        return
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        yield Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})


def execute(path: Path) -> float:
    """Run `path` in place; returns the seconds it took. Raises SystemExit naming the cell on failure,
    and before running anything if a cell would install software (on this machine, into whatever
    `pip` is first on PATH)."""
    installs = check_paths([path], ["installs-nothing"])
    if installs:
        raise SystemExit("\n".join(map(str, installs)) + f"\n{path}: not run, and not changed.")
    nb = nbformat.read(path, as_version=4)
    # coalesce_streams: one stdout output per cell, however the kernel chunked it,
    # so re-running a notebook does not churn its stored outputs.
    start = time.perf_counter()
    with local_kernel_config() as config:
        client = ProgressClient(nb, path.name, timeout=TIMEOUT_PER_CELL, kernel_name="python3",
                                coalesce_streams=True, config=config,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as error:
            text = str(error) if sys.stderr.isatty() else ANSI_COLOUR.sub("", str(error))
            if "ModuleNotFoundError" in text:
                text += (f"\nFor an import, the rule book says whether Colab has the package and what to "
                         f"pin: `make lint-notebooks NB={path}`")
            raise SystemExit(f"{path}: {client.where()} failed; the notebook was not changed.\n{text}") from None
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    clean([path])
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or course_notebooks()
    for number, path in enumerate(paths, 1):
        if not path.is_file():
            raise SystemExit(f"{path}: no such notebook")
        print(f"[{number}/{len(paths)}] {path}", flush=True)
        print(f"  done in {execute(path):.1f} s, cleaned", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
