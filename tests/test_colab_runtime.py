"""The notebooks run on Google Colab's runtime as it is, with nothing installed.

notebooks/colab-runtime.txt records the packages (and versions) of Colab's
default CPU runtime; notebooks/requirements.txt pins the packages the notebooks
import at those versions, notebooks/kernel-requirements.txt pins the kernel
(ipykernel, jupyter_client and what they load) at Colab's versions too, and
local runs and CI install exactly those pins. A pin may differ from Colab only
with a note on its line saying why (`# not Colab's X.Y.Z: reason`, naming the
version Colab has, or `# not in Colab's list: reason`). These tests read only
files in the repository, so they work in a fork.

The notebooks' imports are checked by the rule book (scripts/notebook_rules.py,
rules `colab-imports` and `pinned-imports`); the pins and the environment by
the checks below. Each runs on the real tree, and again on a defect planted
in tmp_path to prove it can fail with a message that names the file and the place.
"""
from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import nbformat
import pytest

from notebook_rules import Course, check_paths, read_pins, read_runtime, shown_path
from pins_support import pins_not_matching_colab

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COLAB_RUNTIME = NOTEBOOKS / "colab-runtime.txt"
PINS = NOTEBOOKS / "requirements.txt"
KERNEL_PINS = NOTEBOOKS / "kernel-requirements.txt"
# The kernel side that must be pinned (at Colab's version, or with a note).
KERNEL_PACKAGES = ("ipykernel", "jupyter-client", "jupyter-core", "ipython", "traitlets", "pyzmq",
                   "tornado", "debugpy", "nest-asyncio", "psutil", "matplotlib-inline")


def _rel(path: Path) -> str:
    return shown_path(path, ROOT)


def notebooks_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def rule_problems(rule: str, notebooks: list[Path], course: Course) -> list[str]:
    """The rule book's problems of `rule` in `notebooks`, as printed."""
    return [str(problem) for problem in check_paths(notebooks, [rule], course=course)]


def installed_not_matching_pins(pins_file: Path) -> list[str]:
    pins, problems = read_pins(pins_file)
    for name, version in sorted(pins.items()):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{_rel(pins_file)}: {name}=={version} is pinned but not installed")
            continue
        if installed != version:
            problems.append(f"{_rel(pins_file)}: {name} is pinned at {version} but {installed} "
                            f"is installed (run `make setup`)")
    return problems


def fail_on(problems: list[str]) -> None:
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


# --- The promises, checked on the real tree -------------------------------


def test_colab_runtime_record_names_python_and_the_notebook_packages():
    runtime = read_runtime(COLAB_RUNTIME)
    assert runtime.python and runtime.python.startswith("3."), \
        f"{_rel(COLAB_RUNTIME)}: needs a '# python-version: 3.x.y' header line"
    for name in ("numpy", "pandas", "matplotlib", "google-colab"):
        assert name in runtime.packages, f"{_rel(COLAB_RUNTIME)}: {name} missing"


def test_every_notebook_imports_only_what_colab_has():
    notebooks = notebooks_in(NOTEBOOKS)
    assert notebooks, "no notebooks found in notebooks/"
    fail_on(rule_problems("colab-imports", notebooks, Course(ROOT)))


def test_notebook_pins_match_recorded_colab_versions():
    fail_on(pins_not_matching_colab(PINS, read_runtime(COLAB_RUNTIME)))


def test_kernel_pins_match_recorded_colab_versions():
    fail_on(pins_not_matching_colab(KERNEL_PINS, read_runtime(COLAB_RUNTIME)))


def test_the_kernel_side_is_pinned():
    pins, problems = read_pins(KERNEL_PINS)
    missing = [name for name in KERNEL_PACKAGES if name not in pins]
    fail_on(problems + [f"{_rel(KERNEL_PINS)}: {name} is not pinned" for name in missing])


def test_installed_versions_match_the_pins():
    fail_on(installed_not_matching_pins(PINS) + installed_not_matching_pins(KERNEL_PINS))


