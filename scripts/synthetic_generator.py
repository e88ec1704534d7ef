"""Run a notebook's declared synthetic-data generator cells and print the values they make.

The identifier scan (scripts/scan_identifiers.py) starts this script in a
subprocess, with a time limit, for a notebook that tags code cells
`synthetic-data-generator`. It reads those cells as a JSON list of
[label, source] pairs on stdin (the label names the cell in messages, e.g.
"cell 4"), runs them in order in one fresh namespace (in an empty temporary
folder, with a fixed hash seed), and writes a JSON object to stdout:

    {"values": [every string the run produced], "error": null or "what went wrong"}

"Produced" means: what the cells print or display, the value of a cell's last
expression, and every string, date and table cell held by the names the cells
define (lists, dicts, numpy arrays, pandas tables, recursively).

A generator makes its data from code: random numbers from a fixed seed,
made-up lists of words. While it runs, opening a file outside Python's own
installation, starting a program or using the network is refused, so values
read from a data file (real or not) never count as generated. This catches an
honest mistake; it is not a sandbox against code written to get around it.
Generator cells are plain Python: IPython magics (`%`, `!`) do not run here.
"""
from __future__ import annotations

import ast
import contextlib
import datetime as dt
import io
import json
import os
import sys
import tempfile
from pathlib import Path

MAX_VALUES = 200_000
MAX_DEPTH = 6
# Events refused while the generator runs (see the module docstring).
REFUSED_PREFIXES = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                    "os.fork", "pty.", "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.")


class Refused(PermissionError):
    """An operation a generator may not do."""


def readable_roots(workdir: Path) -> tuple[str, ...]:
    """Folders a generator may open files in: Python's installation and import path (its
    packages), the time zone database, devices for randomness, and its own temporary folder."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, str(workdir),
             "/usr/share/zoneinfo", "/usr/lib", "/usr/local/lib", "/dev/urandom", "/dev/null",
             "/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/sys/devices/system/cpu", "/sys/fs/cgroup"}
    roots.update(p for p in sys.path[1:] if p and Path(p).is_dir())     # [0]: this script's folder
    return tuple(sorted(os.path.realpath(r) for r in roots))


def install_guard(workdir: Path) -> None:
    roots = readable_roots(workdir)

    def allowed(path) -> bool:
        if isinstance(path, int):
            return True                 # an already-open descriptor
        real = os.path.realpath(os.path.join(workdir, os.fsdecode(path)))
        return any(real == root or real.startswith(root + os.sep) for root in roots)

    def guard(event: str, args: tuple) -> None:
        if event == "open" and args and args[0] is not None and not allowed(args[0]):
            raise Refused(f"a synthetic-data generator may not open files: {os.fsdecode(args[0])}")
        if event.startswith(REFUSED_PREFIXES):
            raise Refused(f"a synthetic-data generator may not start programs or use the network ({event})")

    sys.addaudithook(guard)


def collect(value, out: set[str], depth: int = 0) -> None:
    """Add the strings `value` holds (recursively) to `out`: text as is, dates in ISO form,
    pandas tables, series and numpy arrays cell by cell as pandas shows them."""
    if len(out) >= MAX_VALUES or depth > MAX_DEPTH:
        return
    if value is None or isinstance(value, (bool, int, float, complex, bytes)):
        return
    if isinstance(value, str):
        out.add(value)
        return
    if isinstance(value, (dt.date, dt.datetime)):
        out.update({str(value), value.isoformat()[:10]})
        return
    if isinstance(value, (type(sys), type(collect), type(len), type)):
        return
    pd, np = sys.modules.get("pandas"), sys.modules.get("numpy")
    if pd is not None and isinstance(value, pd.DataFrame):
        for column in value.columns:
            collect(column, out, depth + 1)
            collect(value[column], out, depth + 1)
        return
    if pd is not None and isinstance(value, (pd.Series, pd.Index)):
        collect(value.astype(str).tolist()[:MAX_VALUES], out, depth + 1)
        return
    if np is not None and isinstance(value, np.ndarray):
        if value.dtype.kind in "OUSMm":
            collect(value.astype(str).ravel().tolist()[:MAX_VALUES], out, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            collect(key, out, depth + 1)
            collect(item, out, depth + 1)
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            collect(item, out, depth + 1)
        return
    text = str(value)                 # numpy scalars, pandas timestamps, other objects: as printed
    if len(text) < 100_000:
        out.add(text)
        if hasattr(value, "isoformat"):
            out.add(str(value.isoformat())[:10])


def run(cells: list[tuple[str, str]], workdir: Path) -> dict:
    values: set[str] = set()
    printed = io.StringIO()
    shown: list = []
    namespace: dict = {"__name__": "__main__", "display": lambda *objects, **_: shown.extend(objects)}
    os.chdir(workdir)
    install_guard(workdir)
    error = None
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        for label, source in cells:
            try:
                tree = ast.parse(source, f"<{label}>")
                last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
                exec(compile(tree, f"<{label}>", "exec"), namespace)
                if last is not None:
                    shown.append(eval(compile(ast.Expression(last.value), f"<{label}>", "eval"), namespace))
            except BaseException as problem:  # noqa: BLE001  (reported to the scan, which fails)
                kind = "not plain Python" if isinstance(problem, SyntaxError) else type(problem).__name__
                error = f"{label} stopped: {kind}: {problem}"
                break
    for name, value in namespace.items():
        if not name.startswith("_") and name != "display":
            collect(value, values)
    collect(shown, values)
    values.update(line for line in printed.getvalue().splitlines() if line.strip())
    return {"values": sorted(values), "error": error}


def main() -> int:
    cells = json.load(sys.stdin)
    if not isinstance(cells, list) or not all(isinstance(c, list) and len(c) == 2 and all(isinstance(x, str) for x in c)
                                              for c in cells):
        print(json.dumps({"values": [], "error": "expected a JSON list of [label, source] pairs on stdin"}))
        return 2
    out = sys.stdout
    with tempfile.TemporaryDirectory(prefix="synthetic-generator-") as folder:
        os.environ.update({"HOME": folder, "MPLCONFIGDIR": folder, "MPLBACKEND": "Agg"})
        result = run([tuple(cell) for cell in cells], Path(folder))
        os.chdir(Path(folder).parent)
    out.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
