"""`make check NB=...`: an author's quick loop (student copies, rule book, leak guards, strict
build, that notebook's nbval) stops at the first failing step and names it (the full loop's time is a budget in `make bench`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from local_site import copy_course
from notebook_rules import KEY_POINT_PLACEHOLDER


def test_the_quick_loop_stops_at_a_broken_rule_naming_step_notebook_and_cell(root, tmp_path):
    course = copy_course(tmp_path / "course")
    notebook = sorted((course / "notebooks").glob("*.ipynb"))[0]
    node = nbformat.read(notebook, as_version=4)
    node.cells.append(nbformat.v4.new_markdown_cell(f"- {KEY_POINT_PLACEHOLDER}"))
    nbformat.write(node, notebook)
    name = f"notebooks/{notebook.name}"
    result = subprocess.run([sys.executable, "scripts/quick_check.py", name], cwd=course,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{name}: cell {len(node.cells) - 1}: [scaffold-placeholder]" in result.stdout, result.stdout
    assert f"quick check: notebook rules failed for {name}" in result.stdout, result.stdout
    assert f"exercises/{notebook.name}: updated" in result.stdout, "the edited notebook's student copy is refreshed first"
    assert "[student-copy-current]" not in result.stdout, result.stdout
    assert "] strict build ..." not in result.stdout, "a failed step must stop the loop"


def test_the_quick_loops_build_fails_on_a_warning_naming_notebook_and_cell(root, tmp_path):
    """A notebook that follows every rule but loads an image from another site passes the
    rules and fails the strict build, as `make build` does."""
    course = copy_course(tmp_path / "course")
    notebook = sorted((course / "notebooks").glob("*.ipynb"))[1]
    node = nbformat.read(notebook, as_version=4)
    node.cells.insert(len(node.cells) - 1, nbformat.v4.new_markdown_cell("![A chart](https://example.org/x.png)"))
    nbformat.write(node, notebook)
    name = f"notebooks/{notebook.name}"
    result = subprocess.run([sys.executable, "scripts/quick_check.py", name], cwd=course,
                            capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"quick check: strict build failed for {name}" in output, output
    assert f"{name}: cell {len(node.cells) - 2} loads https://example.org/x.png from another site" in output, output


def test_the_quick_loop_refuses_a_notebook_that_does_not_exist(root):
    result = subprocess.run([sys.executable, str(root / "scripts" / "quick_check.py"), "notebooks/nope.ipynb"],
                            cwd=root, capture_output=True, text=True)
    assert result.returncode == 2 and "no such notebook: notebooks/nope.ipynb" in result.stderr, result.stderr


def test_the_quick_loop_runs_the_leak_guards_on_the_notebook_and_its_student_copy(root, tmp_path):
    """Account metadata left by Colab and a patient-like identifier stop the loop before
    the build, naming notebook, cell and guard; the notebook is left as it was."""
    course = copy_course(tmp_path / "course")
    notebook = sorted((course / "notebooks").glob("*.ipynb"))[2]
    node = nbformat.read(notebook, as_version=4)
    node.metadata["colab"] = {"provenance": [{"file_id": "1AbC", "timestamp": 1764600000000}]}
    nbformat.write(node, notebook)
    name = f"notebooks/{notebook.name}"
    before = notebook.read_bytes()
    result = subprocess.run([sys.executable, "scripts/quick_check.py", name], cwd=course,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"quick check: leak guard: account metadata failed for {name}" in result.stdout, result.stdout
    assert name in result.stdout and f"exercises/{notebook.name}" in result.stdout, result.stdout
    assert notebook.read_bytes() == before
    assert "] strict build ..." not in result.stdout

    node.metadata.pop("colab")
    code = next(i for i, cell in enumerate(node.cells) if cell.cell_type == "code" and i > 1)
    node.cells[code].source += "\nward_contact = 'SSN 219-09-9999'"
    nbformat.write(node, notebook)
    result = subprocess.run([sys.executable, "scripts/quick_check.py", name], cwd=course,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"quick check: leak guard: patient-like identifiers failed for {name}" in result.stdout, result.stdout
    assert f"{name}: cell {code}" in result.stdout, result.stdout


def test_the_quick_loops_leak_guards_are_the_commit_guards_commands(root):
    """The quick loop runs each leak guard as .pre-commit-config.yaml does (its entry,
    with the .venv's interpreter or tool): a guard changed in one place is changed in both."""
    import shlex
    import yaml
    from quick_check import steps
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]
               if hook["id"] in ("nb-clean-check", "detect-secrets", "scan-identifiers")]
    assert len(entries) == 3, entries
    commands = [command for name, command in steps("notebooks/x.ipynb") if name.startswith("leak guard")]
    for entry in entries:
        words = shlex.split(entry)
        tool, arguments = Path(words[0]).name, words[1:]     # .venv/bin/python, .venv/bin/detect-secrets-hook
        assert any(Path(command[0]).name.startswith(tool) and command[1:1 + len(arguments)] == arguments
                   for command in commands), (entry, commands)