def test_the_tests_run_in_colabs_python():
    """The suite (and the kernels it starts: --nbval-current-env) runs on Colab's minor version."""
    colab = read_runtime(COLAB_RUNTIME).python_tuple
    assert sys.version_info[:2] == colab, (
        f"the tests run on Python {sys.version_info[0]}.{sys.version_info[1]}, Colab's runtime "
        f"({_rel(COLAB_RUNTIME)}) is {colab[0]}.{colab[1]}: run `make setup` (it rebuilds .venv)")


def test_every_imported_package_is_pinned():
    fail_on(rule_problems("pinned-imports", notebooks_in(NOTEBOOKS), Course(ROOT)))


# --- Each check can fail: defects planted in tmp_path ---------------------


def _notebook(path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_markdown_cell("# Planted")]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


RUNTIME_TEXT = "# python-version: 3.13.15\nnumpy==2.1.3\npandas==2.2.3\nnbformat==5.11.1\n" \
               "google-colab @ file:///colabtools/dist/google_colab-1.0.0.tar.gz\n"


def test_import_check_names_notebook_cell_and_import_missing_from_colab(tmp_path):
    runtime_file = tmp_path / "colab-runtime.txt"
    runtime_file.write_text(RUNTIME_TEXT)
    planted = _notebook(
        tmp_path / "planted.ipynb",
        "!pip install something\n%timeit 1 + 1\nimport numpy as np\nfrom pathlib import Path",
        "listing = !ls\nimport mkdocs",
        "import no_such_module_anywhere",
        "import imp",
    )
    problems = rule_problems("colab-imports", [planted], Course(tmp_path, runtime_file=runtime_file))
    assert len(problems) == 3, problems
    assert "planted.ipynb: cell 2: [colab-imports] line 2: `import mkdocs` needs mkdocs, which Colab's " \
           "runtime does not have" in problems[0]
    assert ("planted.ipynb: cell 3: [colab-imports] line 1: `import no_such_module_anywhere`: no package of "
            "that name is installed here or listed in Colab's runtime (colab-runtime.txt); in Colab it would "
            "need a `pip install`, and the course's notebooks install nothing: use a package Colab has"
            ) in problems[1], problems[1]
    assert "planted.ipynb: cell 4: [colab-imports] line 1: `import imp`: removed from the standard " \
           "library in Python 3.12; Colab runs Python 3.13.15" in problems[2]


def test_a_package_colab_has_but_this_machine_lacks_is_named_with_the_pin_to_add(tmp_path):
    runtime_file = tmp_path / "colab-runtime.txt"
    runtime_file.write_text(RUNTIME_TEXT + "colab_only_survival==0.30.1\n")
    planted = _notebook(tmp_path / "planted.ipynb", "import colab_only_survival.fitters")
    problems = rule_problems("colab-imports", [planted], Course(tmp_path, runtime_file=runtime_file))
    assert problems == [
        "planted.ipynb: cell 1: [colab-imports] line 1: `import colab_only_survival.fitters`: Colab has "
        "colab-only-survival, but it is not installed here, so the notebook cannot be tested: add "
        "`colab-only-survival==0.30.1` to notebooks/requirements.txt, then `make setup`"], problems


def test_import_check_names_a_cell_that_is_not_valid_code(tmp_path):
    runtime_file = tmp_path / "colab-runtime.txt"
    runtime_file.write_text(RUNTIME_TEXT)
    planted = _notebook(tmp_path / "broken.ipynb", "import numpy", "def oops(:\n    pass")
    problems = rule_problems("colab-imports", [planted], Course(tmp_path, runtime_file=runtime_file))
    assert len(problems) == 1 and "broken.ipynb: cell 2: [colab-imports] line 1: not valid Python" \
        in problems[0], problems


def test_pin_check_names_package_and_both_versions(tmp_path):
    runtime_file = tmp_path / "colab-runtime.txt"
    runtime_file.write_text(RUNTIME_TEXT)
    pins = tmp_path / "requirements.txt"
    pins.write_text("numpy==2.1.3\npandas==3.0.0\nscipy==1.16.0\nnbformat>=5\n")
    problems = pins_not_matching_colab(pins, read_runtime(runtime_file))
    assert any("line 4: 'nbformat>=5' is not an exact pin" in p for p in problems), problems
    assert any("pandas is pinned at 3.0.0 but Colab's runtime has 2.2.3 (" in p and "line 2" in p
               for p in problems), problems
    assert any("scipy==1.16.0 is not in Colab's runtime at all (" in p and "line 3" in p
               for p in problems), problems
    assert len(problems) == 3, problems


