"""Run a course notebook as in Google Colab, in every state its Colab-only code depends on.

A *configuration* is a simulated runtime (runtimes.py) and a setting of the
notebook's opt-in flags (module-level `NAME = False` lines, such as
MOUNT_DRIVE). configurations() lists, for one notebook, every flag in both
states on each runtime the notebook branches on (all of them when its code
asks about GPUs, TPUs or frameworks; CPU otherwise).

run() executes the notebook in one configuration, twice in the same kernel
(a student pressing Run all again), and raises CellFailed naming notebook,
configuration, run and cell (its index in the notebook, from 0) on the first
error. The kernel runs the repository's .venv Python with:

- the google.colab stand-in (stand_in/) on its sys.path, so the notebook's
  `running_in_colab()` is True and `from google.colab import drive` works;
- a private folder standing in for the runtime's disk: GitHub runners and
  most machines cannot create /content, so the notebook's absolute paths
  under /content, and /sys/bus/pci/devices (the PCI devices TPU checks
  read), are re-rooted there by rewriting those path literals in the cells
  before they run (same lines, so line numbers stay); the kernel starts in
  its content/ folder (Colab's working folder), with sample_data/ inside;
- nvidia-smi, PCI devices and installed frameworks as the runtime has them;
- https://github.com/ answered by local repositories (git's url.insteadOf),
  so `!git clone https://github.com/googlecolab/backend-info.git` works offline.

Every run, and a plain run outside Colab, records which lines of each cell ran
(tracer/); coverage() compares them: a notebook's Colab-only lines are the
lines the plain run does not run, and each must run in some configuration.
The notebook file is only read; nothing is written outside the work folder.
"""
from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from colab_runtime_sim.runtimes import CPU, HARDWARE_RUNTIMES, Runtime

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
for folder in ("scripts", "hooks"):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))

from colab_runtime import read_record  # noqa: E402  (the record of Colab's runtime)
from run_notebooks import local_kernel_config  # noqa: E402  (the kernel over Unix sockets, as make notebooks)

# Finding the kernel imports Colab's ipykernel here too, whose debugpy warns on
# Python 3.12+ about frozen modules (the Makefile sets the same for make's commands).
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

STAND_IN = HERE / "stand_in"
STAND_IN_GPU = HERE / "stand_in_gpu"
TRACER = HERE / "tracer"
FAKE_BIN = HERE / "bin"
COLAB_RUNTIME = ROOT / "notebooks" / "colab-runtime.txt"
TIMEOUT_PER_CELL = 120
PASSES = 2

# A module-level opt-in flag: `NAME = False` (or True) at the start of a line.
FLAG = re.compile(r"^([A-Z][A-Z0-9_]*) = (True|False)\b", re.M)
# Code that asks about the hardware or the frameworks a runtime has.
ASKS_HARDWARE = re.compile(r"nvidia-smi|/sys/bus/pci|\b(torch|torch_xla|jax|tensorflow|cupy)\b")
# Absolute paths of Colab's machine that the simulation re-roots into its folder.
REROOTED = ("/content", "/sys/bus/pci/devices")
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Configuration:
    runtime: Runtime | None              # None: a plain run outside Colab
    flags: tuple[tuple[str, bool], ...] = ()

    @property
    def label(self) -> str:
        if self.runtime is None:
            return "plain run, outside Colab"
        return ", ".join([str(self.runtime)] + [f"{name}={value}" for name, value in self.flags])

    @property
    def slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", self.label).strip("-").lower()


PLAIN = Configuration(None)


class CellFailed(Exception):
    """A cell raised: the message names notebook, configuration, run and cell."""


@dataclass
class RunResult:
    notebook: Path
    configuration: Configuration
    lines: dict[int, set[int]]           # cell index -> lines that ran
    journal: list[dict]                  # calls of the google.colab stand-in
    folder: Path                         # the simulated runtime's folder
    seconds: float


