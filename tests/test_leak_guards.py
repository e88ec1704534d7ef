"""Leak guards: no Colab account metadata, no secrets, no patient-like data.

Each guard is run on the repository as it is (it must pass) and on a
temporary copy with a planted leak (it must fail, naming the file and the
place). The real tree is never modified.
"""
from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

import clean_notebooks
import scan_identifiers
from course_support import copy_working_tree, tool
from git_files import listed_files
from new_notebook import build_notebook
from notebook_rules import KEY_POINT_PLACEHOLDER

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCANNER = ROOT / "scripts" / "scan_identifiers.py"
NOTEBOOK_PLUGIN = "scripts/detect_secrets_notebooks.py"

# Planted values (never real): detect-secrets must not report this test file itself.
AWS_KEY_ID = "AKIAZQ3XK7LUPT5RBW2M"  # pragma: allowlist secret
AWS_SECRET = "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"  # pragma: allowlist secret
NOTEBOOK_PASSWORD = "Tr0ub4dor-and-3-horses"  # pragma: allowlist secret
COLAB_USER = {"displayName": "Maria Example", "userId": "06366185027922693499"}


def repository_files() -> list[str]:
    """Tracked files and new files not ignored by git: what a commit could contain."""
    return [name for name in listed_files(ROOT) if (ROOT / name).is_file()]


def copy_repository(target: Path) -> Path:
    return copy_working_tree(ROOT, target, init_git=False, warm=False)


def a_course_notebook() -> Path:
    notebooks = clean_notebooks.course_notebooks()
    assert notebooks, "notebooks/ holds no notebook"
    return notebooks[0]


def notebook_copy(tmp_path: Path, name: str = "copy.ipynb", source: Path | None = None) -> tuple[Path, dict]:
    """A copy of a course notebook (the first one unless `source` is given) in tmp_path."""
    nb = nbformat.read(source or a_course_notebook(), as_version=4)
    path = tmp_path / name
    nbformat.write(nb, path)
    return path, nb


def add_code_cell(path: Path, source: str, output_text: str = "", **output) -> int:
    """Append a code cell (with a stdout output or the given one) to the notebook at `path`; its index."""
    nb = nbformat.read(path, as_version=4)
    outputs = []
    if output_text:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=output_text))
    if output:
        outputs.append(nbformat.v4.new_output(**output))
    nb.cells.append(nbformat.v4.new_code_cell(source, execution_count=7, outputs=outputs))
    nbformat.write(nb, path)
    return len(nb.cells) - 1


# --- 1. notebook hygiene: nb-clean ---------------------------------------------------------

def test_committed_notebooks_carry_no_account_metadata():
    tool("nb-clean")
    notebooks = clean_notebooks.course_notebooks()
    assert notebooks, "notebooks/ holds no notebook"
    result = clean_notebooks.check(notebooks)
    assert result.returncode == 0, (
        "notebooks carry account metadata or volatile fields; run `make clean-notebooks`:\n"
        + result.stdout + result.stderr)


COLAB_CELL_FIELDS = {
    "executionInfo": {"elapsed": 57136, "status": "ok", "timestamp": 1732287745935,
                      "user": COLAB_USER, "user_tz": 180},
    "outputId": "3a0a2f27-421d-4601-cd50-7f92b00f18c3",
    "id": "__Wd2rZyFvLW",
    "colab": {"base_uri": "https://localhost:8080/", "height": 36},
    "execution": {"iopub.execute_input": "2026-08-19T10:00:00.000Z",
                  "shell.execute_reply": "2026-08-19T10:00:01.000Z"},
}
COLAB_NOTEBOOK_FIELDS = {
    "colab": {"provenance": [{"file_id": "1AbCdEfGhIjKlMnOpQrStUvWxYz0123", "timestamp": 1732287745935}],
              "authorship_tag": "ABX9TyMexampleTag", "mount_file_id": "1AbCdEfGhIjKlMnOpQrStUvWxYz0123"},
    "widgets": {"application/vnd.jupyter.widget-state+json": {"widget-model-1": {"state": {}}}},
    "accelerator": "GPU",
}


