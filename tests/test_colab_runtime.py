"""The notebooks run on Google Colab's runtime as it is, with nothing installed.

notebooks/colab-runtime.txt records the packages (and versions) of Colab's
default CPU runtime; notebooks/requirements.txt pins the packages the notebooks
import at those versions, and local runs and CI install exactly those pins.
These tests read only files in the repository, so they work in a fork.

The notebooks' imports are checked by the rule book (scripts/notebook_rules.py,
rules `colab-imports` and `pinned-imports`); the pins and the environment by
the checks below. Each runs on the real tree, and again on a defect planted
in tmp_path to prove it can fail with a message that names the file and the place.
"""
from __future__ import annotations

import importlib.metadata
from pathlib import Path

import nbformat
import pytest

from notebook_rules import Course, check_paths, read_pins, read_runtime, shown_path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COLAB_RUNTIME = NOTEBOOKS / "colab-runtime.txt"
PINS = NOTEBOOKS / "requirements.txt"


def _rel(path: Path) -> str:
    return shown_path(path, ROOT)


def notebooks_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def rule_problems(rule: str, notebooks: list[Path], course: Course) -> list[str]:
    """The rule book's problems of `rule` in `notebooks`, as printed."""
    return [str(problem) for problem in check_paths(notebooks, [rule], course=course)]


def pins_not_matching_colab(pins_file: Path, runtime: Runtime) -> list[str]:
    pins, problems = read_pins(pins_file)
    for name, version in sorted(pins.items()):
        if name not in runtime.packages:
            problems.append(f"{_rel(pins_file)}: {name}=={version} is not in Colab's runtime at all")
        elif runtime.packages[name] != version:
            problems.append(f"{_rel(pins_file)}: {name} is pinned at {version} but Colab's runtime "
                            f"has {runtime.packages[name]}")
    return problems


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


def test_installed_versions_match_the_pins():
    fail_on(installed_not_matching_pins(PINS))


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
    assert "planted.ipynb: cell 3: [colab-imports] line 1: `import no_such_module_anywhere`" in problems[1]
    assert "planted.ipynb: cell 4: [colab-imports] line 1: `import imp`: removed from the standard " \
           "library in Python 3.12; Colab runs Python 3.13.15" in problems[2]


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
    assert any("pandas is pinned at 3.0.0 but Colab's runtime has 2.2.3" in p for p in problems), problems
    assert any("scipy==1.16.0 is not in Colab's runtime" in p for p in problems), problems
    assert len(problems) == 3, problems


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
    problems = rule_problems("pinned-imports", [planted], Course(tmp_path, pins_file=pins))
    assert problems == [
        "planted.ipynb: cell 1: [pinned-imports] line 2: `import nbformat` needs nbformat, "
        "which is not pinned in requirements.txt",
        "planted.ipynb: cell 3: [pinned-imports] line 1: `import google.colab` exists only in Colab; "
        "import it inside an `if` that checks for Colab",
    ]