@dataclass
class Coverage:
    notebook: Path
    colab_only: dict[int, set[int]]      # cell index -> lines the plain run skips
    missing: dict[int, set[int]]         # of those, lines no simulated run ran
    runs: int
    sources: dict[int, list[str]] = field(repr=False, default_factory=dict)

    @property
    def total(self) -> int:
        return sum(map(len, self.colab_only.values()))

    @property
    def run(self) -> int:
        return self.total - sum(map(len, self.missing.values()))

    @property
    def complete(self) -> bool:
        return self.run == self.total

    def summary(self) -> str:
        configurations = f"{self.runs} Colab configuration{'s' if self.runs != 1 else ''}, each run {PASSES} times"
        if not self.total:
            return f"{shown(self.notebook)}: no Colab-only lines; {configurations}"
        cells = ", ".join(str(cell) for cell, lines in sorted(self.colab_only.items()) if lines)
        return (f"{shown(self.notebook)}: Colab-only lines run {self.run}/{self.total} "
                f"({100 * self.run / self.total:.0f}%) in cells {cells}; {configurations}")

    def missing_lines(self) -> list[str]:
        return [f"{shown(self.notebook)}: cell {cell} line {line} never ran in simulated Colab: "
                f"{self.sources[cell][line - 1].strip()}"
                for cell in sorted(self.missing) for line in sorted(self.missing[cell])]


# --- What to run ---------------------------------------------------------------------------

def code_cells(notebook: nbformat.NotebookNode):
    return [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def opt_in_flags(notebook: nbformat.NotebookNode) -> list[str]:
    names = []
    for _, cell in code_cells(notebook):
        names += [name for name, _ in FLAG.findall(cell.source) if name not in names]
    return names


def runtimes_for(notebook: nbformat.NotebookNode) -> tuple[Runtime, ...]:
    asks = any(ASKS_HARDWARE.search(cell.source) for _, cell in code_cells(notebook))
    return HARDWARE_RUNTIMES if asks else (CPU,)


def configurations(path: Path) -> list[Configuration]:
    notebook = nbformat.read(path, as_version=4)
    flags = opt_in_flags(notebook)
    return [Configuration(runtime, tuple(zip(flags, values)))
            for runtime in runtimes_for(notebook)
            for values in itertools.product((False, True), repeat=len(flags))]


# Exercise cells (starter, check, solution): their "Not yet" branches are the
# learner's path, not Colab's; the student copies' runs exercise them.
EXERCISE_CODE_TAGS = {"starter", "check", "solution"}


def executable_lines(notebook: nbformat.NotebookNode) -> dict[int, set[int]]:
    """Lines of each code cell that hold code (IPython syntax transformed as the kernel does),
    without `raise` statements: a run that passes never reaches an uncaught raise, so error
    paths (a helper refusing bad input) count for no side; a raise that a notebook catches
    to show the error runs in the plain run."""
    transformer = TransformerManager()
    found = {}
    for index, cell in code_cells(notebook):
        if EXERCISE_CODE_TAGS & set(cell.metadata.get("tags", [])):
            continue    # exercises: the learner's paths run in tests/test_exercises.py's student-copy runs
        source = transformer.transform_cell(cell.source)
        code = compile(source, f"cell {index}", "exec")
        lines, stack = set(), [code]
        while stack:
            current = stack.pop()
            lines.update(line for _, _, line in current.co_lines() if line)
            stack.extend(const for const in current.co_consts if hasattr(const, "co_lines"))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Raise):
                lines -= set(range(node.lineno, node.end_lineno + 1))
        found[index] = lines
    return found


# --- The simulated runtime's folder ----------------------------------------------------------

def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=Colab simulation", "-c", "user.email=simulation@example.org",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True, capture_output=True)


def _fake_github(folder: Path) -> Path:
    """github.com as local repositories: googlecolab/backend-info with Colab's recorded lists."""
    github = folder / "github"
    work = folder / "backend-info-source"
    work.mkdir(parents=True)
    record = read_record(COLAB_RUNTIME)
    lines = COLAB_RUNTIME.read_text(encoding="utf-8").splitlines()
    (work / "pip-freeze.txt").write_text("\n".join(l for l in lines if l and not l.startswith("#")) + "\n")
    (work / "os-info.txt").write_text(f"{record.os}\nPython {record.python}\n")
    (work / "README.md").write_text("# backend-info\n\nColab's runtime package lists (simulated copy).\n")
    _git("init", "-q", cwd=work)
    _git("add", ".", cwd=work)
    _git("commit", "-q", "-m", "Runtime package lists", cwd=work)
    (github / "googlecolab").mkdir(parents=True)
    _git("clone", "-q", "--bare", str(work), str(github / "googlecolab" / "backend-info.git"), cwd=folder)
    shutil.rmtree(work)
    return github


