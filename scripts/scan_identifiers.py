"""Scan the course for patient-like identifiers: SSNs, phone numbers, e-mail
addresses, medical record and hospital numbers, the UK's NHS, CHI and National
Insurance numbers, dates of birth, dates in a record and street addresses.

What is scanned (by default every tracked or new, non-ignored file of these kinds):
- Markdown pages (*.md), line by line;
- notebooks (*.ipynb, read with nbformat through the rule book's reader): every cell's source, Markdown and
  code alike, and every output's text (stream text, error tracebacks, and each
  text/* or *json MIME bundle: text/plain, text/html, Colab's dataframe
  summaries...); images are skipped;
- data files (*.csv, *.tsv, *.json, *.jsonl, *.txt): line by line, and for
  CSV/TSV also by column (a `dob`/`birth_date` column holds dates of birth,
  an `mrn`/`patient_id` column holds record numbers). Spreadsheets and other
  binary data files (*.xlsx, *.parquet, *.sav ...) cannot be read here and
  are findings: commit data as CSV.
Tables printed in outputs and Markdown tables are read by column too: below
a line naming a dob-like column, up to a blank line, full dates are dates of
birth; below an MRN-like column, ids like ABC12345 or 6+ digits are record
numbers. A full date on the same line as another identifier (a table row with
an SSN, a phone number...) is a `record-date`: under HIPAA Safe Harbor every
date tied to a person is an identifier. Elsewhere a date counts only near a
birth label (DOB, born, date of birth...), so release dates, version numbers
(2.2.3) and ISBNs are not findings.

There is no exemption for a file, a notebook or a cell. A value is allowed
only when it is synthetic by construction:
- reserved: it lies in a range that can never belong to anyone. SSNs that are
  never issued (area 000, 666 or 900-999, group 00, serial 0000); NANP
  numbers 555-0100 to 555-0199, reserved for fiction; e-mail at RFC 2606 /
  RFC 6761 domains (example.com/.org/.net, *.example, *.test, *.invalid,
  *.localhost); record numbers with the course's synthetic prefix `SYN`
  (SYN100042); NHS numbers in the 999 range (never issued, kept for testing)
  and any whose check digit fails (no one's); National Insurance numbers with
  a prefix HMRC never issues (QQ 12 34 56 C, as in its own examples).
  Reserved values are allowed anywhere.
- generated: dates and street addresses have no reserved range. In a
  notebook, a code cell tagged `synthetic-data-generator` declares that it
  makes the notebook's data. The scan runs the declared cells (in order, as
  plain Python, in a separate process with a time limit, no file, network or
  program access: scripts/synthetic_generator.py) and allows a date or street
  address only in the outputs of those cells and the cells after them, and
  only when that run produced exactly that value. The tag alone allows
  nothing; Markdown cells, sources and data files never get this allowance,
  and neither do kinds that have a reserved range (a generated SSN must
  still be a never-issued one).
Also never identifiers: `git@host:` SSH addresses, `...[bot]@` addresses,
and names@like.png (a file name, not an address).

    python scripts/scan_identifiers.py [PATH ...]

Exits 1 when something is found, printing one line per finding (file,
notebook cell or line, kind, and the value masked so the log leaks nothing),
then how to make each kind of test value synthetic.
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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from notebook_rules import UnreadableNotebook, read_notebook_text  # the one notebook reader

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = Path(__file__).resolve().parent / "synthetic_generator.py"
GENERATOR_TAG = "synthetic-data-generator"
GENERATOR_TIMEOUT = 60          # seconds for one notebook's generator cells
SYNTHETIC_MRN_PREFIX = "SYN"    # the course's record numbers for made-up patients: SYN100042

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

KINDS = ("ssn", "phone", "email", "mrn", "nhs-number", "chi-number", "ni-number", "date-of-birth",
         "record-date", "street-address", "unreadable-data-file", "generator-failed")
# Kinds with no reserved range: a notebook's declared generator may make them (see the docstring).
GENERATED_KINDS = {"date-of-birth", "record-date", "street-address"}
# Kinds a date next to them turns into a record-date.
RECORD_KINDS = {"ssn", "phone", "email", "mrn", "nhs-number", "chi-number", "ni-number", "street-address"}

# How to make each kind synthetic: what a failing scan tells the author.
ADVICE = {
    "ssn": "SSN: use an area number 900-999 (or 000, 666), which is never issued: 9XX-XX-XXXX",
    "phone": "phone: use 555-0100 to 555-0199, reserved for fiction in every area code: (617) 555-0142",
    "email": "e-mail: use a reserved domain: example.org, example.com, example.net, *.example, *.test, *.invalid",
    "mrn": f"record or hospital number: use the course's synthetic prefix {SYNTHETIC_MRN_PREFIX} and digits: "
           f"{SYNTHETIC_MRN_PREFIX}100042",
    "nhs-number": "NHS number: use the 999 range, which is never issued: 999 123 4567",
    "chi-number": "CHI number: it starts with a date of birth and has no test range; use the course's "
                  f"record numbers ({SYNTHETIC_MRN_PREFIX}100042) in its place",
    "ni-number": "National Insurance number: use the prefix QQ, which is never issued: QQ 12 34 56 C",
    "dates and addresses": (
        "date of birth, date in a record, street address: these have no reserved range. Make them in a "
        f"notebook code cell tagged '{GENERATOR_TAG}' (plain Python, fixed random seed, no files or network): "
        "the scan runs that cell and accepts such a value in its outputs and later ones when the run "
        "produces exactly it. In Markdown and data files, write a year or an age instead of a full date, "
        "and no street address"),
    "unreadable-data-file": "data file: commit synthetic data as UTF-8 CSV, or better, generate it in the notebook",
    "generator-failed": (f"generator: a cell tagged '{GENERATOR_TAG}' must run on its own as plain Python "
                         "(its own imports, no magics) and make its values from code, not read them from a "
                         "file or the network"),
}


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
    r"\b(?:MRN|medical[ _-]?record(?:[ _-]?(?:number|num|no\.?|#))?|patient[ _-]?(?:id|number|no\.?)|"
    r"hospital[ _-]?(?:number|num|no\.?|#))"
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
# NHS numbers (England, Wales, Isle of Man): ten digits, written 3-3-4, the last a modulus-11
# check digit. Labelled ones are found however written; unlabelled, only as 3 3 4 groups with
# a valid check digit (a bare 10-digit run is as often a timestamp).
NHS_LABELLED = re.compile(r"\bNHS(?:[ _-]?(?:number|num|no\.?|#))?\b\W{0,6}(\d{3}[ -]?\d{3}[ -]?\d{4})\b", re.I)
NHS_GROUPED = re.compile(_NOT_DIGIT_BEFORE + r"(\d{3})([ -])(\d{3})\2(\d{4})" + _NOT_DIGIT_AFTER)
# CHI numbers (Scotland): ten digits, the first six the date of birth (DDMMYY); labelled only.
CHI_LABELLED = re.compile(r"\bCHI(?:[ _-]?(?:number|num|no\.?|#))?\b\W{0,6}(\d{10})\b", re.I)
# National Insurance numbers: two letters, six digits, A-D. HMRC never issues the first
# letters D, F, I, Q, U, V, the second letters D, F, I, O, Q, U, V, or BG, GB, KN, NK, NT, TN, ZZ.
NI_NUMBER = re.compile(r"\b([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])\b")

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
    reserved: bool = False      # in a reserved range: synthetic by construction, allowed anywhere


@dataclass(frozen=True)
class Finding:
    path: str
    place: str
    kind: str
    value: str

    def line(self) -> str:
        shown = mask_identifiers(self.value) if self.kind == "generator-failed" else mask(self.value)
        return f"{self.path}: {self.place}: {self.kind} {shown}"


def mask(value: str) -> str:
    """The value with every inner letter or digit hidden, so a report never repeats an identifier."""
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + re.sub(r"[A-Za-z0-9]", "*", value[1:-1]) + value[-1]


def mask_identifiers(text: str) -> str:
    """`text` with every identifier-like value in it masked (for messages that quote a run)."""
    for hit in scan_line(text, birth_column=True):
        text = text.replace(hit.value, mask(hit.value))
    return text


def never_issued_ssn(area: str, group: str, serial: str) -> bool:
    return area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000"


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
            hits.append(Hit("ssn", m.group(0), reserved=never_issued_ssn(*m.groups())))
        for m in SSN_LABELLED.finditer(line):
            digits = m.group(1)
            hits.append(Hit("ssn", digits, reserved=never_issued_ssn(digits[:3], digits[3:5], digits[5:])))
        uk = uk_numbers(line)
        hits.extend(hit for hit, _ in uk)
        for m in PHONE.finditer(line):
            if any(a < m.end() and m.start() < b for _, (a, b) in uk):   # an NHS number, not a phone
                continue
            npa = m.group(1) or m.group(2)
            nxx, number = m.group(3), m.group(4)
            if npa[1:] == "11" or nxx[1:] == "11":      # N11 service codes are not numbers
                continue
            fictional = nxx == "555" and 100 <= int(number) <= 199
            hits.append(Hit("phone", m.group(0).strip(), reserved=fictional))
        labelled = list(MRN.finditer(line))
        hits.extend(Hit("mrn", m.group(0), reserved=synthetic_record_number(m.group(1))) for m in labelled)
        if mrn_column:
            hits.extend(Hit("mrn", m.group(0), reserved=synthetic_record_number(m.group(0)))
                        for m in RECORD_ID.finditer(line)
                        if not any(a.start() <= m.start() < a.end() for a in labelled))
        for m in STREET.finditer(line):
            hits.append(Hit("street-address", m.group(0).strip()))
    if "@" in line:
        for m in EMAIL.finditer(line):
            local, domain = m.group(1), m.group(2)
            if domain.rsplit(".", 1)[-1].lower() in FILE_SUFFIX_TLDS or local == "git" or "[bot]" in local:
                continue
            hits.append(Hit("email", m.group(0), reserved=bool(RESERVED_DOMAINS.search(domain))))
    found_dates = dates(line) if any(ch.isdigit() for ch in line) else []
    if found_dates:
        labels = [m.end() for m in BIRTH_LABEL.finditer(line)]
        in_record = any(hit.kind in RECORD_KINDS for hit in hits)
        for d in found_dates:
            near_label = any(0 <= d.start() - end <= 40 for end in labels)
            if near_label or birth_column:
                hits.append(Hit("date-of-birth", d.group(0)))
            elif in_record:     # a date in a row with an SSN, a phone number...: tied to a person
                hits.append(Hit("record-date", d.group(0)))
    return hits


def nhs_check_digit_valid(digits: str) -> bool:
    """The NHS number's modulus-11 check: weights 10..2 on the first nine digits."""
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11
    check = 11 - remainder
    return check != 10 and (check % 11) == int(digits[9])


