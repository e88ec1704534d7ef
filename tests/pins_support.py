"""Exact pins and Colab's versions: the check behind tests/test_colab_runtime.py,
shared with the drift check's test (tests/test_colab_drift.py).

A pin may differ from Colab's runtime only with a note on its line saying why:
`# not Colab's X.Y.Z: reason` (naming the version Colab has) or
`# not in Colab's list: reason`.
"""
from __future__ import annotations

import re
from pathlib import Path

from notebook_rules import Runtime, read_pin_lines, shown_path


NOT_COLABS = re.compile(r"not Colab's (\S+): \S")
NOT_IN_COLAB = re.compile(r"not in Colab's list: \S")


def pins_not_matching_colab(pins_file: Path, runtime: Runtime) -> list[str]:
    """A problem for each pin that differs from Colab's runtime without a note saying why,
    and for each note that no longer fits (Colab changed, or the pin is Colab's after all)."""
    pins, problems = read_pin_lines(pins_file)
    for pin in sorted(pins, key=lambda p: p.name):
        where = f"{shown_path(pins_file)} line {pin.line}"
        colab = runtime.packages.get(pin.name)
        differs = NOT_COLABS.search(pin.note)
        if pin.name not in runtime.packages:
            if not NOT_IN_COLAB.search(pin.note):
                problems.append(f"{shown_path(pins_file)}: {pin.name}=={pin.version} is not in Colab's runtime "
                                f"at all ({where}: say why with `# not in Colab's list: reason`)")
        elif colab == pin.version:
            if differs or NOT_IN_COLAB.search(pin.note):
                problems.append(f"{where}: {pin.name}=={pin.version} is Colab's version, but its note "
                                f"says otherwise: remove the note")
        elif not differs:
            problems.append(f"{shown_path(pins_file)}: {pin.name} is pinned at {pin.version} but Colab's runtime "
                            f"has {colab} ({where}: pin {colab}, or say why with "
                            f"`# not Colab's {colab}: reason`)")
        elif differs.group(1) != colab:
            problems.append(f"{where}: {pin.name}: the note says Colab has {differs.group(1)}, but "
                            f"Colab's runtime now has {colab}: try {colab}, or update the note")
    return problems