def _pci_devices(folder: Path, runtime: Runtime) -> None:
    """/sys/bus/pci/devices as Linux shows it: links to device folders with vendor and device ids."""
    bus = folder / "sys" / "bus" / "pci" / "devices"
    bus.mkdir(parents=True)
    for slot, vendor, device in runtime.pci:
        real = folder / "sys" / "devices" / "pci0000:00" / slot
        real.mkdir(parents=True)
        (real / "vendor").write_text(vendor + "\n")
        (real / "device").write_text(device + "\n")
        (bus / slot).symlink_to(Path("..", "..", "..", "devices", "pci0000:00", slot))


def _frameworks(folder: Path, runtime: Runtime) -> Path:
    """Packages find_spec finds; importing one says why it cannot run here (CuPy: stand_in_gpu)."""
    packages = folder / "frameworks"
    packages.mkdir()
    for name in runtime.frameworks:
        if name == "cupy":
            continue
        (packages / name).mkdir()
        (packages / name / "__init__.py").write_text(
            f'raise ImportError("{name} is installed on Colab\'s {runtime.name} runtime, but the simulated '
            f'runtime only shows that it is there: code that imports {name} cannot be tested here")\n')
    return packages


def _startup_file(ipython_dir: Path, coverage_file: Path) -> None:
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-course-coverage.py").write_text(
        "import colab_sim_tracer as _course_tracer\n"
        f"_course_tracer.install(get_ipython(), {str(coverage_file)!r})\n"
        "del _course_tracer\n")


def prepare(folder: Path, configuration: Configuration, notebook: Path) -> tuple[dict, Path]:
    """Create the simulated runtime in `folder`; returns the kernel's environment and working folder."""
    folder.mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("COLAB_SIM", "JPY_"))}
    _startup_file(folder / "ipython", folder / "coverage.json")
    env.update(IPYTHONDIR=str(folder / "ipython"), COLAB_SIM_COVERAGE=str(folder / "coverage.json"),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    paths = [str(TRACER)]
    runtime = configuration.runtime
    if runtime is None:
        env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in [os.environ.get("PYTHONPATH")] if p])
        return env, notebook.parent

    content = folder / "content"
    (content / "sample_data").mkdir(parents=True)
    (content / "sample_data" / "README.md").write_text(
        "Colab's sample_data folder holds a few small public data sets (anscombe.json, "
        "california_housing_train.csv, california_housing_test.csv, mnist_train_small.csv, "
        "mnist_test_small.csv). The simulated runtime creates the folder only.\n")
    for name in ("google-drive/MyDrive", "browser/downloads"):
        (folder / name).mkdir(parents=True)
    uploads = folder / "browser" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "synthetic-vitals.csv").write_text("patient_id,heart_rate_bpm\nP001,72\nP002,81\n")
    (folder / "secrets.json").write_text("{}")
    _pci_devices(folder, runtime)
    github = _fake_github(folder)
    paths += [str(STAND_IN), str(_frameworks(folder, runtime))]
    if "cupy" in runtime.frameworks:
        paths.append(str(STAND_IN_GPU))

    path_entries = [p for p in os.environ.get("PATH", "").split(os.pathsep)
                    if p and not (Path(p) / "nvidia-smi").exists()]  # this machine's own GPU tools
    if runtime.gpu:
        bin_folder = folder / "bin"
        bin_folder.mkdir()
        shutil.copy2(FAKE_BIN / "nvidia-smi", bin_folder / "nvidia-smi")
        path_entries.insert(0, str(bin_folder))
        env["COLAB_SIM_GPU"] = runtime.gpu
    env.update(
        COLAB_SIM_ROOT=str(folder),
        PATH=os.pathsep.join(path_entries),
        PYTHONPATH=os.pathsep.join(paths),
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0=f"url.file://{github}/.insteadOf",
        GIT_CONFIG_VALUE_0="https://github.com/",
    )
    return env, content


def for_colab(source: str, configuration: Configuration, folder: Path) -> str:
    """A cell's source as this configuration runs it: flags set, Colab's paths re-rooted."""
    flags = dict(configuration.flags)
    source = FLAG.sub(lambda m: f"{m[1]} = {flags[m[1]]}" if m[1] in flags else m[0], source)
    for path in REROOTED:
        source = re.sub(rf"(?<![\w/.]){re.escape(path)}(?=$|[/\"'\s])", str(folder) + path, source, flags=re.M)
    return source


# --- Running ------------------------------------------------------------------------------

