"""The claims register: every dated or numeric claim on the course site, with
its source and the date the source was last checked.

The register is `claims.yml` at the top of the repository. Each entry names a
page (a Markdown file under docs/ or a notebook under notebooks/), what the
page claims, the source that backs it and the date it was checked:

    - id: colab-max-lifetime
      page: docs/chapter-1/colab/what-colab-gives-you.md
      claim: A free-tier runtime lasts at most 12 hours, often less.
      source: https://research.google.com/colaboratory/faq.html
      checked: 2026-12-02

On the page, the same source appears as a *source note*: an ordinary Markdown
link followed, on the same line, by "checked YYYY-MM-DD", either in a footnote
definition or inline:

    [^faq]: Google, [Colab FAQ](https://research.google.com/colaboratory/faq.html), checked 2026-12-02.
    ... at most 12 hours ([Colab FAQ](https://...), checked 2026-12-02).

`check` keeps register and pages in step, and names the page and line (for a
notebook, the cell) of every problem:

- every registered claim's page carries a source note for its source, with
  the register's date;
- every source note on a page is registered for that page;
- every version number, quota, price, legal citation and date on a page sits
  next to a source note: in the same block (paragraph, list, table), the block
  before or the block after, or the block cites a footnote that is one.
  Matches listed under `not_claims` in the register (the course's own section
  numbers, for example) are exempt, each with its reason.

`due` lists the claims checked more than six months ago (the weekly review
workflow turns that list into an issue).

    python scripts/claims.py check
    python scripts/claims.py due [--today YYYY-MM-DD] [--months 6] [--markdown FILE]

Exit status: 0 when all is well (check) or nothing is due (due); 1 when there
are problems or claims due; 2 when the register cannot be read.

The pages are MkDocs Markdown with Material's extensions (admonitions and
tabs indent their content), which no Markdown parser here reads with line
numbers intact, so blocks are found line by line: runs of non-blank lines,
outside fenced code and front matter.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from notebook_rules import UnreadableNotebook, read_notebook_file  # the one notebook reader

ROOT = Path(__file__).resolve().parent.parent
REGISTER = "claims.yml"
PAGE_DIRS = ("docs", "notebooks")
REVIEW_MONTHS = 6

# A source note: a link, then "checked DATE" later on the same line with no
# other link in between.
SOURCE_NOTE = re.compile(
    r"\[[^\]\n]+\]\((?P<url>https?://[^\s)]+)\)[^\[\n]*?"
    r"\bchecked (?P<date>\d{4}-\d{2}-\d{2})\b")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^(?P<label>[^\]]+)\]:")
FOOTNOTE_REFERENCE = re.compile(r"\[\^(?P<label>[^\]]+)\]")
FENCE = re.compile(r"^\s*(```|~~~)")

MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
          "November|December")
# What a reader may want to check: each kind with the pattern that finds it.
# Patterns run over a whole block, so a fact split across two lines is found.
FACTS = {
    "version number": re.compile(r"(?<![\w.$€£-])v?\d+\.\d+(?:\.\d+)*(?![\w.]*\w)"),
    "quota": re.compile(r"\b\d+(?:[.,]\d+)?[\s-]+(?:core[\s-]hours?|hours?|minutes?|days?|"
                        r"GB(?:-months?)?|TB|compute\s+units?)\b"),
    "price": re.compile(r"[$€£]\s?\d+(?:[.,]\d+)*|\b\d+(?:\.\d+)?\s?(?:USD|EUR|GBP)\b"),
    "legal citation": re.compile(r"\b\d+\s+CFR\b|§|\bC-\d+/\d+\b|\b\d+\s+FR\s+\d+|"
                                 r"\bRegulation\s+\(EU\)|\bArticle\s+\d+"),
    "date": re.compile(rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b(?:\d{{1,2}}\s+)?(?:{MONTHS})\s+\d{{4}}\b|"
                       r"\b(?:in|since|until|from|by|of)\s+(?:19|20)\d{2}\b"),
}
# Web addresses are where a source lives, not claims: blanked before the facts
# are looked for (same length, so positions still map to lines).
ADDRESS = re.compile(r"https?://[^\s)>\]]+")


class _RegisterLoader(yaml.SafeLoader):
    """YAML's safe loader, leaving dates as text so a bad one is reported, not raised."""


_RegisterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class RegisterError(Exception):
    """The register cannot be read; the message names the file and the place."""


@dataclass(frozen=True)
class Claim:
    id: str
    page: str
    claim: str
    source: str
    checked: dt.date
    line: int                      # line of the entry in the register


@dataclass(frozen=True)
class Exemption:
    pattern: re.Pattern
    page: str | None
    reason: str


@dataclass(frozen=True)
class Register:
    path: Path
    claims: tuple[Claim, ...]
    exemptions: tuple[Exemption, ...]


@dataclass(frozen=True)
class Block:
    """A run of non-blank lines of one page (or one notebook cell)."""

    lines: tuple[tuple[int, str], ...]     # (line number, text)

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)


@dataclass(frozen=True)
class Note:
    url: str
    checked: str
    line: int
    footnote: str | None           # the footnote label when the note is a footnote definition


@dataclass(frozen=True)
class Chunk:
    """A page, or one Markdown cell of a notebook: what problems are reported against."""

    page: str                      # repository path
    cell: int | None
    blocks: tuple[Block, ...]

    def where(self, line: int) -> str:
        if self.cell is None:
            return f"{self.page}:{line}"
        return f"{self.page}: cell {self.cell}: line {line}"


# --------------------------------------------------------------------------
# Reading the register


