"""Exact pins and Colab's versions: the check behind tests/test_colab_runtime.py,
shared with the drift check's test (tests/test_colab_drift.py).

A pin may differ from Colab's runtime only with a note on its line saying why:
`# not Colab's X.Y.Z: reason` (naming the version Colab has) or
`# not in Colab's list: reason`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from notebook_rules import Runtime, shown_path


def _rel(path: Path) -> str:
    return shown_path(path)


@dataclass(frozen=True)
class Pin:
    line: int
    name: str  # canonical
    version: str
    note: str  # the comment on the line, without "#"


def read_pin_lines(path: Path) -> tuple[list[Pin], list[str]]:
    """Exact pins in a requirements file (with their line's comment), and a problem for
    every line that is not `name==version`."""
    pins: list[Pin] = []
    problems: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line, _, note = raw.partition("#")
        line = line.strip()
        if not line:
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            problems.append(f"{_rel(path)} line {number}: cannot parse {line!r}: {error}")
            continue
        specs = list(requirement.specifier)
        if len(specs) != 1 or specs[0].operator != "==":
            problems.append(f"{_rel(path)} line {number}: {line!r} is not an exact pin (name==version)")
            continue
        pins.append(Pin(number, canonicalize_name(requirement.name), specs[0].version, note.strip()))
    return pins, problems


NOT_COLABS = re.compile(r"not Colab's (\S+): \S")
NOT_IN_COLAB = re.compile(r"not in Colab's list: \S")


def pins_not_matching_colab(pins_file: Path, runtime: Runtime) -> list[str]:
    """A problem for each pin that differs from Colab's runtime without a note saying why,
    and for each note that no longer fits (Colab changed, or the pin is Colab's after all)."""
    pins, problems = read_pin_lines(pins_file)
    for pin in sorted(pins, key=lambda p: p.name):
        where = f"{_rel(pins_file)} line {pin.line}"
        colab = runtime.packages.get(pin.name)
        differs = NOT_COLABS.search(pin.note)
        if pin.name not in runtime.packages:
            if not NOT_IN_COLAB.search(pin.note):
                problems.append(f"{_rel(pins_file)}: {pin.name}=={pin.version} is not in Colab's runtime "
                                f"at all ({where}: say why with `# not in Colab's list: reason`)")
        elif colab == pin.version:
            if differs or NOT_IN_COLAB.search(pin.note):
                problems.append(f"{where}: {pin.name}=={pin.version} is Colab's version, but its note "
                                f"says otherwise: remove the note")
        elif not differs:
            problems.append(f"{_rel(pins_file)}: {pin.name} is pinned at {pin.version} but Colab's runtime "
                            f"has {colab} ({where}: pin {colab}, or say why with "
                            f"`# not Colab's {colab}: reason`)")
        elif differs.group(1) != colab:
            problems.append(f"{where}: {pin.name}: the note says Colab has {differs.group(1)}, but "
                            f"Colab's runtime now has {colab}: try {colab}, or update the note")
    return problems
