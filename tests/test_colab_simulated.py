"""The notebooks run in Colab as students run them: their Colab-only branches too.

nbval runs every notebook plainly against its stored outputs. Here each one
also runs in simulated Colab (tests/colab_runtime_sim: a google.colab stand-in,
/content, sample_data/, nvidia-smi, TPU chips and frameworks per runtime), with
every opt-in flag in both states and on every runtime it branches on, twice in
a row. A run cannot compare stored outputs (they were made outside Colab), so
it must not fail anywhere, and every Colab-only line (a line the plain run does
not run) must run in some configuration. The report of Colab-only lines run is
printed at the end of `make test`.
"""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from colab_runtime_sim import runtimes
from colab_runtime_sim.simulate import STAND_IN, configurations, problems

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COVERAGE_PROPERTY = "colab-only lines"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_in_simulated_colab_with_every_colab_only_line(notebook, tmp_path, record_property):
    before = notebook.read_bytes()
    found, coverage = problems(notebook, tmp_path)
    if coverage:
        record_property(COVERAGE_PROPERTY, coverage.summary())
    assert notebook.read_bytes() == before, f"{notebook}: the simulation changed the notebook"
    if found:
        pytest.fail("\n".join(found), pytrace=False)


def test_every_notebook_runs_on_every_runtime_it_branches_on_with_each_flag_both_ways():
    labels = {path.name: [c.label for c in configurations(path)] for path in NOTEBOOKS}
    assert labels["02-files-and-google-drive.ipynb"] == [
        f"Colab CPU, MOUNT_DRIVE={drive}, TRANSFER_FILES={transfer}"
        for drive in (False, True) for transfer in (False, True)]
    assert labels["04-gpus-and-tpus.ipynb"] == [str(runtime) for runtime in runtimes.HARDWARE_RUNTIMES]
    assert labels["01-colab-quick-start.ipynb"] == ["Colab CPU"]


# --- Planted defects: the checks fail, naming notebook and cell ---------------------------


def _planted(tmp_path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_markdown_cell("# Planted")] + [nbformat.v4.new_code_cell(s) for s in sources]
    path = tmp_path / "planted.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


COLAB_CHECK = '''import importlib.util
from pathlib import Path

try:
    IN_COLAB = importlib.util.find_spec("google.colab") is not None
except ModuleNotFoundError:
    IN_COLAB = False
WORK = Path("/content") if IN_COLAB else Path(".")
print("in Colab:", IN_COLAB)'''


def test_a_bug_in_a_colab_only_branch_fails_naming_notebook_configuration_and_cell(tmp_path):
    """A typo in the branch only Colab runs: the plain run passes, simulated Colab fails."""
    notebook = nbformat.read(ROOT / "notebooks" / "02-files-and-google-drive.ipynb", as_version=4)
    last = next(index for index, cell in enumerate(notebook.cells)
                if cell.cell_type == "code" and "elif IN_COLAB:" in cell.source)
    before, _, after = notebook.cells[last].source.partition("elif IN_COLAB:")
    notebook.cells[last].source = before + "elif IN_COLAB:" + after.replace("{RESULTS}", "{RESULT}", 1)
    assert notebook.cells[last].source.count("{RESULT}") == 1
    planted = tmp_path / "02-files-and-google-drive.ipynb"
    nbformat.write(notebook, planted)
    found, coverage = problems(planted, tmp_path / "work")
    assert coverage is None and len(found) == 1, found
    assert found[0].startswith(f"{planted} [Colab CPU, MOUNT_DRIVE=False, TRANSFER_FILES=False, run 1 of 2]: "
                               f"cell {last} failed:"), found[0]
    assert "NameError: name 'RESULT' is not defined" in found[0], found[0]


