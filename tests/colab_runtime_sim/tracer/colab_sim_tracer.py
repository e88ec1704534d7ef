"""Which lines of a notebook's cells ran, recorded inside the kernel.

The simulation (simulate.py) starts each kernel with an IPython startup file
that calls install(); it leaves nothing in the notebook's namespace. Each
cell's code is named by IPython's compiler (ipykernel names it after the
cell's text); before a cell runs, its name is tied to its execution count,
and every line run in code of that name, then or later (a function defined
in cell 5 and called in cell 11 counts for cell 5), is recorded with
sys.monitoring (Python 3.12+), each line once. After every cell the record is
written to the JSON file given: [{"counts": [execution counts], "lines": [...]}, ...].
"""
from __future__ import annotations

import json
import os
import sys


def install(shell, output: str) -> None:
    monitoring = sys.monitoring
    tool = next(i for i in (monitoring.COVERAGE_ID, 2, 3, 4) if monitoring.get_tool(i) is None)
    monitoring.use_tool_id(tool, "course notebook coverage")
    counts: dict[str, set[int]] = {}  # code name -> execution counts of the cells with that name
    lines: dict[str, set[int]] = {}

    def on_line(code, line):
        name = code.co_filename
        if name in counts:
            lines.setdefault(name, set()).add(line)
        return monitoring.DISABLE  # each place once is enough

    def pre_run_cell(info):
        raw = info.raw_cell
        try:
            name = shell.compile.get_code_name(raw, shell.transform_cell(raw), shell.execution_count)
        except Exception:  # a cell IPython cannot transform fails on its own, visibly
            return
        counts.setdefault(name, set()).add(shell.execution_count)

    def post_run_cell(result):
        record = [{"counts": sorted(counts[name]), "lines": sorted(lines.get(name, ()))} for name in counts]
        temporary = output + ".part"
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.replace(temporary, output)

    monitoring.register_callback(tool, monitoring.events.LINE, on_line)
    monitoring.set_events(tool, monitoring.events.LINE)
    shell.events.register("pre_run_cell", pre_run_cell)
    shell.events.register("post_run_cell", post_run_cell)