def never_issued_nhs(digits: str) -> bool:
    """999 numbers are kept for testing; a number whose check digit fails is no one's."""
    return digits.startswith("999") or not nhs_check_digit_valid(digits)


def never_issued_ni(prefix: str) -> bool:
    return (prefix[0] in "DFIQUV" or prefix[1] in "DFIOQUV"
            or prefix in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def uk_numbers(line: str) -> list[tuple[Hit, tuple[int, int]]]:
    """NHS, CHI and National Insurance numbers in `line`, each with its span."""
    found = []
    for m in NHS_LABELLED.finditer(line):
        digits = re.sub(r"\D", "", m.group(1))
        found.append((Hit("nhs-number", m.group(1), reserved=never_issued_nhs(digits)), m.span(1)))
    for m in NHS_GROUPED.finditer(line):
        digits = m.group(1) + m.group(3) + m.group(4)
        if nhs_check_digit_valid(digits) and not any(a <= m.start() < b for _, (a, b) in found):
            found.append((Hit("nhs-number", m.group(0), reserved=digits.startswith("999")), m.span()))
    for m in CHI_LABELLED.finditer(line):
        digits = m.group(1)
        if _valid_date(1900 + int(digits[4:6]), int(digits[2:4]), int(digits[:2])):
            found.append((Hit("chi-number", digits), m.span(1)))
    for m in NI_NUMBER.finditer(line):
        found.append((Hit("ni-number", m.group(0), reserved=never_issued_ni(m.group(1))), m.span()))
    return found


def synthetic_record_number(value: str) -> bool:
    """A record number with the course's synthetic prefix (SYN100042, SYN-100042)."""
    return bool(re.fullmatch(SYNTHETIC_MRN_PREFIX + r"-?\d+", value))


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
                results.append((number, Hit("mrn", row[i], reserved=synthetic_record_number(row[i].strip()))))
    return results


# --- files -----------------------------------------------------------------
def _text(value) -> str:
    if isinstance(value, list):
        return "".join(map(str, value))
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=1)