def test_a_colab_only_line_no_configuration_runs_fails_naming_notebook_cell_and_line(tmp_path):
    planted = _planted(tmp_path, COLAB_CHECK,
                       'if IN_COLAB and importlib.util.find_spec("a_package_no_runtime_has"):\n'
                       '    print("only on a runtime the simulation does not offer")\n'
                       'elif IN_COLAB:\n'
                       '    print((WORK / "sample_data").is_dir())')
    found, coverage = problems(planted, tmp_path / "work")
    assert coverage.total == 2 and coverage.run == 1, coverage
    assert found == [
        f"{planted}: Colab-only lines run 1/2 (50%) in cells 2; 1 Colab configuration, each run 2 times",
        f"{planted}: cell 2 line 2 never ran in simulated Colab: "
        'print("only on a runtime the simulation does not offer")',
    ]


def test_the_simulated_runtime_has_content_sample_data_drive_and_runs_flags_both_ways(tmp_path):
    planted = _planted(
        tmp_path, COLAB_CHECK,
        "import os\nassert not IN_COLAB or os.getcwd() == str(WORK), os.getcwd()\n"
        "assert not IN_COLAB or (WORK / 'sample_data').is_dir()",
        "SAVE_TO_DRIVE = False\n"
        "if IN_COLAB and SAVE_TO_DRIVE:\n"
        "    from google.colab import drive\n"
        "    drive.mount('/content/drive')\n"
        "    Path('/content/drive/MyDrive/note.txt').write_text('kept')\n"
        "    drive.flush_and_unmount()")
    found, coverage = problems(planted, tmp_path / "work")
    assert found == [] and coverage.total == 4, found
    drive_file = tmp_path / "work" / "02-colab-cpu-save-to-drive-true" / "google-drive" / "MyDrive" / "note.txt"
    assert drive_file.read_text() == "kept"


# --- The stand-in follows google.colab's public API --------------------------------------


@pytest.fixture
def colab(tmp_path, monkeypatch):
    """The google.colab stand-in, imported in this process on a fresh simulated runtime folder."""
    for name in ("content", "google-drive/MyDrive", "browser/uploads"):
        (tmp_path / name).mkdir(parents=True)
    monkeypatch.setenv("COLAB_SIM_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path / "content")
    monkeypatch.syspath_prepend(str(STAND_IN))
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "google"}
    for name in saved:
        del sys.modules[name]
    yield importlib.import_module("google.colab")
    for name in [n for n in sys.modules if n.split(".")[0] == "google"]:
        del sys.modules[name]
    sys.modules.update(saved)


def test_drive_mount_checks_the_mount_point_and_unmount_carries_files_to_drive(colab, tmp_path, capsys):
    from google.colab import drive
    with pytest.raises(ValueError, match="Mountpoint must not contain a space."):
        drive.mount("/content/my drive")
    (tmp_path / "content" / "busy").mkdir()
    (tmp_path / "content" / "busy" / "file.txt").write_text("x")
    with pytest.raises(ValueError, match="Mountpoint must not already contain files"):
        drive.mount(str(tmp_path / "content" / "busy"))
    with pytest.raises(ValueError, match="Mountpoint must be in a directory that exists"):
        drive.mount(str(tmp_path / "content" / "no" / "drive"))
    drive.flush_and_unmount()
    mountpoint = tmp_path / "content" / "drive"
    drive.mount(str(mountpoint), timeout_ms=1000)
    drive.mount(str(mountpoint))
    (mountpoint / "MyDrive" / "result.csv").write_text("a,b\n")
    drive.flush_and_unmount()
    assert capsys.readouterr().out.splitlines() == [
        "Drive not mounted, so nothing to flush and unmount.",
        f"Mounted at {mountpoint}",
        f'Drive already mounted at {mountpoint}; to attempt to forcibly remount, '
        f'call drive.mount("{mountpoint}", force_remount=True).',
    ]
    assert (tmp_path / "google-drive" / "MyDrive" / "result.csv").read_text() == "a,b\n"
    assert mountpoint.is_dir() and not list(mountpoint.iterdir())
    drive.mount(str(mountpoint), readonly=True)
    (mountpoint / "MyDrive" / "result.csv").write_text("changed")
    drive.flush_and_unmount()
    assert (tmp_path / "google-drive" / "MyDrive" / "result.csv").read_text() == "a,b\n"


