"""The claims register (claims.yml) and the pages agree; every number a reader
may want to check sits next to a dated source note; claims checked more than
six months ago are listed for review (scripts/claims.py and the weekly
.github/workflows/claims-review.yml).
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

import claims
import workflow_harness as harness
from local_site import ROOT, copy_course

PAGE = "docs/chapter-1/colab/what-colab-gives-you.md"
TEACH = "docs/teach.md"
NOTEBOOK = "notebooks/04-gpus-and-tpus.ipynb"


def course_copy(tmp_path: Path) -> Path:
    """The pages, notebooks and register, copied to plant a defect in."""
    course = copy_course(tmp_path / "course")
    shutil.copy2(ROOT / claims.REGISTER, course / claims.REGISTER)
    return course


def insert_after(path: Path, anchor: str, text: str) -> int:
    """Insert `text` (its own block) after the line `anchor`; returns the line number of its first line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index(anchor) + 1
    lines[at:at] = ["", *text.splitlines(), ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 2


def write_register(path: Path, entries: list[dict], not_claims: list[dict] | None = None) -> Path:
    data = {"claims": entries}
    if not_claims is not None:
        data["not_claims"] = not_claims
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def entry(id_: str, checked: str, page: str = TEACH, source: str = "https://example.org/a") -> dict:
    return {"id": id_, "page": page, "claim": "something checkable", "source": source,
            "checked": dt.date.fromisoformat(checked)}


def facts(markdown: str, exemptions=()) -> list[tuple[int, str, str]]:
    return claims.unsourced_facts(claims.Chunk("docs/x.md", None, claims.blocks_of(markdown)), exemptions)


# --------------------------------------------------------------------------
# The course as it is


def test_the_register_and_the_pages_agree():
    problems = claims.check(ROOT)
    assert problems == [], "\n".join(problems)


def test_the_register_covers_every_page_that_cites_a_source():
    register = claims.read_register(ROOT / claims.REGISTER)
    chunks, unreadable = claims.course_chunks(ROOT)
    assert unreadable == []
    cited_pages = {chunk.page for chunk in chunks if claims.notes_of(chunk)}
    assert cited_pages == {c.page for c in register.claims}
    assert len(register.claims) >= 40


def test_the_check_command_passes_on_the_course(capsys):
    assert claims.main(["check"]) == 0
    assert "register and pages agree" in capsys.readouterr().out


def test_every_registered_source_is_an_ordinary_link_on_its_built_page(built_site):
    """So `make linkcheck` checks every source like any other link of the site."""
    missing = []
    for claim in claims.read_register(ROOT / claims.REGISTER).claims:
        page = Path(claim.page)
        if page.suffix == ".ipynb":
            html = built_site / "notebooks" / page.stem / "index.html"
        elif page.name == "index.md":
            html = built_site / page.relative_to("docs").parent / "index.html"
        else:
            html = built_site / page.relative_to("docs").with_suffix("") / "index.html"
        links = {a.get("href") for a in BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").find_all("a")}
        if claim.source not in links:
            missing.append(f"{claim.page} ({html.relative_to(built_site)}): no <a href> to {claim.source} ({claim.id})")
    assert missing == [], "\n".join(missing)


# --------------------------------------------------------------------------
# Planted defects: each fails, naming the page and the line (or notebook and cell)


def test_a_planted_unsourced_version_number_fails_naming_page_and_line(tmp_path):
    course = course_copy(tmp_path)
    line = insert_after(course / PAGE, "### Disk space that does not last",
                        "Colab moved to Python 3.14 this week.")
    assert claims.check(course) == [f"{PAGE}:{line}: version number '3.14' has no source note next to it"]


def test_a_planted_unregistered_source_note_fails_naming_page_and_line(tmp_path):
    course = course_copy(tmp_path)
    line = insert_after(course / TEACH, "## 3. Add a notebook",
                        "Notebooks load faster since 2026 ([a new source](https://example.org/new), checked 2026-11-30).")
    assert claims.check(course) == [
        f"{TEACH}:{line}: source note https://example.org/new is not in claims.yml for this page"]


def test_a_registered_claim_whose_page_no_longer_cites_it_fails_naming_the_entry(tmp_path):
    course = course_copy(tmp_path)
    page = course / TEACH
    page.write_text(page.read_text(encoding="utf-8").replace(
        "https://github.com/nodejs/Release#release-schedule", "https://nodejs.org/en/about/previous-releases"),
        encoding="utf-8")
    register = claims.read_register(course / claims.REGISTER)
    line = next(c.line for c in register.claims if c.id == "node-20-end-of-life")
    problems = claims.check(course)
    assert (f"claims.yml:{line}: node-20-end-of-life: {TEACH} has no source note for "
            "https://github.com/nodejs/Release#release-schedule") in problems
    assert any(p.endswith("source note https://nodejs.org/en/about/previous-releases is not in claims.yml "
                          "for this page") for p in problems)


def test_a_source_note_dated_differently_from_the_register_fails_naming_page_and_line(tmp_path):
    course = course_copy(tmp_path)
    page = course / TEACH
    lines = page.read_text(encoding="utf-8").splitlines()
    number = next(i for i, text in enumerate(lines, 1) if text.startswith("[^node-releases]:"))
    lines[number - 1] = lines[number - 1].replace("checked 2026-12-02", "checked 2026-11-01")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert claims.check(course) == [
        f"{TEACH}:{number}: source note for https://github.com/nodejs/Release#release-schedule says checked "
        "2026-11-01, claims.yml says 2026-12-02 (node-20-end-of-life)"]


def test_a_planted_fact_in_a_notebook_names_the_notebook_and_cell(tmp_path):
    course = course_copy(tmp_path)
    path = course / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("A note.\n\nPaid sessions now last\n36 hours."))
    nbformat.write(notebook, path)
    cell = len(notebook.cells) - 1
    assert claims.check(course) == [f"{NOTEBOOK}: cell {cell}: line 4: quota '36 hours' has no source note next to it"]


def test_an_unreadable_notebook_is_named_and_the_rest_still_checked(tmp_path):
    course = course_copy(tmp_path)
    (course / NOTEBOOK).write_text("{ not json", encoding="utf-8")
    problems = claims.check(course)
    assert problems[0].startswith(f"{NOTEBOOK}: not a readable notebook:")
    assert any(p.startswith("claims.yml:") and f"{NOTEBOOK} has no source note for" in p for p in problems)


def test_a_missing_page_fails_naming_the_entry(tmp_path):
    course = course_copy(tmp_path)
    (course / TEACH).unlink()
    register = claims.read_register(course / claims.REGISTER)
    problems = claims.check(course)
    for claim in (c for c in register.claims if c.page == TEACH):
        assert f"claims.yml:{claim.line}: {claim.id}: page {TEACH} does not exist" in problems


# --------------------------------------------------------------------------
# What counts as a fact, and what counts as a source note next to it


def test_versions_quotas_prices_legal_citations_and_dates_are_found():
    found = facts("Python 3.13 and numpy 2.1.3.\n\nIdle for 90\nminutes, 15 GB-months, 500 compute units.\n\n"
                  "It costs $9.99 or 10 EUR.\n\nSee 45 CFR 164.312 and case C-413/23 P, Article 9.\n\n"
                  "On 19 August 2026, in 2022 and on 2026-04-30.")
    assert found == [
        (1, "version number", "2.1.3"), (1, "version number", "3.13"),
        (3, "quota", "90 minutes"), (4, "quota", "15 GB-months"), (4, "quota", "500 compute units"),
        (6, "price", "$9.99"), (6, "price", "10 EUR"),
        (8, "legal citation", "45 CFR"), (8, "legal citation", "Article 9"), (8, "legal citation", "C-413/23"),
        (8, "version number", "164.312"),
        (10, "date", "19 August 2026"), (10, "date", "2026-04-30"), (10, "date", "in 2022")]


def test_web_addresses_code_blocks_and_front_matter_are_not_facts():
    assert facts("---\ndescription: Python 3.13\n---\n\nSee <https://example.org/v2.0/> and "
                 "[the page](https://example.org/3.1/x).\n\n```bash\nuv venv --python 3.13\n```\n") == []


def test_a_note_in_the_block_before_or_after_or_a_cited_footnote_sources_a_fact():
    note = "Source: [list](https://example.org/list), checked 2026-12-02."
    assert facts(f"{note}\n\n| numpy | 2.1.3 |") == []
    assert facts(f"| numpy | 2.1.3 |\n\n{note}") == []
    assert facts("Python 3.13[^list].\n\n[^list]: Google, [list](https://example.org/list), checked 2026-12-02.") == []
    assert facts(f"{note}\n\nNot this.\n\nPython 3.13.") == [(5, "version number", "3.13")]
    # A footnote without a date is not a source note.
    assert facts("Python 3.13[^x].\n\n[^x]: [list](https://example.org/list).") == [(1, "version number", "3.13")]


def test_exemptions_cover_only_their_pattern_and_their_page():
    section = claims.Exemption(claims.re.compile(r"[Ss]ection 1\.8"), None, "course numbering")
    elsewhere = claims.Exemption(claims.re.compile(r"Python 3\.13"), "docs/other.md", "another page")
    assert facts("Section 1.8 covers pandas 2.2.3.\n\nPython 3.13.", [section, elsewhere]) == [
        (1, "version number", "2.2.3"), (3, "version number", "3.13")]


# --------------------------------------------------------------------------
# Reading the register: every fault names the file and the place


@pytest.mark.parametrize("text, message", [
    ("claims: [\n", "claims.yml:2: not valid YAML"),
    ("title: no claims\n", "claims.yml: needs a top-level `claims:` list"),
    ("claims:\n  - id: a\n    page: docs/teach.md\n    claim: x\n    source: https://example.org\n",
     "claims.yml:2: entry 'a' has no checked"),
    ("claims:\n  - id: a\n    page: docs/teach.md\n    claim: x\n    source: https://example.org\n"
     "    checked: 2026-13-40\n", "claims.yml:2: a: checked '2026-13-40' is not a date"),
    ("claims:\n  - id: a\n    page: site/teach.html\n    claim: x\n    source: https://example.org\n"
     "    checked: 2026-12-02\n", "claims.yml:2: a: page 'site/teach.html' must be under docs/ or notebooks/"),
    ("claims:\n  - id: a\n    page: docs/teach.md\n    claim: x\n    source: example.org\n"
     "    checked: 2026-12-02\n", "claims.yml:2: a: source 'example.org' is not an http(s) address"),
    ("claims:\n  - id: Bad Id\n    page: docs/teach.md\n    claim: x\n    source: https://example.org\n"
     "    checked: 2026-12-02\n", "claims.yml:2: id 'Bad Id' must be lower-case words joined by hyphens"),
    ("claims:\n" + "  - {id: a, page: docs/teach.md, claim: x, source: 'https://e.org', checked: 2026-12-02}\n" * 2,
     "claims.yml:3: id 'a' is already used at line 2"),
    ("claims: []\nnot_claims:\n  - pattern: '1\\.8'\n", "claims.yml:3: a not_claims entry needs a pattern and a reason"),
    ("claims: []\nnot_claims:\n  - {pattern: '(', reason: r}\n", "claims.yml:3: pattern '(' is not a regular expression"),
])
def test_a_faulty_register_is_refused_naming_file_and_entry(tmp_path, text, message):
    path = tmp_path / "claims.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(claims.RegisterError) as error:
        claims.read_register(path)
    assert str(error.value).startswith(message), str(error.value)


def test_the_check_command_exits_2_naming_a_faulty_register(tmp_path, capsys):
    path = tmp_path / "claims.yml"
    path.write_text("claims: [\n", encoding="utf-8")
    assert claims.main(["--register", str(path), "check"]) == 2
    assert "claims.yml:2: not valid YAML" in capsys.readouterr().err


# --------------------------------------------------------------------------
# Claims due for review (offline: a register with an old and a fresh date)


def test_claims_checked_more_than_six_months_ago_are_due(tmp_path):
    register = claims.read_register(write_register(tmp_path / "claims.yml", [
        entry("fresh", "2026-11-20"),
        entry("exactly-six-months", "2026-06-02"),
        entry("old", "2026-06-01"),
        entry("older", "2025-01-15"),
    ]))
    due = claims.due(register, dt.date(2026, 12, 2))
    assert [c.id for c in due] == ["older", "old"]


def test_six_months_before_a_month_end_is_the_shorter_month_end():
    assert claims.months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert claims.months_before(dt.date(2028, 8, 31), 6) == dt.date(2028, 2, 29)
    assert claims.months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)