def test_a_pin_may_differ_from_colab_only_with_a_note_naming_colabs_version(tmp_path):
    runtime_file = tmp_path / "colab-runtime.txt"
    runtime_file.write_text(RUNTIME_TEXT + "ipython==7.34.0\ntraitlets==5.7.1\n")
    pins = tmp_path / "kernel-requirements.txt"
    pins.write_text(
        "ipython==8.39.0  # not Colab's 7.34.0: PyPI's 7.34.0 cannot parse `x = !cmd` on 3.12+\n"
        "traitlets==5.16.1  # not Colab's 5.6.0: stale note\n"
        "numpy==2.1.3  # not Colab's 2.0.2: the note is wrong, the pin is Colab's\n"
        "jedi==0.20.1  # not in Colab's list: IPython 8 needs it\n"
        "stack-data==0.6.3\n"
        "pandas==2.2.2  # a comment that is not a note\n")
    problems = pins_not_matching_colab(pins, read_runtime(runtime_file))
    assert problems == [
        f"{pins} line 3: numpy==2.1.3 is Colab's version, but its note says otherwise: remove the note",
        f"{pins}: pandas is pinned at 2.2.2 but Colab's runtime has 2.2.3 ({pins} line 6: pin 2.2.3, "
        "or say why with `# not Colab's 2.2.3: reason`)",
        f"{pins}: stack-data==0.6.3 is not in Colab's runtime at all ({pins} line 5: say why with "
        "`# not in Colab's list: reason`)",
        f"{pins} line 2: traitlets: the note says Colab has 5.6.0, but Colab's runtime now has 5.7.1: "
        "try 5.7.1, or update the note",
    ]


def test_installed_check_names_package_pin_and_installed_version(tmp_path):
    pins = tmp_path / "requirements.txt"
    numpy_installed = importlib.metadata.version("numpy")
    pins.write_text(f"numpy==1.0.0\nnbformat=={importlib.metadata.version('nbformat')}\n"
                    "no-such-distribution==1.0\n")
    problems = installed_not_matching_pins(pins)
    assert problems == [
        f"{pins}: no-such-distribution==1.0 is pinned but not installed",
        f"{pins}: numpy is pinned at 1.0.0 but {numpy_installed} is installed (run `make setup`)",
    ]


def test_pinned_import_check_names_notebook_and_unpinned_import(tmp_path):
    pins = tmp_path / "requirements.txt"
    pins.write_text("numpy==2.1.3\n")
    planted = _notebook(
        tmp_path / "planted.ipynb",
        "import numpy\nimport nbformat",
        "if IN_COLAB:\n    from google.colab import drive",
        "from google.colab import files",
    )
    runtime_file = tmp_path / "colab-runtime.txt"
    runtime_file.write_text(RUNTIME_TEXT + "nbformat==5.10.4\n")
    problems = rule_problems("pinned-imports", [planted], Course(tmp_path, pins_file=pins, runtime_file=runtime_file))
    assert problems == [
        "planted.ipynb: cell 1: [pinned-imports] line 2: `import nbformat` needs nbformat, "
        "which is not pinned in requirements.txt: add `nbformat==5.10.4` (Colab's version) to it, then `make setup`",
        "planted.ipynb: cell 3: [pinned-imports] line 1: `import google.colab` exists only in Colab; "
        "import it inside an `if` that checks for Colab",
    ]


# --- The runtime the notebooks are tested against, stated from the record ----------------


def test_the_quick_start_notebook_states_the_recorded_runtime():
    from colab_runtime import read_record
    from notebook_rules import STATED_RUNTIME, check_paths
    record = read_record(COLAB_RUNTIME)
    notebook = nbformat.read(NOTEBOOKS / "01-colab-quick-start.ipynb", as_version=4)
    stated = [match.groups() for cell in notebook.cells if cell.cell_type == "markdown"
              for match in STATED_RUNTIME.finditer(" ".join(cell.source.split()))]
    assert stated and set(stated) == {(record.date_text, record.python_minor)}, stated
    fail_on([str(p) for p in check_paths(notebooks_in(NOTEBOOKS), ["colab-runtime-facts"])])