def read_register(path: Path) -> Register:
    """The register at `path`; RegisterError names the file, entry and field of any fault."""
    shown = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RegisterError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        node = yaml.compose(text, Loader=_RegisterLoader)
        data = yaml.load(text, Loader=_RegisterLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        raise RegisterError(f"{where}: not valid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise RegisterError(f"{shown}: needs a top-level `claims:` list")
    entry_lines = _entry_lines(node, "claims")
    claims, seen = [], {}
    for index, entry in enumerate(data["claims"]):
        line = entry_lines[index]
        claims.append(_claim(entry, f"{shown}:{line}", line))
        if claims[-1].id in seen:
            raise RegisterError(f"{shown}:{line}: id {claims[-1].id!r} is already used at line {seen[claims[-1].id]}")
        seen[claims[-1].id] = line
    exemptions = []
    exemption_lines = _entry_lines(node, "not_claims")
    for index, entry in enumerate(data.get("not_claims") or []):
        exemptions.append(_exemption(entry, f"{shown}:{exemption_lines[index]}"))
    return Register(path, tuple(claims), tuple(exemptions))


def _entry_lines(node, key: str) -> list[int]:
    for key_node, value_node in getattr(node, "value", []):
        if key_node.value == key and isinstance(value_node, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value_node.value]
    return []


def _claim(entry, where: str, line: int) -> Claim:
    if not isinstance(entry, dict):
        raise RegisterError(f"{where}: an entry must be a mapping with id, page, claim, source, checked")
    missing = [f for f in ("id", "page", "claim", "source", "checked") if not entry.get(f)]
    if missing:
        raise RegisterError(f"{where}: entry {entry.get('id', '(no id)')!r} has no {', '.join(missing)}")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", str(entry["id"])):
        raise RegisterError(f"{where}: id {entry['id']!r} must be lower-case words joined by hyphens")
    if not str(entry["page"]).startswith(tuple(d + "/" for d in PAGE_DIRS)):
        raise RegisterError(f"{where}: {entry['id']}: page {entry['page']!r} must be under docs/ or notebooks/")
    if not re.fullmatch(r"https?://\S+", str(entry["source"])):
        raise RegisterError(f"{where}: {entry['id']}: source {entry['source']!r} is not an http(s) address")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(entry["checked"])):
            raise ValueError
        checked = dt.date.fromisoformat(str(entry["checked"]))
    except ValueError:
        raise RegisterError(f"{where}: {entry['id']}: checked {entry['checked']!r} is not a date "
                            "(YYYY-MM-DD)") from None
    return Claim(str(entry["id"]), str(entry["page"]), str(entry["claim"]).strip(),
                 str(entry["source"]), checked, line)


def _exemption(entry, where: str) -> Exemption:
    if not isinstance(entry, dict) or not entry.get("pattern") or not entry.get("reason"):
        raise RegisterError(f"{where}: a not_claims entry needs a pattern and a reason")
    try:
        pattern = re.compile(str(entry["pattern"]))
    except re.error as error:
        raise RegisterError(f"{where}: pattern {entry['pattern']!r} is not a regular expression: {error}") from None
    return Exemption(pattern, entry.get("page"), str(entry["reason"]))


# --------------------------------------------------------------------------
# Reading the pages


def blocks_of(text: str) -> tuple[Block, ...]:
    """The blocks of Markdown `text`, without front matter and fenced code."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], 1):
            if line.strip() == "---":
                start = number + 1
                break
    blocks, current, fence = [], [], None
    for number in range(start, len(lines)):
        line = lines[number]
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1) == fence:
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            if current:
                blocks.append(Block(tuple(current)))
                current = []
            continue
        if line.strip():
            current.append((number + 1, line))
        elif current:
            blocks.append(Block(tuple(current)))
            current = []
    if current:
        blocks.append(Block(tuple(current)))
    return tuple(blocks)


def course_chunks(root: Path = ROOT) -> tuple[list[Chunk], list[str]]:
    """Every page of docs/ and every Markdown cell of notebooks/, as chunks, and a
    problem line for each file that cannot be read."""
    chunks, unreadable = [], []
    for path in sorted((root / "docs").rglob("*.md")):
        page = path.relative_to(root).as_posix()
        try:
            chunks.append(Chunk(page, None, blocks_of(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError) as error:
            unreadable.append(f"{page}: cannot be read: {error}")
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        page = path.relative_to(root).as_posix()
        try:
            notebook = read_notebook_file(path)
        except (UnreadableNotebook, UnicodeDecodeError, OSError) as error:
            unreadable.append(f"{page}: not a readable notebook: {error}")
            continue
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "markdown":
                chunks.append(Chunk(page, index, blocks_of(cell.source)))
    return chunks, unreadable


def notes_of(chunk: Chunk) -> list[Note]:
    notes = []
    for block in chunk.blocks:
        for number, text in block.lines:
            definition = FOOTNOTE_DEFINITION.match(text)
            for match in SOURCE_NOTE.finditer(text):
                notes.append(Note(match["url"], match["date"], number,
                                  definition["label"] if definition else None))
    return notes


def unsourced_facts(chunk: Chunk, exemptions: Iterable[Exemption]) -> list[tuple[int, str, str]]:
    """(line, kind, text) of each fact in `chunk` with no source note next to it."""
    exempt = [e.pattern for e in exemptions if e.page in (None, chunk.page)]
    sourced_footnotes = {note.footnote for note in notes_of(chunk) if note.footnote}
    sourced = [_has_note(block, sourced_footnotes) for block in chunk.blocks]
    found = []
    for index, block in enumerate(chunk.blocks):
        if FOOTNOTE_DEFINITION.match(block.lines[0][1]):
            continue                # a footnote is a note, not a claim
        if any(sourced[max(index - 1, 0):index + 2]):
            continue
        text = ADDRESS.sub(lambda m: " " * len(m.group(0)), block.text)
        first_line = block.lines[0][0]
        for kind, pattern in FACTS.items():
            for match in pattern.finditer(text):
                if not any(_covers(e, text, match) for e in exempt):
                    line = first_line + text.count("\n", 0, match.start())
                    found.append((line, kind, " ".join(match.group(0).split())))
    return sorted(found)


def _has_note(block: Block, sourced_footnotes: set[str]) -> bool:
    """True when the block carries a source note, or cites a footnote that is one."""
    for _, text in block.lines:
        if SOURCE_NOTE.search(text):
            return True
        definition = FOOTNOTE_DEFINITION.match(text)
        cited = text[definition.end():] if definition else text
        if any(m["label"] in sourced_footnotes for m in FOOTNOTE_REFERENCE.finditer(cited)):
            return True
    return False


def _covers(pattern: re.Pattern, text: str, match: re.Match) -> bool:
    return any(e.start() <= match.start() and match.end() <= e.end() for e in pattern.finditer(text))


# --------------------------------------------------------------------------
# Keeping register and pages in step


def check(root: Path = ROOT, register: Register | None = None) -> list[str]:
    """Every way the register (default: root's claims.yml) and the pages disagree,
    one line each, naming the place."""
    register = register or read_register(root / REGISTER)
    chunks, problems = course_chunks(root)
    notes_by_page: dict[str, list[tuple[Chunk, Note]]] = {}
    for chunk in chunks:
        for note in notes_of(chunk):
            notes_by_page.setdefault(chunk.page, []).append((chunk, note))
    registered = {(c.page, c.source): c for c in register.claims}
    shown = register.path.name
    for claim in register.claims:
        if not (root / claim.page).is_file():
            problems.append(f"{shown}:{claim.line}: {claim.id}: page {claim.page} does not exist")
            continue
        cited = [(chunk, note) for chunk, note in notes_by_page.get(claim.page, []) if note.url == claim.source]
        if not cited:
            problems.append(f"{shown}:{claim.line}: {claim.id}: {claim.page} has no source note for {claim.source}")
        for chunk, note in cited:
            if note.checked != claim.checked.isoformat():
                problems.append(f"{chunk.where(note.line)}: source note for {claim.source} says checked "
                                f"{note.checked}, {shown} says {claim.checked} ({claim.id})")
    for page, notes in sorted(notes_by_page.items()):
        for chunk, note in notes:
            if (page, note.url) not in registered:
                problems.append(f"{chunk.where(note.line)}: source note {note.url} is not in {shown} "
                                f"for this page")
    for chunk in chunks:
        for line, kind, text in unsourced_facts(chunk, register.exemptions):
            problems.append(f"{chunk.where(line)}: {kind} {text!r} has no source note next to it")
    return problems


# --------------------------------------------------------------------------
# Claims due for review


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day when it has fewer)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in range(day.day, 0, -1):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def due(register: Register, today: dt.date, months: int = REVIEW_MONTHS) -> list[Claim]:
    """The claims last checked before `today` minus `months` months, oldest first."""
    limit = months_before(today, months)
    return sorted((c for c in register.claims if c.checked < limit), key=lambda c: (c.checked, c.id))


def due_markdown(claims: list[Claim], today: dt.date, months: int) -> str:
    if not claims:
        return f"No claim was last checked more than {months} months before {today}.\n"
    lines = [f"{len(claims)} claim(s) of the course site were last checked more than {months} months "
             f"before {today}. Check each source again; fix the page if the fact changed; then set the new "
             f"date in `{REGISTER}` and in the page's source note.", "",
             "| Checked | Claim | Page | Source |", "|---|---|---|---|"]
    for claim in claims:
        text = claim.claim.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {claim.checked} | `{claim.id}`: {text} | `{claim.page}` | <{claim.source}> |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Command line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--register", type=Path, default=ROOT / REGISTER, help="the register (default: claims.yml)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="keep register and pages in step")
    review = commands.add_parser("due", help="list claims checked more than MONTHS months ago")
    review.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    review.add_argument("--months", type=int, default=REVIEW_MONTHS)
    review.add_argument("--markdown", type=Path, help="also write the list as Markdown to this file")
    args = parser.parse_args(argv)
    try:
        register = read_register(args.register)
    except RegisterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command == "check":
        problems = check(ROOT, register)
        for problem in problems:
            print(problem)
        print(f"{len(register.claims)} claims registered; "
              + (f"{len(problems)} problem(s)" if problems else "register and pages agree"))
        return 1 if problems else 0
    claims = due(register, args.today, args.months)
    for claim in claims:
        print(f"{claim.checked}  {claim.id}  {claim.page}  {claim.source}")
    print(f"{len(claims)} of {len(register.claims)} claims last checked more than {args.months} months "
          f"before {args.today}")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(due_markdown(claims, args.today, args.months), encoding="utf-8")
    return 1 if claims else 0


if __name__ == "__main__":
    sys.exit(main())
