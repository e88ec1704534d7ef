"""Has Google Colab's runtime moved away from the one the course records and pins?

Fetches Colab's current package list and OS/Python line from the public
repository googlecolab/backend-info (its latest commit of pip-freeze.txt),
compares them with notebooks/colab-runtime.txt and the pins in
notebooks/requirements.txt (what the notebooks import) and
notebooks/kernel-requirements.txt (the kernel), and reports every pinned
package whose version Colab changed, and a change of Python's minor version.

    python scripts/colab_drift.py [--report FILE] [--github-output FILE] [--update]

Exit status: 0 nothing the notebooks depend on moved; 1 something moved (the
report says what); 2 the lists could not be fetched or read. --update
rewrites the record from the fetched lists and moves every pin to Colab's new
version (a pin noted "not Colab's X" keeps its version and its note is moved
to the new X, for a person to check the reason); then run `make notebooks`,
`make lint-notebooks` (it names notebook sentences stating the old runtime)
and `make test`. Only the standard library is used, so it runs before `make setup`.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from colab_runtime import ColabRuntime, canonical, parse_record  # noqa: E402

API = "https://api.github.com/repos/googlecolab/backend-info"
RAW = "https://raw.githubusercontent.com/googlecolab/backend-info"
PIN_FILES = {"notebooks/requirements.txt": "imported by the notebooks",
             "notebooks/kernel-requirements.txt": "the notebooks' kernel"}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)(?P<space>\s*)(?:#(?P<note>.*))?$")
NOT_COLABS = re.compile(r"not Colab's (\S+):")
TIMEOUT = 30


class FetchError(Exception):
    pass


@dataclass
class Move:
    name: str
    recorded: str | None   # Colab's version in the record (None: not in the list)
    now: str | None        # Colab's version in the fetched list (None: gone)
    pinned: str
    role: str              # imported by the notebooks / the notebooks' kernel
    deliberate: bool       # the pin differs from Colab on purpose (a note says why)

    def line(self) -> str:
        now = self.now or "removed from the list"
        recorded = self.recorded or "not in the list"
        if self.deliberate:
            return (f"| {self.name} | {recorded} | {now} | {self.pinned}, not Colab's on purpose: check "
                    f"the reason in its note still holds | {self.role} |")
        return f"| {self.name} | {recorded} | {now} | {self.pinned} | {self.role} |"


@dataclass
class Fetched:
    commit: str
    date: str              # YYYY-MM-DD
    freeze: str            # pip-freeze.txt
    os_info: str           # os-info.txt

    @property
    def os_name(self) -> str:
        lines = [line.strip() for line in self.os_info.splitlines() if line.strip() and not line.startswith("#")]
        return lines[0] if lines else ""

    @property
    def python(self) -> str:
        match = re.search(r"^Python (3\.\d+\.\d+)", self.os_info, re.M)
        if not match:
            raise FetchError("os-info.txt has no 'Python 3.X.Y' line")
        return match[1]


def get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "health-data-science-course-colab-drift"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read()
    except (urllib.error.URLError, OSError) as error:
        raise FetchError(f"{url}: {getattr(error, 'reason', error)}") from None


def fetch(api: str, raw: str) -> Fetched:
    commits = json.loads(get(f"{api}/commits?path=pip-freeze.txt&per_page=1"))
    if not commits:
        raise FetchError(f"{api}/commits: no commit touches pip-freeze.txt")
    commit = commits[0]["sha"]
    date = commits[0]["commit"]["committer"]["date"][:10]
    return Fetched(commit, date, get(f"{raw}/{commit}/pip-freeze.txt").decode(),
                   get(f"{raw}/{commit}/os-info.txt").decode())


def pins(root: Path) -> list[tuple[str, str, str, str | None]]:
    """(file, canonical name, pinned version, the Colab version a "not Colab's X" note names)."""
    found = []
    for name, _ in PIN_FILES.items():
        for line in (root / name).read_text().splitlines():
            match = PIN.match(line.strip())
            if match:
                noted = NOT_COLABS.search(match["note"] or "")
                found.append((name, canonical(match["name"]), match["version"],
                              noted[1] if noted else None))
    return found


def compare(record: ColabRuntime, now: ColabRuntime, root: Path) -> list[Move]:
    moves, seen = [], set()
    for file, name, pinned, noted in pins(root):
        if name in seen:
            continue
        seen.add(name)
        recorded, current = record.packages.get(name), now.packages.get(name)
        if recorded != current:
            moves.append(Move(name, recorded, current, pinned, PIN_FILES[file], noted is not None or
                              (recorded is None and pinned != current)))
    return moves


def report(record: ColabRuntime, fetched: Fetched, now: ColabRuntime, moves: list[Move], root: Path) -> str:
    pinned = {name for _, name, _, _ in pins(root)}
    others = sorted(name for name in set(record.packages) | set(now.packages)
                    if name not in pinned and record.packages.get(name) != now.packages.get(name))
    python_moved = record.python_minor != now.python_minor
    published = parse_record(f"# python-version: {now.python}\n# package-list-date: {fetched.date}\n")
    lines = [f"Colab's package list of {published.date_text} (googlecolab/backend-info commit "
             f"`{fetched.commit[:12]}`), compared with the one the course records "
             f"({record.date_text}, commit `{record.commit[:12]}`).", ""]
    if python_moved:
        lines += [f"- **Python moved: {record.python} -> {now.python}** (minor version "
                  f"{record.python_minor} -> {now.python_minor}).", ""]
    elif record.python != now.python:
        lines += [f"- Python: {record.python} -> {now.python} (same minor version).", ""]
    if moves:
        lines += ["| Package | Recorded | Colab now | Course pin | Role |", "| --- | --- | --- | --- | --- |"]
        lines += [move.line() for move in moves] + [""]
    if not moves and not python_moved:
        lines += ["Nothing the notebooks import or run on moved: no pinned package and not Python's "
                  "minor version.", ""]
    lines += [f"{len(others)} other package(s) changed, none of them imported by the notebooks"
              + (f" ({', '.join(others[:12])}{', ...' if len(others) > 12 else ''})." if others else "."), ""]
    if moves or python_moved:
        lines += ["To follow Colab: `python scripts/colab_drift.py --update` (rewrites "
                  "notebooks/colab-runtime.txt and the pins), then `make notebooks`, `make lint-notebooks` "
                  "(it names every notebook sentence that still states the old runtime) and `make test` "
                  "(it names the source notes and claims.yml entries that still cite the old list)."]
    return "\n".join(lines) + "\n"


def update(root: Path, fetched: Fetched, now: ColabRuntime) -> None:
    """Rewrite the record and the pins to follow the fetched lists."""
    record_path = root / "notebooks" / "colab-runtime.txt"
    header = []
    values = {"python-version": now.python, "os": fetched.os_name, "backend-info-commit": fetched.commit,
              "package-list-date": fetched.date}
    for line in record_path.read_text().splitlines():
        if not line.startswith("#"):
            break
        key = re.match(r"# ([a-z-]+):", line)
        header.append(f"# {key[1]}: {values[key[1]]}" if key and key[1] in values else line)
    packages = [line.strip() for line in fetched.freeze.splitlines()
                if line.strip() and not line.startswith("#")]
    record_path.write_text("\n".join(header + packages) + "\n")
    for name in PIN_FILES:
        path = root / name
        lines = []
        for line in path.read_text().splitlines():
            match = PIN.match(line.strip())
            colab = now.packages.get(canonical(match["name"])) if match else None
            if match and colab:
                noted = NOT_COLABS.search(match["note"] or "")
                if noted:
                    line = line.replace(f"not Colab's {noted[1]}:", f"not Colab's {colab}:")
                elif "not in Colab's list" not in (match["note"] or ""):
                    line = f"{match['name']}=={colab}{match['space']}" + \
                           (f"#{match['note']}" if match["note"] is not None else "")
            lines.append(line.rstrip())
        path.write_text("\n".join(lines) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="also write the Markdown report to FILE")
    parser.add_argument("--github-output", type=Path,
                        help="append status=0|1 and python=3.X (Colab's minor version now) to FILE")
    parser.add_argument("--update", action="store_true", help="rewrite the record and the pins")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--api", default=API, help=argparse.SUPPRESS)
    parser.add_argument("--raw", default=RAW, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    record_path = args.root / "notebooks" / "colab-runtime.txt"
    try:
        record = parse_record(record_path.read_text(), str(record_path))
        print(f"Fetching Colab's current package list from {args.api} ...", flush=True)
        fetched = fetch(args.api, args.raw)
        now = parse_record(f"# python-version: {fetched.python}\n{fetched.freeze}",
                           f"{args.raw}/{fetched.commit}/pip-freeze.txt")
    except (FetchError, ValueError, KeyError, OSError) as error:
        print(f"colab_drift: cannot compare: {error}", file=sys.stderr)
        return 2
    moves = compare(record, now, args.root)
    moved = bool(moves) or record.python_minor != now.python_minor
    text = report(record, fetched, now, moves, args.root)
    print(text, end="")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text)
    if args.github_output:
        with args.github_output.open("a") as output:
            output.write(f"status={int(moved)}\npython={now.python_minor}\n")
    if args.update:
        update(args.root, fetched, now)
        print(f"Updated {record_path} and the pins; now run `make notebooks` and `make test`.")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