class _Runner(NotebookClient):
    """Runs every cell PASSES times in one kernel, remembering which cell is running."""

    async def async_execute(self, reset_kc: bool = False, **kwargs) -> nbformat.NotebookNode:
        self.reset_execution_trackers()
        self.cell_of_count: dict[int, int] = {}
        self.pass_number = self.cell_index = 0
        async with self.async_setup_kernel(**kwargs):
            await self.async_wait_for_reply(await ensure_async(self.kc.kernel_info()))
            for self.pass_number in range(1, self.passes + 1):
                for index, cell in enumerate(self.nb.cells):
                    self.cell_index = index
                    await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
                    if cell.cell_type == "code" and cell.get("execution_count"):
                        self.cell_of_count[cell.execution_count] = index
        return self.nb


async def async_run(path: Path, configuration: Configuration, folder: Path) -> RunResult:
    """Run the notebook at `path` in `configuration`, in the new folder `folder`."""
    start = time.perf_counter()
    notebook = nbformat.read(path, as_version=4)
    env, cwd = prepare(folder, configuration, path)
    if configuration.runtime is not None:
        for _, cell in code_cells(notebook):
            cell.source = for_colab(cell.source, configuration, folder)
    with local_kernel_config() as config:
        runner = _Runner(notebook, timeout=TIMEOUT_PER_CELL, kernel_name="python3", config=config,
                         resources={"metadata": {"path": str(cwd)}})
        runner.passes = 1 if configuration.runtime is None else PASSES
        try:
            await runner.async_execute(env=env)
        except CellExecutionError as error:
            run = f", run {runner.pass_number} of {runner.passes}" if runner.passes > 1 else ""
            raise CellFailed(f"{shown(path)} [{configuration.label}{run}]: cell {runner.cell_index} "
                             f"failed:\n{ANSI_COLOUR.sub('', str(error))}") from None
        finally:
            nbformat.write(notebook, folder / "executed.ipynb")
    lines: dict[int, set[int]] = {}
    coverage_file = folder / "coverage.json"
    for entry in json.loads(coverage_file.read_text()) if coverage_file.exists() else []:
        for count in entry["counts"]:
            if count in runner.cell_of_count:
                lines.setdefault(runner.cell_of_count[count], set()).update(entry["lines"])
    journal_file = folder / "journal.jsonl"
    journal = [json.loads(line) for line in journal_file.read_text().splitlines()] \
        if journal_file.exists() else []
    return RunResult(path, configuration, lines, journal, folder, time.perf_counter() - start)


def run(path: Path, configuration: Configuration, folder: Path) -> RunResult:
    """One run, on an event loop of its own in a thread of its own: the test process
    may already run a loop in its main thread (Playwright's, for the browser tests
    that share the test worker), and asyncio allows one loop per thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, async_run(path, configuration, folder)).result()


def coverage(path: Path, plain: RunResult, simulated: list[RunResult]) -> Coverage:
    notebook = nbformat.read(path, as_version=4)
    executable = executable_lines(notebook)
    colab_only, missing = {}, {}
    for cell, lines in executable.items():
        colab_only[cell] = lines - plain.lines.get(cell, set())
        ran = set().union(*(result.lines.get(cell, set()) for result in simulated))
        if colab_only[cell] - ran:
            missing[cell] = colab_only[cell] - ran
    sources = {index: cell.source.splitlines() for index, cell in code_cells(notebook)}
    return Coverage(path, colab_only, missing, len(simulated), sources)


def check_notebook(path: Path, work: Path, progress=print) -> tuple[Coverage, list[RunResult]]:
    """Run `path` plainly and in every configuration (raises CellFailed); returns its coverage."""
    results = []
    for number, configuration in enumerate([PLAIN] + configurations(path)):
        result = run(path, configuration, work / f"{number:02d}-{configuration.slug}")
        calls = ", ".join(sorted({entry["call"] for entry in result.journal}))
        progress(f"  {path.name} [{configuration.label}]: ok in {result.seconds:.1f} s"
                 + (f" (google.colab: {calls})" if calls else ""))
        results.append(result)
    return coverage(path, results[0], results[1:]), results[1:]


def problems(path: Path, work: Path, progress=print) -> tuple[list[str], Coverage | None]:
    """The notebook's problems in simulated Colab: the first failing cell, or every
    Colab-only line no configuration ran (each message names notebook and cell)."""
    try:
        found, _ = check_notebook(path, work, progress)
    except CellFailed as failure:
        return [str(failure)], None
    return ([] if found.complete else [found.summary(), *found.missing_lines()]), found