@pytest.mark.parametrize("level,field", [*(("cell", f) for f in COLAB_CELL_FIELDS),
                                         *(("notebook", f) for f in COLAB_NOTEBOOK_FIELDS)])
def test_colab_metadata_planted_in_a_notebook_is_reported_and_cleaned_away(tmp_path, level, field):
    tool("nb-clean")
    path, _ = notebook_copy(tmp_path, "saved-by-colab.ipynb")
    index = add_code_cell(path, "print(41 + 1)", "42\n")
    nb = nbformat.read(path, as_version=4)
    nb.cells[index].metadata["tags"] = ["keep-me"]
    if level == "cell":
        nb.cells[index].metadata[field] = COLAB_CELL_FIELDS[field]
        expected = f"{path} cell {index}: metadata {field}"
    else:
        nb.metadata[field] = COLAB_NOTEBOOK_FIELDS[field]
        expected = f"{path} metadata: {field}"
    nbformat.write(nb, path)
    before = nbformat.read(path, as_version=4)

    result = clean_notebooks.check([path])
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout.splitlines(), result.stdout

    clean_notebooks.clean([path])
    after = nbformat.read(path, as_version=4)
    assert clean_notebooks.check([path]).returncode == 0
    assert "Maria Example" not in path.read_text()
    assert after["metadata"] == {}
    for old, new in zip(before.cells, after.cells, strict=True):
        assert new.get("outputs") == old.get("outputs")
        assert new.get("execution_count") == old.get("execution_count")
        assert new["metadata"] == ({"tags": old["metadata"]["tags"]} if "tags" in old["metadata"] else {})


def test_clean_notebooks_command_names_a_dirty_notebook_and_its_fields(tmp_path):
    path, _ = notebook_copy(tmp_path, "dirty.ipynb")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].metadata["executionInfo"] = COLAB_CELL_FIELDS["executionInfo"]
    nbformat.write(nb, path)
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "clean_notebooks.py"), "--check", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{path} cell 0: metadata executionInfo" in result.stdout
    assert "dirty" in result.stdout


# --- 2. secrets: detect-secrets with the reviewed baseline ---------------------------------