@dataclass(frozen=True)
class Unit:
    """One piece of a notebook's text: a cell's source or one output."""
    place: str
    text: str
    cell: int
    output: bool


def notebook_units(nb) -> list[Unit]:
    """Every cell source (Markdown, code, raw) and every text output of a notebook."""
    units = []
    for index, cell in enumerate(nb.cells):
        units.append(Unit(f"cell {index}, {cell.get('cell_type', 'cell')}", _text(cell.get("source", "")),
                          index, False))
        for number, output in enumerate(cell.get("outputs", []) or []):
            kind = output.get("output_type", "?")
            where = f"cell {index}, output {number}"
            if kind == "stream":
                units.append(Unit(f"{where} ({output.get('name', 'stream')})", _text(output.get("text", "")),
                                  index, True))
            elif kind == "error":
                text = "\n".join([f"{output.get('ename', '')}: {output.get('evalue', '')}",
                                  *map(str, output.get("traceback", []))])
                units.append(Unit(f"{where} (error)", ANSI.sub("", text), index, True))
            for mime, value in (output.get("data") or {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    units.append(Unit(f"{where} ({mime})", _text(value), index, True))
    return units


def generator_cells(nb) -> list[int]:
    """Indexes of the code cells the notebook declares as its synthetic-data generator."""
    return [index for index, cell in enumerate(nb.cells)
            if cell.get("cell_type") == "code" and GENERATOR_TAG in (cell.get("metadata", {}).get("tags") or [])]


@dataclass(frozen=True)
class GeneratorRun:
    values: frozenset      # identifier-like values the run produced (dates, street addresses...)
    error: str | None
    seconds: float


def run_generator(cells: list[tuple[str, str]], timeout: float | None = None) -> GeneratorRun:
    """Run generator cells, (label, source) pairs, in scripts/synthetic_generator.py; the values
    they produce (none when the run failed)."""
    start = time.perf_counter()
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    limit = GENERATOR_TIMEOUT if timeout is None else timeout
    try:
        result = subprocess.run([sys.executable, str(GENERATOR)], input=json.dumps(cells), env=env,
                                capture_output=True, text=True, timeout=limit)
        data = json.loads(result.stdout)
    except subprocess.TimeoutExpired:
        labels = ", ".join(label for label, _ in cells)
        return GeneratorRun(frozenset(), f"{labels} did not finish within {limit:g} s", time.perf_counter() - start)
    except (OSError, ValueError) as error:
        detail = (result.stderr.strip().splitlines() or [str(error)])[-1] if "result" in locals() else str(error)
        return GeneratorRun(frozenset(), f"could not run: {detail}", time.perf_counter() - start)
    if data.get("error"):
        return GeneratorRun(frozenset(), data["error"], time.perf_counter() - start)
    produced = set()
    for text in data.get("values", []):
        produced.add(text.strip())
        for line in text.splitlines():
            produced.update(hit.value for hit in scan_line(line, birth_column=True))
    return GeneratorRun(frozenset(produced), None, time.perf_counter() - start)


@dataclass
class FileReport:
    findings: list[Finding]
    reserved: Counter
    generated: Counter
    generator: str = ""         # e.g. "cells 4 ran in 0.8 s", for the progress line


def scan_notebook(nb, shown: str, report: FileReport) -> None:
    generators = generator_cells(nb)
    found: list[tuple[int, Finding]] = []            # (order in the notebook, finding)
    pending: list[tuple[int, str, Hit]] = []         # dates/addresses in outputs a generator may have made
    for order, unit in enumerate(notebook_units(nb)):
        for number, hit in scan_block(unit.text):
            place = f"{unit.place}, line {number}"
            if hit.reserved:
                report.reserved[hit.kind] += 1
            elif (generators and unit.output and unit.cell >= generators[0]
                  and hit.kind in GENERATED_KINDS):
                pending.append((order, place, hit))
            else:
                found.append((order, Finding(shown, place, hit.kind, hit.value)))
    if pending:
        run = run_generator([(f"cell {i}", nb.cells[i].source) for i in generators])
        cells = ", ".join(map(str, generators))
        report.generator = f"generator cell(s) {cells} ran in {run.seconds:.1f} s"
        if run.error:
            found.append((-1, Finding(shown, f"cell {generators[0]}", "generator-failed",
                                      f"the synthetic-data generator failed: {run.error}")))
        for order, place, hit in pending:
            if hit.value in run.values:
                report.generated[hit.kind] += 1
            else:
                found.append((order, Finding(shown, place, hit.kind, hit.value)))
    report.findings.extend(finding for _, finding in sorted(found, key=lambda item: item[0]))


def scan_file(path: Path, shown: str) -> FileReport:
    report = FileReport([], Counter(), Counter())
    suffix = path.suffix.lower()
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
            nb = read_notebook_text(raw)
        except UnreadableNotebook as error:
            place = f"line {error.line}: " if error.line else ""
            raise SystemExit(f"{shown}: {place}not a readable notebook ({error.reason})") from None
        scan_notebook(nb, shown, report)
        return report

    def add(place: str, hit: Hit) -> None:
        if hit.reserved:
            report.reserved[hit.kind] += 1
        else:
            report.findings.append(Finding(shown, place, hit.kind, hit.value))

    tabular = suffix in (".csv", ".tsv")       # columns are read exactly below
    seen = set()
    for number, hit in scan_block(raw, column_rule=not tabular):
        seen.add((number, hit.kind))
        add(f"line {number}", hit)
    if tabular:
        for number, hit in scan_table(raw, "\t" if suffix == ".tsv" else ","):
            if (number, hit.kind) not in seen:
                add(f"line {number}", hit)
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
    """Findings, and the allowed counts {file: Counter(kind)}: reserved values and generated ones."""
    findings: list[Finding] = []
    reserved: dict[str, Counter] = {}
    generated: dict[str, Counter] = {}
    for number, path in enumerate(paths, 1):
        shown = _shown(path)
        report = scan_file(path, shown)
        findings.extend(report.findings)
        if report.reserved:
            reserved[shown] = report.reserved
        if report.generated:
            generated[shown] = report.generated
        if progress:
            state = f"{len(report.findings)} finding(s)" if report.findings else "ok"
            progress(f"[{number}/{len(paths)}] {shown}: {state}"
                     + (f" ({report.generator})" if report.generator else ""))
    return findings, reserved, generated


def _counts(counter: Counter) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counter.items())) or "nothing"


