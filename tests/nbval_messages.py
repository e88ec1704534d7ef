"""nbval failures that say what to do: a pytest plugin for the notebook tests.

nbval (`--nbval`, in pyproject.toml's addopts) runs every notebook and
compares each code cell's new outputs with the stored ones. Its own failure
report numbers code cells only ("Cell 2" is the third code cell), does not
say which side of its diff is stored, colours its text with ANSI codes even
in CI logs, and does not say how to fix a stale output. With this plugin:

- test ids and messages number cells as nbformat lists them, from 0, like the
  rest of the course's tooling (`make notebooks`, the rule book, the leak
  guards): `notebooks/X.ipynb::cell 4`;
- a failure starts with `notebooks/X.ipynb: cell 4: ...`, shows the cell's
  source and a diff whose `-` lines are the stored output (in the notebook
  file) and `+` lines the new run, and ends with the command that re-runs the
  notebook: `make notebooks NB=notebooks/X.ipynb`;
- no ANSI codes unless pytest writes to a terminal with colour.

pyproject.toml loads it (`-p nbval_messages`, with tests/ on pytest's
pythonpath), so `make test` and `pytest notebooks/X.ipynb` both use it. It
wraps nbval's collector so that each cell item nbval makes is re-made as a
subclass that only renames and reports: running, comparing and sanitizing
stay nbval's own (nbval is pinned in requirements.txt;
tests/test_nbval_catches_changes.py fails if a new version breaks this).
"""
from __future__ import annotations

import copy
import difflib
import json
import re
from collections import defaultdict

import nbval.plugin as nbval

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
MAX_DIFF_LINES = 60
STREAM_KEYS = {"stdout", "stderr"}


def rerun_command(path: str) -> str:
    return f"make notebooks NB={path}"


class CourseCell(nbval.IPyNbCell):
    """nbval's notebook cell item, numbered and reported in the course's way."""

    def __init__(self, name, parent, cell_num, cell, options):
        self.index = next(i for i, c in enumerate(parent.nb.cells) if c is cell)
        super().__init__(f"cell {self.index}", parent, cell_num, cell, options)
        self.code_cells = sum(c.cell_type == "code" for c in parent.nb.cells)
        self.stored_outputs = copy.deepcopy(cell.outputs)     # nbval merges streams in place later
        self.markup = self.config.get_terminal_writer().hasmarkup
        if not self.markup:
            self.colors = nbval.nocolors

    # --- where -------------------------------------------------------------------------
    def notebook(self) -> str:
        """The notebook's path as the author types it (relative to the rootdir, with /)."""
        try:
            return self.path.relative_to(self.config.rootpath).as_posix()
        except ValueError:
            return str(self.path)

    def reportinfo(self):
        return self.path, 0, f"{self.notebook()}::cell {self.index}"

    # --- the report ----------------------------------------------------------------------
    def repr_failure(self, excinfo, style=None):
        error = excinfo.value
        if not isinstance(error, nbval.NbCellError):
            return super().repr_failure(excinfo)
        notebook, reason = self.notebook(), str(error)
        where = f"{notebook}: cell {self.index} (code cell {error.cell_num + 1} of {self.code_cells})"
        lines: list[str]
        if reason == "Cell outputs differ":
            lines = [f"{where}: the stored output differs from a new run of the notebook", "",
                     *self.source_lines(), "", *self.output_diff(), "",
                     "The stored output is out of date if you changed the code (or a package changed what "
                     "it prints): re-run the notebook to store the new outputs, then review them with "
                     "`git diff`. If the new output is wrong, fix the cell first. Re-run it with:"]
        elif reason == "Cell execution caused an exception":
            lines = [f"{where}: the cell raised an exception when the notebook was run", "",
                     *self.source_lines(), "", "Traceback (new run):",
                     *self.plain(error.inner_traceback or "").strip("\n").splitlines(), "",
                     "Fix the cell (or what it depends on), then re-run the notebook to store its outputs:"]
        elif reason == "Unrun reference cell has outputs":
            lines = [f"{where}: the cell has stored outputs but no execution count (edited after a run)",
                     "", "Re-run the whole notebook to store outputs from a complete run:"]
        else:                   # time-outs and other kernel trouble
            lines = [f"{where}: {reason}", "", *self.source_lines(),
                     *(["", self.plain(error.inner_traceback)] if error.inner_traceback else []), "",
                     "When the cell runs again, re-run the notebook to store its outputs:"]
        lines.append(f"  {rerun_command(notebook)}")
        return "\n".join(lines)

    def plain(self, text: str) -> str:
        return text if self.markup else ANSI.sub("", text)

    def source_lines(self) -> list[str]:
        source = self.cell.source.splitlines() or [""]
        shown = source[:15] + ([f"    ... ({len(source) - 15} more lines)"] if len(source) > 15 else [])
        return [f"Cell {self.index} source:", *(f"    {line}" for line in shown)]

    def flattened(self, outputs) -> dict[str, list]:
        """The compared values of outputs, by stream name or MIME type, sanitized as nbval compares them."""
        values: dict[str, list] = defaultdict(list)
        for output in nbval.transform_streams_for_comparison(outputs):
            for key, value in output.items():
                if key in self.parent.skip_compare:
                    continue
                if key == "data":
                    for mime, data in value.items():
                        if mime not in self.parent.skip_compare:
                            values[mime].append(self.sanitize(data))
                else:
                    values[key].append(self.sanitize(value))
        return values

    def output_diff(self) -> list[str]:
        stored = self.flattened(nbval.coalesce_streams(copy.deepcopy(self.stored_outputs)))
        new = self.flattened(self.test_outputs or [])
        lines = ["Diff: lines starting with - are stored in the notebook file, lines starting with + "
                 "come from the new run."]
        for key in sorted(set(stored) | set(new)):
            if stored.get(key) == new.get(key):
                continue
            label = f"{key} stream" if key in STREAM_KEYS else key
            if key not in new:
                lines.append(f"{label}: stored in the notebook, but the new run has none")
            elif key not in stored:
                lines.append(f"{label}: the new run has it, the stored outputs have none")
            diff = list(difflib.unified_diff(as_lines(stored.get(key, [])), as_lines(new.get(key, [])),
                                             f"{label}, stored in the notebook", f"{label}, new run",
                                             lineterm="", n=2))
            if len(diff) > MAX_DIFF_LINES:
                diff = diff[:MAX_DIFF_LINES] + [f"... ({len(diff) - MAX_DIFF_LINES} more diff lines)"]
            lines.extend(f"    {line}" for line in diff)
        return lines


def as_lines(values: list) -> list[str]:
    lines: list[str] = []
    for value in values:
        text = value if isinstance(value, str) else json.dumps(value, indent=1, sort_keys=True)
        lines.extend(nbval._trim_base64(text).splitlines())
    return lines


def pytest_configure(config):
    if not (config.option.nbval or config.option.nbval_lax) or getattr(nbval.IPyNbFile.collect, "course", False):
        return
    collect_cells = nbval.IPyNbFile.collect

    def collect(notebook):
        """nbval's items (its options, markers and warnings), re-made as CourseCell items."""
        for item in collect_cells(notebook):
            yield CourseCell.from_parent(notebook, name=item.name, cell_num=item.cell_num, cell=item.cell,
                                         options=item.options)

    collect.course = True
    nbval.IPyNbFile.collect = collect