def run_secrets_hook(files: list[str], cwd: Path, baseline: Path) -> subprocess.CompletedProcess:
    return subprocess.run([tool("detect-secrets-hook"), "--baseline", str(baseline), *files],
                          cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def test_no_new_secrets_in_the_repository(tmp_path):
    baseline = tmp_path / "secrets.baseline"          # the hook may rewrite its baseline: use a copy
    shutil.copy(ROOT / ".secrets.baseline", baseline)
    result = run_secrets_hook(repository_files(), ROOT, baseline)
    assert result.returncode == 0, (
        "detect-secrets found secrets missing from .secrets.baseline (file:line below). Remove them; "
        "a reviewed false positive gets `# pragma: allowlist secret` or an audited baseline entry:\n"
        + result.stdout + result.stderr)


def test_the_secrets_baseline_reads_notebook_text_and_records_only_reviewed_false_positives():
    baseline = json.loads((ROOT / ".secrets.baseline").read_text())
    assert baseline["version"] == "1.5.0"
    plugins = {p["name"]: p for p in baseline["plugins_used"]}
    assert plugins["NotebookTextKeywordDetector"]["path"] == f"file://{NOTEBOOK_PLUGIN}"
    assert {"AWSKeyDetector", "KeywordDetector", "Base64HighEntropyString", "PrivateKeyDetector",
            "GitHubTokenDetector", "HexHighEntropyString"} <= set(plugins)
    excluded = [f for f in baseline["filters_used"] if f["path"].endswith("should_exclude_line")]
    assert excluded and any("image/" in pattern for pattern in excluded[0]["pattern"])
    unreviewed = [(name, entry["line_number"]) for name, entries in baseline["results"].items()
                  for entry in entries if entry.get("is_secret") is not False]
    assert not unreviewed, f"baseline entries not audited as false positives: {unreviewed}"


def secrets_sandbox(tmp_path: Path) -> Path:
    """The baseline and the notebook plugin it loads (by a relative path), in a temporary folder."""
    sandbox = tmp_path / "sandbox"
    (sandbox / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / NOTEBOOK_PLUGIN, sandbox / NOTEBOOK_PLUGIN)
    shutil.copy(ROOT / ".secrets.baseline", sandbox / ".secrets.baseline")
    (sandbox / "notebooks").mkdir()
    return sandbox


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_planted_aws_key_in_a_notebook_is_reported_with_file_and_line(tmp_path):
    sandbox = secrets_sandbox(tmp_path)
    path, _ = notebook_copy(sandbox / "notebooks", "keys.ipynb")
    add_code_cell(path, f'aws_access_key_id = "{AWS_KEY_ID}"\naws_secret_access_key = "{AWS_SECRET}"\n',
                  f'password = "{NOTEBOOK_PASSWORD}"\n')
    result = run_secrets_hook(["notebooks/keys.ipynb"], sandbox, sandbox / ".secrets.baseline")
    assert result.returncode == 1, result.stdout
    report = result.stdout
    for planted, kind in [(AWS_KEY_ID, "AWS Access Key"),
                          (AWS_SECRET, "Secret Keyword in notebook text"),
                          (NOTEBOOK_PASSWORD, "Secret Keyword in notebook text")]:
        location = f"notebooks/keys.ipynb:{line_of(path, planted)}"
        assert any(location in block and kind in block for block in report.split("\n\n")), (
            f"{kind} not reported at {location}:\n{report}")


def test_plot_images_in_notebooks_are_not_taken_for_secrets(tmp_path):
    sandbox = secrets_sandbox(tmp_path)
    path, _ = notebook_copy(sandbox / "notebooks", "plot.ipynb")
    png = base64.b64encode(os.urandom(3000)).decode()
    add_code_cell(path, "plt.plot([1, 2])", output_type="display_data",
                  data={"image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"})
    assert png in path.read_text()
    result = run_secrets_hook(["notebooks/plot.ipynb"], sandbox, sandbox / ".secrets.baseline")
    assert result.returncode == 0, result.stdout


# --- 3. patient-like identifiers ------------------------------------------------------------

def scan(paths, monkeypatch, capsys, cwd: Path) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    code = scan_identifiers.main(["--quiet", *map(str, paths)])
    return code, capsys.readouterr().out


def test_no_patient_like_identifiers_in_the_course():
    result = subprocess.run([sys.executable, str(SCANNER)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No patient-like identifiers" in result.stdout
    assert "notebooks/" in result.stdout and "[1/" in result.stdout    # per-file progress


def test_an_ssn_in_an_output_is_reported_masked(tmp_path, monkeypatch, capsys):
    path, _ = notebook_copy(tmp_path, "records.ipynb")
    index = add_code_cell(path, "print(record)", "patient A\nSSN 219-09-9999\n")
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert f"records.ipynb: cell {index}, output 0 (stdout), line 2: ssn 2**-**-***9" in out
    assert "219-09-9999" not in out          # the report masks what it found


# The row an author might paste from a spreadsheet: a name, a date, an SSN and a phone number.
PLANTED_ROW = "| Maria Lopez | 1961-04-12 | 123-45-6789 | (555) 201-3344 |"
DE_IDENTIFICATION = ROOT / "notebooks" / "05-de-identification.ipynb"     # has a synthetic-data generator


def notebook_of_kind(kind: str, folder: Path) -> Path:
    """A course notebook, a fresh `make new-notebook` scaffold, or the notebook with a generator."""
    path = folder / f"{kind}.ipynb"
    if kind == "new-notebook":
        nbformat.write(build_notebook("notebooks/06-fresh.ipynb", "Fresh"), path)
    else:
        notebook_copy(folder, path.name, DE_IDENTIFICATION if kind == "with-generator" else None)
    return path


def plant_row(path: Path, where: str) -> str:
    """Append a cell holding PLANTED_ROW in its Markdown, its code or its output; the place prefix."""
    nb = nbformat.read(path, as_version=4)
    if where == "markdown":
        nb.cells.append(nbformat.v4.new_markdown_cell("| Name | Date | SSN | Phone |\n| --- | --- | --- | --- |\n"
                                                      + PLANTED_ROW))
        line = 3
    elif where == "code":
        nb.cells.append(nbformat.v4.new_code_cell(f'row = "{PLANTED_ROW}"'))
        line = 1
    else:
        nb.cells.append(nbformat.v4.new_code_cell("print(row)", execution_count=9, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text=PLANTED_ROW + "\n")]))
        line = 1
    nbformat.write(nb, path)
    index = len(nb.cells) - 1
    return f"cell {index}, {where}, line {line}" if where != "output" else f"cell {index}, output 0 (stdout), line 1"


@pytest.mark.parametrize("where", ["markdown", "code", "output"])
@pytest.mark.parametrize("kind", ["course-notebook", "new-notebook", "with-generator"])
def test_a_pasted_patient_row_fails_the_scan_in_any_cell_of_any_notebook(tmp_path, monkeypatch, capsys, kind, where):
    path = notebook_of_kind(kind, tmp_path)
    place = plant_row(path, where)
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    for found in ("ssn 1**-**-***9", "phone (***) ***-***4", "record-date 1***-**-*2"):
        assert f"{path.name}: {place}: {found}" in out, out
    assert "123-45-6789" not in out and "1961-04-12" not in out          # masked
    # The message says how to make test data synthetic, never how to switch the scan off.
    assert "SSN: use an area number 900-999" in out and "phone: use 555-0100 to 555-0199" in out, out
    assert "exempt" not in out and "'synthetic-data'" not in out, out


def test_the_scaffold_declares_nothing_to_the_scan():
    nb = build_notebook("notebooks/06-fresh.ipynb", "Fresh")
    tags = [tag for cell in nb.cells for tag in cell.metadata.get("tags", [])]
    assert tags == [], tags


def test_a_notebook_wide_synthetic_tag_exempts_nothing(tmp_path, monkeypatch, capsys):
    path, nb = notebook_copy(tmp_path, "tagged.ipynb")
    for cell in nb.cells:
        cell.metadata["tags"] = ["synthetic-data", scan_identifiers.GENERATOR_TAG if cell.cell_type == "code"
                                 else "synthetic"]
    nbformat.write(nb, path)
    index = add_code_cell(path, "print(record)", "SSN 219-09-9999\n")
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert f"tagged.ipynb: cell {index}, output 0 (stdout), line 1: ssn" in out


def test_the_course_synthetic_data_passes_as_reserved_and_generated_values(tmp_path, monkeypatch, capsys):
    code, out = scan([DE_IDENTIFICATION], monkeypatch, capsys, ROOT)
    assert code == 0, out
    reserved = out.split("Allowed, reserved values", 1)[1].splitlines()[1]
    generated = out.split("Allowed, values produced by running", 1)[1].splitlines()[1]
    # SSNs, phones, e-mail and record numbers use reserved ranges; dates and addresses come from the generator.
    assert all(f"{kind} " in reserved for kind in ("email", "mrn", "phone", "ssn")), out
    assert "date-of-birth" in generated and "street-address" in generated, out
    assert "ssn" not in generated and "phone" not in generated, out


def generator_notebook(tmp_path: Path, generator: str, output: str, name: str = "generated.ipynb") -> tuple[Path, int]:
    """A notebook whose cell 1 is tagged as the generator, with `generator` as source and `output` stored."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(generator, execution_count=1, outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=output)])
    cell.metadata["tags"] = [scan_identifiers.GENERATOR_TAG]
    nb.cells = [nbformat.v4.new_markdown_cell("# Made-up patients"), cell]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path, 1


SEEDED_GENERATOR = """\
import random
from datetime import date, timedelta

rng = random.Random(7)
born = [date(1940, 1, 1) + timedelta(days=rng.randrange(25000)) for _ in range(3)]
homes = [f"{rng.randrange(1, 400)} Sample Lane" for _ in range(3)]
for b, h in zip(born, homes):
    print(f"DOB: {b}  {h}")
"""


def seeded_output() -> str:
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(SEEDED_GENERATOR, namespace)
    return printed.getvalue()


def test_dates_and_addresses_a_declared_generator_produces_are_allowed_in_its_outputs(tmp_path, monkeypatch, capsys):
    path, _ = generator_notebook(tmp_path, SEEDED_GENERATOR, seeded_output())
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 0, out
    assert "generated.ipynb: date-of-birth 3, street-address 3" in out, out


def test_a_value_the_generator_did_not_produce_is_a_finding(tmp_path, monkeypatch, capsys):
    stored = seeded_output() + "DOB: 1984-03-12  742 Evergreen Terrace\n"     # pasted under the real ones
    path, index = generator_notebook(tmp_path, SEEDED_GENERATOR, stored)
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert f"generated.ipynb: cell {index}, output 0 (stdout), line 4: date-of-birth 1***-**-*2" in out, out
    assert f"generated.ipynb: cell {index}, output 0 (stdout), line 4: street-address 7** ********* ******e" in out
    assert out.count("generated.ipynb: cell") == 2, out          # the three generated rows pass


def test_generated_values_are_not_allowed_in_markdown_or_before_the_generator(tmp_path, monkeypatch, capsys):
    first = seeded_output().splitlines()[0]          # e.g. "DOB: 1950-...  123 Sample Lane"
    path, _ = generator_notebook(tmp_path, SEEDED_GENERATOR, seeded_output())
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell("print(first)", execution_count=1, outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=first + "\n")]))
    nb.cells.append(nbformat.v4.new_markdown_cell(f"The first patient: {first}"))
    nbformat.write(nb, path)
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert "generated.ipynb: cell 1, output 0 (stdout), line 1: date-of-birth" in out, out     # before it
    assert "generated.ipynb: cell 3, markdown, line 1: date-of-birth" in out, out              # Markdown
    assert "generated.ipynb: cell 3, markdown, line 1: street-address" in out, out


def test_a_generator_never_makes_a_real_looking_ssn_acceptable(tmp_path, monkeypatch, capsys):
    source = 'ssn = "-".join(["219", "09", "9999"])\nprint(ssn)'       # produced by the run, but not reserved
    path, index = generator_notebook(tmp_path, source, "219-09-9999\n")
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert f"generated.ipynb: cell {index}, output 0 (stdout), line 1: ssn 2**-**-***9" in out, out


@pytest.mark.parametrize(("case", "expected"), [
    ("reads-a-file", "may not open files"),
    ("uses-the-network", "may not start programs or use the network"),
    ("magic", "not plain Python"),
    ("never-ends", "did not finish within 2 s"),
])
def test_a_generator_that_does_not_make_its_data_from_code_allows_nothing(tmp_path, monkeypatch, capsys,
                                                                         case, expected):
    data = tmp_path / "people.csv"
    data.write_text("name,dob\nAna,1984-03-12\n")
    source = {"reads-a-file": f"import csv\nrows = list(csv.reader(open({str(data)!r})))",
              "uses-the-network": "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/')",
              "magic": "!pip install faker\nrows = [['Ana', '1984-03-12']]",
              "never-ends": "while True:\n    pass"}[case]
    path, index = generator_notebook(tmp_path, source, "DOB: 1984-03-12\n")
    monkeypatch.setattr(scan_identifiers, "GENERATOR_TIMEOUT", 2)
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert f"generated.ipynb: cell {index}: generator-failed " in out and expected in out, out
    assert f"generated.ipynb: cell {index}, output 0 (stdout), line 1: date-of-birth 1***-**-*2" in out, out
    assert "1984-03-12" not in out
    assert "must run on its own as plain Python" in out, out


PLANTED = {
    "ssn": "Member SSN: 219-09-9999",
    "ssn-unformatted": "ssn=219099999",
    "phone": "Call the ward on (312) 748-2265 tonight.",
    "phone-dotted": "mobile +1 312.748.2265",
    "email": "Results sent to ana.lima@clinic-mail.net",
    "mrn": "MRN: 00482913",
    "mrn-joined": "patient MRN0048291 was admitted",
    "date-of-birth": "DOB: 1984-03-12",
    "date-of-birth-prose": "She was born on March 12, 1984 in Ohio.",
    "date-of-birth-column": "   name         dob\n0  Ann   1984-03-12",
    "mrn-column": "   name   mrn\n0  Ann    HX100042",
    "record-date": "Ana Lima, 1984-03-12, ana.lima@clinic-mail.net",
    "street-address": "Lives at 742 Evergreen Terrace, Springfield",
    "mrn-hospital": "Hospital number RX1234567",
    "nhs-number": 'patient = {"nhs_number": "9434765919"}',
    "nhs-number-grouped": "Referred with 943 476 5919 on the form",
    "chi-number": "CHI: 1503841234",
    "ni-number": "NI number AB 12 34 56 C",
}


def kind_of(case: str) -> str:
    """The kind a planted case is reported as: the longest kind its name starts with."""
    return max((kind for kind in scan_identifiers.KINDS if case == kind or case.startswith(kind + "-")), key=len)


def test_every_kind_the_scanner_reports_comes_with_its_fix():
    assert all(len(scan_identifiers.advice({kind})) == 1 for kind in scan_identifiers.KINDS)


def test_every_kind_the_scanner_reports_has_a_planted_example():
    # unreadable-data-file: see the spreadsheet test; generator-failed: the generator tests above.
    planted = {kind_of(case) for case in PLANTED} | {"unreadable-data-file", "generator-failed"}
    assert planted == set(scan_identifiers.KINDS)


@pytest.mark.parametrize("case", PLANTED)
def test_each_identifier_kind_is_detected_in_an_output_and_a_page(tmp_path, monkeypatch, capsys, case):
    kind = kind_of(case)
    text = PLANTED[case]
    line = len(text.splitlines())
    path, _ = notebook_copy(tmp_path, "planted.ipynb")
    index = add_code_cell(path, "show()", text + "\n")
    page = tmp_path / "page.md"
    page.write_text("# A page\n\n" + text + "\n")
    code, out = scan([path, page], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert f"planted.ipynb: cell {index}, output 0 (stdout), line {line}: {kind} " in out, out
    assert f"page.md: line {2 + line}: {kind} " in out, out
    assert f"  - {scan_identifiers.advice({kind})[0]}" in out, "the fix for this kind is printed"


@pytest.mark.parametrize("where", ["text/plain", "text/html", "application/vnd.google.colaboratory.intrinsic+json"])
def test_identifiers_in_rich_outputs_are_found(tmp_path, monkeypatch, capsys, where):
    path, _ = notebook_copy(tmp_path, "rich.ipynb")
    value = {"text/plain": "   name   mrn\n0  Ann    MRN-0048291",
             "text/html": "<table><tr><th>email</th></tr><tr><td>ana.lima@clinic-mail.net</td></tr></table>",
             "application/vnd.google.colaboratory.intrinsic+json":
                 {"type": "dataframe", "summary": '{"samples": ["219-09-9999"]}'}}[where]
    index = add_code_cell(path, "df", output_type="execute_result", execution_count=7, data={where: value})
    code, out = scan([path], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert f"rich.ipynb: cell {index}, output 0 ({where})" in out


def test_identifiers_in_csv_columns_are_found(tmp_path, monkeypatch, capsys):
    data = tmp_path / "cohort.csv"
    data.write_text("id,patient_id,birth_date,visit\n1,48291,1984-03-12,2026-08-19\n")
    code, out = scan([data], monkeypatch, capsys, tmp_path)
    assert code == 1, out
    assert "cohort.csv: line 2: mrn 4***1" in out
    assert "cohort.csv: line 2: date-of-birth 1***-**-*2" in out
    assert out.count("date-of-birth") == 1          # the visit date is not a birth date


def test_a_spreadsheet_cannot_hide_data_from_the_scan(tmp_path, monkeypatch, capsys):
    sheet = tmp_path / "cohort.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not readable here")
    code, out = scan([sheet], monkeypatch, capsys, tmp_path)
    assert code == 1
    assert "cohort.xlsx: whole file: unreadable-data-file" in out


NOT_IDENTIFIERS = [
    "pandas==2.2.3, numpy 2.1.3, matplotlib 3.10.0 on Python 3.11.7",
    "Colab's runtime was updated; this page was released 2026-08-19.",
    "Admitted 2024-01-15, discharged 01/22/2024.",
    "ISBN 978-0-306-40615-7 (ISBN-10 0-306-40615-2)",
    "timestamp 1732287745935, user id 06366185027922693499",
    "uuid 3a0a2f27-421d-4601-cd50-7f92b00f18c3 and 192.168.100.200",
    "git clone git@github.com:health-data-science/course.git",
    "![logo](logo@2x.png)",
    "Colab gives 12 GB of RAM and 100 compute units for 2 cores.",
    "Step 3 Open the notebook, then 4 Run all.",
    "NHS number 999 123 4567 and National Insurance number QQ 12 34 56 C (never issued)",
    "Audit run 2026-11-30, log id 1764600000",
]


@pytest.mark.parametrize("text", NOT_IDENTIFIERS)
def test_obvious_non_identifiers_are_not_flagged(tmp_path, monkeypatch, capsys, text):
    path, _ = notebook_copy(tmp_path, "plain.ipynb")
    add_code_cell(path, text, text + "\n")
    page = tmp_path / "page.md"
    page.write_text(text + "\n")
    code, out = scan([path, page], monkeypatch, capsys, tmp_path)
    assert code == 0, out


RESERVED_VALUES = ("ana  you@example.com  (312) 555-0142  900-12-3456  SYN100042  "
                   "(reserved: e-mail domain, fictional phone, never-issued SSN, course record number)")


def test_reserved_values_are_allowed_anywhere_because_they_belong_to_no_one(tmp_path, monkeypatch, capsys):
    page = tmp_path / "page.md"
    page.write_text("MRN: SYN100042\n" + RESERVED_VALUES + "\n")
    data = tmp_path / "contacts.csv"
    data.write_text("name,email,ssn,mrn\nAna,ana@example.org,987-65-4321,SYN100042\n")
    path, _ = notebook_copy(tmp_path, "example.ipynb")
    add_code_cell(path, f"contacts = {RESERVED_VALUES!r}\nprint(contacts)", RESERVED_VALUES + "\n")
    code, out = scan([page, data, path], monkeypatch, capsys, tmp_path)
    assert code == 0, out
    assert "Allowed, reserved values" in out
    assert "page.md: email 1, mrn 2, phone 1, ssn 1" in out, out        # line 2 is under an MRN label
    assert "example.ipynb: email 2, phone 2, ssn 2" in out, out
    assert "contacts.csv: email 1, mrn 1, ssn 1" in out, out


def test_a_record_number_with_the_synthetic_prefix_only_in_its_prefix_is_not_reserved(tmp_path, monkeypatch, capsys):
    page = tmp_path / "page.md"
    page.write_text("MRN: XSYN100042\nMRN: 00482913 (SYN)\n")
    code, out = scan([page], monkeypatch, capsys, tmp_path)
    assert code == 1 and "page.md: line 2: mrn" in out, out


def test_the_scanner_names_an_unreadable_notebook(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [\n')
    with pytest.raises(SystemExit, match=r"broken\.ipynb: line 2: not a readable notebook"):
        scan([broken], monkeypatch, capsys, tmp_path)


# --- 4. pre-commit runs the same guards --------------------------------------------------------

GUARD_HOOKS = {
    "nb-clean-check": "scripts/clean_notebooks.py --check",
    "detect-secrets": "detect-secrets-hook --baseline .secrets.baseline",  # pragma: allowlist secret
    "scan-identifiers": "scripts/scan_identifiers.py",
}
# Also run by pre-commit, but not a leak guard: its verdict is not counted here.
RULE_BOOK_HOOK = "notebooks follow the course's notebook rule book"
RULE_BOOK_ENTRY = ("notebook-rules", "scripts/notebook_rules.py")


def guard_verdicts(output: str, verdict: str) -> int:
    """How many leak-guard hooks pre-commit reported with `verdict` (Passed or Failed)."""
    return sum(1 for line in output.splitlines()
               if line.endswith(verdict) and not line.startswith(RULE_BOOK_HOOK))


def test_pre_commit_runs_the_same_guards(tmp_path):
    pre_commit = tool("pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    valid = subprocess.run([pre_commit, "validate-config", ".pre-commit-config.yaml"], cwd=ROOT,
                           capture_output=True, text=True, env=env)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"]), "hooks must work offline"
    for hook_id, command in [*GUARD_HOOKS.items(), RULE_BOOK_ENTRY]:
        assert hook_id in hooks, f"{hook_id} missing from .pre-commit-config.yaml"
        assert command in hooks[hook_id]["entry"]
        assert hooks[hook_id]["language"] == "system"

    repo = copy_repository(tmp_path / "repo")
    (repo / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    run = [pre_commit, "run", "--color", "never"]
    passing = subprocess.run([*run, "--all-files"], cwd=repo, capture_output=True, text=True, env=env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert guard_verdicts(passing.stdout, "Passed") == len(GUARD_HOOKS), passing.stdout

    notebook = sorted((repo / "notebooks").glob("*.ipynb"))[0]
    index = add_code_cell(notebook, f'aws_access_key_id = "{AWS_KEY_ID}"', "SSN 219-09-9999\n")
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[index].metadata["executionInfo"] = COLAB_CELL_FIELDS["executionInfo"]
    nb.cells.append(nbformat.v4.new_markdown_cell(f"- {KEY_POINT_PLACEHOLDER}"))  # breaks a notebook rule
    nbformat.write(nb, notebook)
    name = notebook.relative_to(repo).as_posix()
    subprocess.run(["git", "add", name], cwd=repo, check=True)
    failing = subprocess.run([*run, "--files", name], cwd=repo, capture_output=True, text=True, env=env)
    assert failing.returncode == 1
    assert guard_verdicts(failing.stdout, "Failed") == len(GUARD_HOOKS), failing.stdout
    assert f"{name} cell {index}: metadata executionInfo" in failing.stdout
    assert f"{name}:{line_of(notebook, AWS_KEY_ID)}" in failing.stdout
    assert f"{name}: cell {index}, output 0 (stdout), line 1: ssn" in failing.stdout
    assert f"{name}: cell {len(nb.cells) - 1}: [scaffold-placeholder]" in failing.stdout

    # The pasted patient row, in Markdown: of a fresh `make new-notebook` scaffold and of the notebook
    # with a synthetic-data generator. The commit is stopped, naming file, cell and kind.
    scaffold = repo / "notebooks" / "06-fresh.ipynb"
    nbformat.write(build_notebook("notebooks/06-fresh.ipynb", "Fresh"), scaffold)
    with_generator = repo / "notebooks" / DE_IDENTIFICATION.name
    places = {path: plant_row(path, "markdown") for path in (scaffold, with_generator)}
    names = [path.relative_to(repo).as_posix() for path in places]
    subprocess.run(["git", "add", *names], cwd=repo, check=True)
    pasted = subprocess.run([*run, "--files", *names], cwd=repo, capture_output=True, text=True, env=env)
    assert pasted.returncode == 1, pasted.stdout
    assert any(line.startswith("no patient-like identifiers") and line.endswith("Failed")
               for line in pasted.stdout.splitlines()), pasted.stdout
    for path, place in places.items():
        for found in ("ssn 1**-**-***9", "phone (***) ***-***4", "record-date 1***-**-*2"):
            assert f"{path.relative_to(repo).as_posix()}: {place}: {found}" in pasted.stdout, pasted.stdout