def advice(kinds: set[str]) -> list[str]:
    """How to make test values of these kinds synthetic, one line per kind (or group of kinds)."""
    keys = []
    for kind in KINDS:      # in the scan's order; dates and addresses share one piece of advice
        key = "dates and addresses" if kind in GENERATED_KINDS else kind
        if kind in kinds and key not in keys:
            keys.append(key)
    return [ADVICE[k] for k in keys]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or folders (default: the repository's Markdown, notebooks and data files)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-file progress lines")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = expand(args.paths) if args.paths else course_files()
    findings, reserved, generated = scan(paths, progress=None if args.quiet else print)
    if reserved:
        print("Allowed, reserved values (never-issued SSNs, NHS and National Insurance numbers, 555-01xx, "
              f"reserved e-mail domains, {SYNTHETIC_MRN_PREFIX} record numbers):")
        for name, counter in reserved.items():
            print(f"  {name}: {_counts(counter)}")
    if generated:
        print(f"Allowed, values produced by running the notebook's '{GENERATOR_TAG}' cells:")
        for name, counter in generated.items():
            print(f"  {name}: {_counts(counter)}")
    seconds = time.perf_counter() - start
    if findings:
        print(f"{len(findings)} patient-like identifier(s) found ({len(paths)} files, {seconds:.2f} s):")
        for finding in findings:
            print(f"  {finding.line()}")
        print("Real-looking values must not be committed, even as test data. If these are real, remove them "
              "(and from git history if they were committed). To make test data synthetic by construction:")
        for line in advice({finding.kind for finding in findings}):
            print(f"  - {line}")
        return 1
    print(f"No patient-like identifiers: {len(paths)} files scanned in {seconds:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