def test_the_colab_page_takes_the_runtime_facts_from_the_record(built_site):
    from colab_runtime import read_record
    record = read_record(COLAB_RUNTIME)
    source = (ROOT / "docs" / "chapter-1" / "colab" / "what-colab-gives-you.md").read_text()
    for placeholder in ("{colab-runtime:date}", "{colab-runtime:python-full}", "{colab-runtime:version numpy}"):
        assert placeholder in source, placeholder
    page = " ".join((built_site / "chapter-1" / "colab" / "what-colab-gives-you" / "index.html").read_text().split())
    assert "{colab-runtime:" not in page
    assert f"<strong>{record.date_text}</strong>" in page
    assert f"Python {record.python}" in page and f"<td>{record.packages['numpy']}</td>" in page


def test_a_stated_runtime_that_differs_from_the_record_names_notebook_cell_and_rule(tmp_path):
    from notebook_rules import check_paths
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "colab-runtime.txt").write_text(COLAB_RUNTIME.read_text())
    planted = _notebook(tmp_path / "planted.ipynb", "print('hello')")
    notebook = nbformat.read(planted, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell(
        "Tested against Colab's runtime\nof 2 July 2026 (Python 3.12), the old one."))
    nbformat.write(notebook, planted)
    problems = [str(p) for p in check_paths([planted], ["colab-runtime-facts"], root=tmp_path)]
    assert len(problems) == 1, problems
    assert problems[0].startswith("planted.ipynb: cell 2: [colab-runtime-facts] states Colab's runtime of "
                                  "2 July 2026 (Python 3.12), but notebooks/colab-runtime.txt records")


def test_a_page_placeholder_the_record_cannot_fill_fails_naming_the_page():
    from colab_runtime import fill, read_record
    record = read_record(COLAB_RUNTIME)
    assert fill("Python {colab-runtime:python}, list of {colab-runtime:date}", record, "x.md") == \
        f"Python {record.python_minor}, list of {record.date_text}"
    with pytest.raises(ValueError, match=r"^docs/x\.md: \{colab-runtime:version no-such-package\}: "):
        fill("{colab-runtime:version no-such-package}", record, "docs/x.md")
    with pytest.raises(ValueError, match=r"^docs/x\.md: unknown placeholder \{colab-runtime:pyhton\}"):
        fill("{colab-runtime:pyhton}", record, "docs/x.md")


BACKEND_INFO_COMMIT_LINK = re.compile(r"github\.com/googlecolab/backend-info/blob/([0-9a-f]{40})/")


def links_to_other_package_lists(files: list[Path], commit: str) -> list[str]:
    """A problem for each link to googlecolab/backend-info at a commit other than the recorded one."""
    problems = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for found in BACKEND_INFO_COMMIT_LINK.findall(line):
                if found != commit:
                    problems.append(f"{_rel(path)} line {number}: links Colab's package list at commit "
                                    f"{found[:12]}, but notebooks/colab-runtime.txt records {commit[:12]}")
    return problems


def test_links_to_colabs_package_list_name_the_recorded_commit():
    """After `scripts/colab_drift.py --update`, this names every source note and register
    entry that still cites the old list (re-check those claims, then change the links)."""
    from colab_runtime import read_record
    commit = read_record(COLAB_RUNTIME).commit
    assert re.fullmatch(r"[0-9a-f]{40}", commit), f"{_rel(COLAB_RUNTIME)}: no backend-info-commit line"
    files = [ROOT / "claims.yml", *sorted((ROOT / "docs").rglob("*.md")), *notebooks_in(NOTEBOOKS)]
    fail_on(links_to_other_package_lists([path for path in files if path.exists()], commit))


def test_a_link_to_another_package_list_is_named_with_file_and_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Text.\n\n[^list]: [pip-freeze.txt](https://github.com/googlecolab/backend-info/blob/"
                    + "ab" * 20 + "/pip-freeze.txt), checked 2026-12-02.\n")
    assert links_to_other_package_lists([page], "cd" * 20) == [
        f"{page} line 3: links Colab's package list at commit {'ab' * 6}, but "
        f"notebooks/colab-runtime.txt records {'cd' * 6}"]
