"""Colab's runtime as the course records it (notebooks/colab-runtime.txt), and the facts pages state.

The record is the one source for "which Colab the notebooks are tested
against": its header lines

    # python-version: 3.13.15
    # os: Ubuntu 22.04.5 LTS
    # backend-info-commit: a72407924822ea377410b69f0a290150bcb5c9c2
    # package-list-date: 2026-08-19

and one `name==version` line per package. read_record() parses it for the
hooks, scripts and tests. As a MkDocs hook, this module replaces placeholders
in the pages' Markdown with facts from the record, so no page repeats them by
hand:

    {colab-runtime:python}            3.13 (the minor version)
    {colab-runtime:python-full}       3.13.15
    {colab-runtime:date}              19 August 2026 (the date of Google's package list)
    {colab-runtime:os}                Ubuntu 22.04.5 LTS
    {colab-runtime:version NAME}      the version of package NAME, e.g. numpy -> 2.1.3

An unknown placeholder or package fails the build, naming the page.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

RECORD = Path(__file__).resolve().parent.parent / "notebooks" / "colab-runtime.txt"
HEADER = re.compile(r"^# ([a-z-]+): *(.+?)\s*$")
PACKAGE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*(\S+)|@\s*(\S+))\s*$")
PLACEHOLDER = re.compile(r"\{colab-runtime:([a-z-]+)(?: ([A-Za-z0-9._-]+))?\}")


def canonical(name: str) -> str:
    """A package name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class ColabRuntime:
    python: str                    # e.g. 3.13.15
    os: str
    commit: str
    date: datetime.date | None     # the package list's date
    packages: dict[str, str | None]  # canonical name -> version (None: installed from a URL)

    @property
    def python_minor(self) -> str:
        return ".".join(self.python.split(".")[:2])

    @property
    def date_text(self) -> str:
        return f"{self.date.day} {self.date:%B %Y}" if self.date else "an unrecorded date"


class RecordError(ValueError):
    """The record cannot be read: the message names the file and line."""


def parse_record(text: str, where: str = "colab-runtime.txt") -> ColabRuntime:
    header: dict[str, str] = {}
    packages: dict[str, str | None] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if match := HEADER.match(line):
            header[match[1]] = match[2]
            continue
        if not line or line.startswith("#"):
            continue
        match = PACKAGE.match(line)
        if not match:
            raise RecordError(f"{where} line {number}: not a pip freeze line: {line!r}")
        packages[canonical(match[1])] = match[2]
    if not re.fullmatch(r"3\.\d+\.\d+", header.get("python-version", "")):
        raise RecordError(f"{where}: needs a '# python-version: 3.X.Y' header line")
    try:
        date = datetime.date.fromisoformat(header["package-list-date"]) \
            if "package-list-date" in header else None
    except ValueError:
        raise RecordError(f"{where}: package-list-date must be YYYY-MM-DD, "
                          f"not {header['package-list-date']!r}") from None
    return ColabRuntime(header["python-version"], header.get("os", ""),
                        header.get("backend-info-commit", ""), date, packages)


def read_record(path: Path = RECORD) -> ColabRuntime:
    return parse_record(path.read_text(encoding="utf-8"), str(path))


def fill(markdown: str, runtime: ColabRuntime, where: str) -> str:
    """`markdown` with every {colab-runtime:...} placeholder replaced; ValueError names `where`."""
    def value(match: re.Match) -> str:
        key, argument = match[1], match[2]
        facts = {"python": runtime.python_minor, "python-full": runtime.python,
                 "date": runtime.date_text, "os": runtime.os}
        if key in facts and argument is None:
            return facts[key]
        if key == "version" and argument:
            version = runtime.packages.get(canonical(argument))
            if version:
                return version
            raise ValueError(f"{where}: {match[0]}: Colab's recorded runtime has no package "
                             f"{argument!r} with a version")
        raise ValueError(f"{where}: unknown placeholder {match[0]}; known: "
                         "{colab-runtime:python}, {colab-runtime:python-full}, {colab-runtime:date}, "
                         "{colab-runtime:os}, {colab-runtime:version NAME}")
    return PLACEHOLDER.sub(value, markdown)


def on_page_markdown(markdown, page, config, files):
    from mkdocs.exceptions import PluginError
    try:
        return fill(markdown, read_record(), f"docs/{page.file.src_uri}")
    except (ValueError, OSError) as error:
        raise PluginError(str(error)) from None
