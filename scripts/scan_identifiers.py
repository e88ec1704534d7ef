"""Scan the course for patient-like identifiers: SSNs, phone numbers, e-mail
addresses, medical record numbers, dates of birth and street addresses.

What is scanned (by default every tracked or new, non-ignored file of these kinds):
- Markdown pages (*.md), line by line;
- notebooks (*.ipynb): every cell's source and every output's text
  (stream text, error tracebacks, and each text/* or *json MIME bundle:
  text/plain, text/html, Colab's dataframe summaries...); images are skipped;
- data files (*.csv, *.tsv, *.json, *.jsonl, *.txt): line by line, and for
  CSV/TSV also by column (a `dob`/`birth_date` column holds dates of birth,
  an `mrn`/`patient_id` column holds record numbers). Spreadsheets and other
  binary data files (*.xlsx, *.parquet, *.sav ...) cannot be read here and
  are findings: commit data as CSV.
Tables printed in outputs and Markdown tables are read by column too: below
a line naming a dob-like column, up to a blank line, full dates are dates of
birth; below an MRN-like column, ids like ABC12345 or 6+ digits are record numbers.

What is allowed:
- Everything in a notebook that declares its data synthetic, with a Markdown
  cell tagged `synthetic-data`: reported as allowed (counts per notebook and kind).
- Reserved example values where they are documentation (Markdown pages and
  notebook source cells, e.g. `git config user.email you@example.com`):
  e-mail at RFC 2606 / RFC 6761 domains (example.com/.org/.net, *.example,
  *.test, *.invalid, *.localhost), NANP fictional numbers 555-0100 to
  555-0199, SSNs that can never be issued (area 000, 666 or 900-999, group
  00 or serial 0000). They cannot belong to anyone. Where they are data (an
  output, a data file) they are records: they count unless the notebook is
  declared synthetic. Also never identifiers: `git@host:` SSH addresses,
  `...[bot]@` addresses, and names@like.png (a file name, not an address).
- A date counts as a date of birth only near a birth label (DOB, born, date
  of birth, birthday...) or under a dob-like column, so release dates,
  version numbers (2.2.3) and ISBNs are not findings.

    python scripts/scan_identifiers.py [PATH ...]

Exits 1 when something is found, printing one line per finding (file,
notebook cell or line, kind, and the value masked so the log leaks nothing).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC_TAG = "synthetic-data"

MARKDOWN = {".md", ".markdown"}
NOTEBOOK = {".ipynb"}
TEXT_DATA = {".csv", ".tsv", ".json", ".jsonl", ".txt"}
BINARY_DATA = {".xlsx", ".xls", ".xlsm", ".ods", ".parquet", ".feather", ".arrow", ".sav",
               ".dta", ".sas7bdat", ".rds", ".rdata", ".h5", ".hdf5", ".sqlite", ".db", ".pkl",
               ".pickle", ".npy", ".npz"}
SCANNED = MARKDOWN | NOTEBOOK | TEXT_DATA | BINARY_DATA
# Files that are data-shaped but are tooling, never course data.
SKIPPED_NAMES = {"package-lock.json", "package.json", ".secrets.baseline"}
SKIPPED_DIRS = {".git", ".venv", "node_modules", "site", ".cache", "__pycache__", ".pytest_cache"}

KINDS = ("ssn", "phone", "email", "mrn", "date-of-birth", "street-address", "unreadable-data-file")

# --- patterns --------------------------------------------------------------
_NOT_DIGIT_BEFORE = r"(?<![\w-])(?<!\d\.)"
_NOT_DIGIT_AFTER = r"(?![\w-]|\.\d)"
SSN = re.compile(_NOT_DIGIT_BEFORE + r"(\d{3})-(\d{2})-(\d{4})" + _NOT_DIGIT_AFTER)
SSN_LABELLED = re.compile(r"\b(?:SSN|social security(?: number| no\.?)?)\b[\s:#=\"'-]{0,4}(\d{9})\b", re.I)
PHONE = re.compile(
    _NOT_DIGIT_BEFORE
    + r"(?:\+?1[\s.-]?)?(?:\(([2-9]\d{2})\)\s?|([2-9]\d{2})[\s.-])([2-9]\d{2})[\s.-](\d{4})"
    + _NOT_DIGIT_AFTER)
EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+\-\[\]]+)@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})\b")
MRN = re.compile(
    r"\b(?:MRN|medical[ _-]?record(?:[ _-]?(?:number|num|no\.?|#))?|patient[ _-]?(?:id|number|no\.?))"
    r"(?:\W{0,4})([A-Z]{0,3}-?\d[\d-]{4,}\d)\b", re.I)
_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
FULL_DATE = re.compile(
    r"(?<![\w.-])(?:"
    r"(?P<iy>(?:19|20)\d{2})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})"           # 1984-03-12
    r"|(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>(?:19|20)\d{2})"            # 03/12/1984, 12.03.1984
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTHS + r"\.?,?\s+(?:19|20)\d{2}"        # 12 March 1984
    r"|" + _MONTHS + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"        # March 12, 1984
    r")(?![\w-]|\.\d)", re.I)
BIRTH_LABEL = re.compile(r"\b(?:d\.?o\.?b\.?|date[ _-]?of[ _-]?birth|birth[ _-]?(?:date|day|dt)|birthday|born)\b",
                         re.I)
BIRTH_COLUMN = re.compile(r"(?<![A-Za-z])(?:dob|date_?of_?birth|birth_?(?:date|day|dt))(?![A-Za-z])", re.I)
MRN_HEADER = re.compile(r"(?<![A-Za-z])(?:mrn|medical_?record_?(?:number|num|no)|patient_?(?:id|number|no))(?![A-Za-z])",
                        re.I)
RECORD_ID = re.compile(r"(?<![\w-])(?:[A-Z]{1,4}-?\d{5,}|\d{6,})(?![\w-])")
MRN_COLUMN = re.compile(r"^(?:mrn|medical_?record(?:_?(?:number|num|no))?|patient_?(?:id|number|no))$", re.I)
STREET = re.compile(
    r"(?<![\w.-])\d{1,5}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\.?\s+|\d{1,3}(?:st|nd|rd|th)\s+){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Ter|"
    r"Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Way)\b\.?")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

RESERVED_DOMAINS = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$", re.I)
FILE_SUFFIX_TLDS = {"png", "jpg", "jpeg", "gif", "svg", "webp", "ipynb", "py", "md", "css", "js",
                    "html", "json", "csv", "txt", "yml", "yaml", "pdf"}


@dataclass(frozen=True)
class Hit:
    kind: str
    value: str
    reserved: bool = False      # a reserved example value: fine where it is documentation


@dataclass(frozen=True)
class Finding:
    path: str
    place: str
    kind: str
    value: str

    def line(self) -> str:
        return f"{self.path}: {self.place}: {self.kind} {mask(self.value)}"


def mask(value: str) -> str:
    """The value with every inner letter or digit hidden, so a report never repeats an identifier."""
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + re.sub(r"[A-Za-z0-9]", "*", value[1:-1]) + value[-1]


def _valid_date(y: int, m: int, d: int) -> bool:
    return 1900 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= 31


def _is_date(match: re.Match) -> bool:
    g = match.groupdict()
    if g["iy"]:
        return _valid_date(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["y"]:
        a, b, y = int(g["a"]), int(g["b"]), int(g["y"])
        return _valid_date(y, a, b) or _valid_date(y, b, a)
    return True


def dates(text: str):
    return [m for m in FULL_DATE.finditer(text) if _is_date(m)]


def scan_line(line: str, birth_column: bool = False, mrn_column: bool = False) -> list[Hit]:
    """Identifier-like values in one line of text. `birth_column`, `mrn_column`: the line is a row
    under a dob-like or record-number-like column."""
    hits: list[Hit] = []
    if any(ch.isdigit() for ch in line):
        for m in SSN.finditer(line):
            area, group, serial = m.groups()
            impossible = area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000"
            hits.append(Hit("ssn", m.group(0), reserved=impossible))
        for m in SSN_LABELLED.finditer(line):
            hits.append(Hit("ssn", m.group(1)))
        for m in PHONE.finditer(line):
            npa = m.group(1) or m.group(2)
            nxx, number = m.group(3), m.group(4)
            if npa[1:] == "11" or nxx[1:] == "11":      # N11 service codes are not numbers
                continue
            fictional = nxx == "555" and 100 <= int(number) <= 199
            hits.append(Hit("phone", m.group(0).strip(), reserved=fictional))
        labelled = [m.span() for m in MRN.finditer(line)]
        hits.extend(Hit("mrn", line[a:b]) for a, b in labelled)
        if mrn_column:
            hits.extend(Hit("mrn", m.group(0)) for m in RECORD_ID.finditer(line)
                        if not any(a <= m.start() < b for a, b in labelled))
        found_dates = dates(line)
        if found_dates:
            labels = [m.end() for m in BIRTH_LABEL.finditer(line)]
            for d in found_dates:
                near_label = any(0 <= d.start() - end <= 40 for end in labels)
                if near_label or birth_column:
                    hits.append(Hit("date-of-birth", d.group(0)))
        for m in STREET.finditer(line):
            hits.append(Hit("street-address", m.group(0).strip()))
    if "@" in line:
        for m in EMAIL.finditer(line):
            local, domain = m.group(1), m.group(2)
            if domain.rsplit(".", 1)[-1].lower() in FILE_SUFFIX_TLDS or local == "git" or "[bot]" in local:
                continue
            hits.append(Hit("email", m.group(0), reserved=bool(RESERVED_DOMAINS.search(domain))))
    return hits


def scan_block(text: str, column_rule: bool = True) -> list[tuple[int, Hit]]:
    """(line number from 1, hit) for a block of text. With `column_rule`, a line naming a dob-like
    column makes the dates on the lines below it, up to the next blank line, dates of birth, and a
    line naming an MRN-like column makes record-id-like values below it (ABC12345, 6+ digits)
    record numbers: tables in outputs (text/plain, text/html), Markdown tables, JSON records."""
    results = []
    birth = mrn = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            birth = mrn = False
            continue
        results.extend((number, hit) for hit in scan_line(line, birth_column=birth, mrn_column=mrn))
        if column_rule:
            birth = birth or bool(BIRTH_COLUMN.search(line))
            mrn = mrn or bool(MRN_HEADER.search(line))
    return results


def scan_table(text: str, delimiter: str) -> list[tuple[int, Hit]]:
    """Column-aware hits for CSV/TSV: values under dob-like or MRN-like headers."""
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, None)
    if not header:
        return []
    birth = [i for i, name in enumerate(header) if BIRTH_COLUMN.fullmatch(name.strip())]
    mrn = [i for i, name in enumerate(header) if MRN_COLUMN.match(name.strip())]
    results = []
    for number, row in enumerate(rows, 2):
        for i in birth:
            if i < len(row) and dates(row[i]):
                results.append((number, Hit("date-of-birth", row[i])))
        for i in mrn:
            if i < len(row) and sum(ch.isdigit() for ch in row[i]) >= 4:
                results.append((number, Hit("mrn", row[i])))
    return results


# --- files -----------------------------------------------------------------
def _text(value) -> str:
    if isinstance(value, list):
        return "".join(map(str, value))
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=1)


def notebook_units(nb: dict):
    """(place, text, is_documentation) for every cell source and output of a notebook."""
    for index, cell in enumerate(nb.get("cells", [])):
        yield f"cell {index}, source", _text(cell.get("source", "")), True
        for number, output in enumerate(cell.get("outputs", []) or []):
            kind = output.get("output_type", "?")
            if kind == "stream":
                yield f"cell {index}, output {number} ({output.get('name', 'stream')})", _text(output.get("text", "")), False
            elif kind == "error":
                text = "\n".join([f"{output.get('ename', '')}: {output.get('evalue', '')}",
                                  *map(str, output.get("traceback", []))])
                yield f"cell {index}, output {number} (error)", ANSI.sub("", text), False
            for mime, value in (output.get("data") or {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    yield f"cell {index}, output {number} ({mime})", _text(value), False


def declares_synthetic(nb: dict) -> bool:
    return any(cell.get("cell_type") == "markdown"
               and SYNTHETIC_TAG in ((cell.get("metadata") or {}).get("tags") or [])
               for cell in nb.get("cells", []))


@dataclass
class FileReport:
    findings: list[Finding]
    allowed_synthetic: Counter
    allowed_examples: Counter
    synthetic: bool = False


def scan_file(path: Path, shown: str) -> FileReport:
    report = FileReport([], Counter(), Counter())
    suffix = path.suffix.lower()

    def add(place: str, hit: Hit, documentation: bool) -> None:
        if report.synthetic:
            report.allowed_synthetic[hit.kind] += 1
        elif hit.reserved and documentation:
            report.allowed_examples[hit.kind] += 1
        else:
            report.findings.append(Finding(shown, place, hit.kind, hit.value))

    if suffix in BINARY_DATA:
        report.findings.append(Finding(shown, "whole file", "unreadable-data-file",
                                       f"{suffix} cannot be scanned: commit data as CSV"))
        return report
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        report.findings.append(Finding(shown, f"byte {error.start}", "unreadable-data-file",
                                       "not UTF-8 text: commit data as UTF-8 CSV"))
        return report
    if suffix in NOTEBOOK:
        try:
            nb = json.loads(raw)
        except json.JSONDecodeError as error:
            raise SystemExit(f"{shown}: line {error.lineno}: not a readable notebook ({error.msg})") from None
        report.synthetic = declares_synthetic(nb)
        for place, text, documentation in notebook_units(nb):
            for number, hit in scan_block(text):
                add(f"{place}, line {number}", hit, documentation)
        return report
    documentation = suffix in MARKDOWN
    tabular = suffix in (".csv", ".tsv")       # columns are read exactly below
    seen = set()
    for number, hit in scan_block(raw, column_rule=not tabular):
        seen.add((number, hit.kind))
        add(f"line {number}", hit, documentation)
    if tabular:
        for number, hit in scan_table(raw, "\t" if suffix == ".tsv" else ","):
            if (number, hit.kind) not in seen:
                add(f"line {number}", hit, documentation)
    return report


def _listed_files(root: Path) -> list[Path] | None:
    """Tracked and new, non-ignored files under `root` (None outside a git work tree)."""
    try:
        result = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return [root / name for name in result.stdout.split("\0") if name]


def selected(path: Path) -> bool:
    return (path.suffix.lower() in SCANNED and path.name not in SKIPPED_NAMES
            and not any(part in SKIPPED_DIRS for part in path.parts))


def course_files(root: Path = ROOT) -> list[Path]:
    files = _listed_files(root)
    if files is None:
        files = []
        for dirpath, dirnames, names in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
            files.extend(Path(dirpath) / name for name in names)
    return sorted(p for p in files if p.is_file() and selected(p.relative_to(root)))


def expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(p for p in course_files(path.resolve()))
        elif path.is_file():
            if path.suffix.lower() in SCANNED and path.name not in SKIPPED_NAMES:
                out.append(path)     # other files (code, styles, images) hold no course data
        else:
            raise SystemExit(f"{path}: no such file or folder")
    return out


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def scan(paths: list[Path], progress=None) -> tuple[list[Finding], dict, dict]:
    """Findings, and the allowed counts {file: Counter(kind)} for synthetic notebooks and for examples."""
    findings: list[Finding] = []
    allowed_synthetic: dict[str, Counter] = {}
    allowed_examples: dict[str, Counter] = defaultdict(Counter)
    for number, path in enumerate(paths, 1):
        shown = _shown(path)
        report = scan_file(path, shown)
        findings.extend(report.findings)
        if report.synthetic:
            allowed_synthetic[shown] = report.allowed_synthetic
        if report.allowed_examples:
            allowed_examples[shown] += report.allowed_examples
        if progress:
            state = (f"{len(report.findings)} finding(s)" if report.findings else
                     "declared synthetic" if report.synthetic else "ok")
            progress(f"[{number}/{len(paths)}] {shown}: {state}")
    return findings, allowed_synthetic, dict(allowed_examples)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counter.items())) or "nothing"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or folders (default: the repository's Markdown, notebooks and data files)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-file progress lines")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = expand(args.paths) if args.paths else course_files()
    findings, synthetic, examples = scan(paths, progress=None if args.quiet else print)
    if synthetic:
        print("Allowed in notebooks that declare their data synthetic (a Markdown cell tagged "
              f"'{SYNTHETIC_TAG}'):")
        for name, counter in synthetic.items():
            print(f"  {name}: {_counts(counter)}")
    if examples:
        print("Allowed as documentation examples (reserved e-mail domains, 555-01xx, never-issued SSNs):")
        for name, counter in examples.items():
            print(f"  {name}: {_counts(counter)}")
    seconds = time.perf_counter() - start
    if findings:
        print(f"{len(findings)} patient-like identifier(s) outside notebooks declared synthetic:")
        for finding in findings:
            print(f"  {finding.line()}")
        print("Remove them, or make the data synthetic and tag a Markdown cell of the notebook "
              f"'{SYNTHETIC_TAG}'. ({len(paths)} files, {seconds:.2f} s)")
        return 1
    print(f"No patient-like identifiers: {len(paths)} files scanned in {seconds:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