def test_the_due_command_lists_and_reports_the_old_claim_and_exits_1(tmp_path, capsys):
    register = write_register(tmp_path / "claims.yml", [
        entry("fresh", "2026-11-20", source="https://example.org/fresh"),
        entry("old", "2026-01-10", source="https://example.org/old"),
    ])
    report = tmp_path / "report" / "due.md"
    status = claims.main(["--register", str(register), "due", "--today", "2026-12-02", "--markdown", str(report)])
    out = capsys.readouterr().out
    assert status == 1
    assert "2026-01-10  old  docs/teach.md  https://example.org/old" in out
    assert "fresh" not in out
    assert "1 of 2 claims last checked more than 6 months before 2026-12-02" in out
    text = report.read_text(encoding="utf-8")
    assert "| 2026-01-10 | `old`: something checkable | `docs/teach.md` | <https://example.org/old> |" in text
    assert "example.org/fresh" not in text


def test_the_due_command_exits_0_when_nothing_is_due(tmp_path, capsys):
    register = write_register(tmp_path / "claims.yml", [entry("fresh", "2026-11-20")])
    report = tmp_path / "due.md"
    assert claims.main(["--register", str(register), "due", "--today", "2026-12-02", "--markdown", str(report)]) == 0
    assert report.read_text(encoding="utf-8").startswith("No claim was last checked more than 6 months")