def test_files_upload_returns_names_and_bytes_and_download_refuses_a_missing_file(colab, tmp_path, capsys):
    from google.colab import files
    assert files.upload() == {}
    (tmp_path / "browser" / "uploads" / "vitals.csv").write_bytes(b"id,hr\n1,70\n")
    assert files.upload() == {"vitals.csv": b"id,hr\n1,70\n"}
    assert files.upload() == {"vitals.csv": b"id,hr\n1,70\n"}
    assert capsys.readouterr().out.splitlines() == ["Saving vitals.csv to vitals.csv",
                                                    "Saving vitals.csv to vitals (1).csv"]
    assert (tmp_path / "content" / "vitals (1).csv").read_bytes() == b"id,hr\n1,70\n"
    with pytest.raises(FileNotFoundError, match=r"^Cannot find file: missing\.csv$"):
        files.download("missing.csv")
    files.download("vitals.csv")
    assert (tmp_path / "browser" / "downloads" / "vitals.csv").is_file()
    journal = [json.loads(line)["call"] for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    assert journal == ["files.upload"] * 3 + ["files.download"] * 2


def test_userdata_get_returns_a_secret_or_raises_colabs_errors(colab, tmp_path):
    from google.colab import errors, userdata
    (tmp_path / "secrets.json").write_text(json.dumps({
        "API_KEY": {"value": "synthetic-value", "access": True},
        "OTHER": {"value": "x", "access": False}}))
    assert userdata.get("API_KEY") == "synthetic-value"
    with pytest.raises(userdata.SecretNotFoundError, match="^Secret MISSING does not exist.$"):
        userdata.get("MISSING")
    assert issubclass(userdata.SecretNotFoundError, errors.Error)
    with pytest.raises(userdata.NotebookAccessError, match="^Notebook does not have access to secret OTHER$"):
        userdata.get("OTHER")


def test_the_fake_nvidia_smi_answers_as_on_a_t4_runtime_or_without_a_driver(tmp_path):
    program = str(Path(runtimes.__file__).parent / "bin" / "nvidia-smi")
    query = [program, "--query-gpu=name,memory.total", "--format=csv,noheader"]
    t4 = subprocess.run(query, capture_output=True, text=True, env={"COLAB_SIM_GPU": "T4", "PATH": "/usr/bin:/bin"})
    assert (t4.returncode, t4.stdout) == (0, "Tesla T4, 15360 MiB\n")
    broken = subprocess.run(query, capture_output=True, text=True,
                            env={"COLAB_SIM_GPU": "no-driver", "PATH": "/usr/bin:/bin"})
    assert broken.returncode == 9 and "couldn't communicate with the NVIDIA driver" in broken.stdout


def test_the_cpu_runtime_has_the_frameworks_colabs_package_list_has():
    from notebook_rules import read_runtime
    packages = read_runtime(ROOT / "notebooks" / "colab-runtime.txt").packages
    for name in runtimes.CPU.frameworks:
        assert runtimes.DISTRIBUTIONS[name] in packages, f"{name} is not in Colab's CPU runtime"
    assert "cupy-cuda12x" not in packages and "cupy" not in runtimes.CPU.frameworks
    assert "tensorflow" not in runtimes.TPU_V5E_1.frameworks and "cupy" not in runtimes.TPU_V5E_1.frameworks


def test_nothing_of_the_stand_in_reaches_the_notebooks_or_the_site(built_site):
    markers = ("colab_runtime_sim", "COLAB_SIM_", "google.colab stand-in")
    leaks = [f"{path}: {marker}" for folder in (ROOT / "notebooks", built_site)
             for path in folder.rglob("*") if path.is_file()
             for marker in markers if marker in path.read_text(errors="ignore")]
    assert leaks == []