def test_the_due_command_exits_2_when_the_register_cannot_be_read(tmp_path, capsys):
    assert claims.main(["--register", str(tmp_path / "missing.yml"), "due"]) == 2
    assert "missing.yml: cannot be read" in capsys.readouterr().err


# --------------------------------------------------------------------------
# The weekly review workflow


def test_the_weekly_review_runs_the_due_command_and_only_its_issue_job_writes_issues():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "claims-review.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    runs = "\n".join(step.get("run", "") for step in workflow["jobs"]["due"]["steps"])
    assert "make claims-due" in runs
    assert workflow["jobs"]["due"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["issue"]["permissions"] == {"issues": "write"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "scripts/claims.py due" in makefile.split("claims-due:", 1)[1].split("\n\n", 1)[0]


REVIEW = ROOT / ".github" / "workflows" / "claims-review.yml"
LATER = "2027-07-01"      # every claim of the register, checked 2026-12-02, is due by then


def review_issues(run) -> list[dict]:
    return [i for i in run.state["issues"] if "claims-review" in i["labels"]]


def test_due_claims_open_one_issue_listing_them(tmp_path):
    run = harness.run_workflow(REVIEW, harness.schedule(), {"claims": {"today": LATER}}, tmp_path / "run")
    assert [(job, result.result) for job, result in run.jobs.items()] == [("due", "success"), ("issue", "success")], \
        run.job("due").log() + run.job("issue").log()
    opened = review_issues(run)
    assert len(opened) == 1 and opened[0]["state"] == "open", opened
    assert "`node-20-end-of-life`" in opened[0]["body"] and "docs/teach.md" in opened[0]["body"]
    assert "node-20-end-of-life" in run.job("due").summary


def test_claims_still_due_update_the_open_issue(tmp_path):
    old = {"number": 4, "title": "Claims of the course site due for review", "state": "open",
           "labels": ["claims-review"], "body": "old list", "comments": []}
    run = harness.run_workflow(REVIEW, harness.schedule(), {"claims": {"today": LATER}, "labels": ["claims-review"],
                                                            "issues": [old]}, tmp_path / "run")
    issues = review_issues(run)
    assert len(issues) == 1 and "node-20-end-of-life" in issues[0]["body"] and issues[0]["comments"], issues


def test_nothing_due_closes_the_issue(tmp_path):
    old = {"number": 4, "title": "Claims of the course site due for review", "state": "open",
           "labels": ["claims-review"], "body": "old list", "comments": []}
    run = harness.run_workflow(REVIEW, harness.schedule(), {"claims": {"today": "2026-12-02"},
                                                            "labels": ["claims-review"], "issues": [old]},
                               tmp_path / "run")
    assert run.job("issue").result == "success", run.job("issue").log()
    assert review_issues(run)[0]["state"] == "closed"


def test_a_fork_without_issues_keeps_the_list_in_the_summary_and_stays_green(tmp_path):
    run = harness.run_workflow(REVIEW, harness.schedule(), {"claims": {"today": LATER},
                                                            "repository": {"has_issues": False}}, tmp_path / "run")
    assert [result.result for result in run.jobs.values()] == ["success", "success"]
    assert review_issues(run) == []
    assert any(a[0] == "warning" and "Issues are turned off" in a[1] for a in run.job("issue").annotations)


def test_a_review_that_cannot_run_fails_and_leaves_the_issue_alone(tmp_path):
    run = harness.run_workflow(REVIEW, harness.schedule(), {"claims": {"python": "/nonexistent/python"}},
                               tmp_path / "run")
    assert run.job("due").result == "failure" and run.job("issue").result == "skipped"
    assert any(a[0] == "error" for a in run.job("due").annotations)
