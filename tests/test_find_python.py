"""scripts/find_python.sh finds an interpreter of Colab's Python version, or says how to get one.

Each case runs the script with a PATH and a pyenv folder made in tmp_path, and
a made-up version (3.97) no real machine has, so the answers do not depend
on what this machine has installed. A fake interpreter answers the script's
probe like a real one: it prints its path (works), exits 1 (no venv module)
or fails like a pyenv shim without PYENV_VERSION.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "find_python.sh"

WORKS = '#!/bin/sh\necho "$0"\n'
NO_VENV = "#!/bin/sh\nexit 1\n"
PYENV_SHIM = '#!/bin/sh\necho "pyenv: python3.97: command not found" >&2\nexit 127\n'


def fake(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def find(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the script with only tmp_path/bin and the system's tools on PATH."""
    environment = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path),
                   "PYENV_ROOT": str(tmp_path / "pyenv"), **env}
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=environment)


def test_a_failing_pyenv_shim_is_skipped_for_pyenvs_own_interpreter(tmp_path):
    fake(tmp_path / "bin" / "python3.97", PYENV_SHIM)
    found = fake(tmp_path / "pyenv" / "versions" / "3.97.2" / "bin" / "python3.97", WORKS)
    result = find(tmp_path, "3.97")
    assert (result.returncode, result.stdout.strip()) == (0, str(found)), result.stderr


def test_a_working_interpreter_on_path_comes_first(tmp_path):
    on_path = fake(tmp_path / "bin" / "python3.97", WORKS)
    fake(tmp_path / "pyenv" / "versions" / "3.97.2" / "bin" / "python3.97", WORKS)
    assert find(tmp_path, "3.97").stdout.strip() == str(on_path)


def test_no_interpreter_stops_with_how_to_install_one(tmp_path):
    fake(tmp_path / "bin" / "python3.97", PYENV_SHIM)
    result = find(tmp_path, "3.97")
    assert result.returncode == 1 and result.stdout == ""
    message = result.stderr
    assert "No Python 3.97 found" in message
    for advice in ("sudo apt-get install python3.97 python3.97-venv", "pyenv install 3.97",
                   'actions/setup-python with python-version: "3.97"', "make setup PYTHON="):
        assert advice in message, message


def test_an_interpreter_without_venv_is_named_with_the_package_that_adds_it(tmp_path):
    without = fake(tmp_path / "bin" / "python3.97", NO_VENV)
    result = find(tmp_path, "3.97")
    assert result.returncode == 1
    assert f"Found Python 3.97 ({without}), but it cannot create virtual environments" in result.stderr
    assert "sudo apt-get install python3.97-venv" in result.stderr


def test_python_names_the_only_candidate(tmp_path):
    fake(tmp_path / "bin" / "python3.97", WORKS)
    wrong = fake(tmp_path / "elsewhere" / "python", PYENV_SHIM)
    result = find(tmp_path, "3.97", PYTHON=str(wrong))
    assert result.returncode == 1 and f"PYTHON={wrong} is not a working Python 3.97." in result.stderr


def test_without_an_argument_the_version_comes_from_colabs_record(tmp_path):
    result = find(tmp_path, PYTHON=os.devnull)
    record = (ROOT / "notebooks" / "colab-runtime.txt").read_text()
    minor = ".".join(record.split("# python-version:", 1)[1].split()[0].split(".")[:2])
    assert f"is not a working Python {minor}." in result.stderr, result.stderr


def test_make_rebuilds_a_venv_made_with_another_python_and_then_does_nothing(tmp_path):
    """The Makefile's install stamp names Colab's Python version; a .venv of another
    version is replaced by one of Colab's version (found by find_python.sh)."""
    course = tmp_path / "course"
    (course / "scripts").mkdir(parents=True)
    (course / "notebooks").mkdir()
    shutil.copy2(ROOT / "Makefile", course / "Makefile")
    shutil.copy2(SCRIPT, course / "scripts" / "find_python.sh")
    shutil.copy2(ROOT / "notebooks" / "colab-runtime.txt", course / "notebooks" / "colab-runtime.txt")
    for name in ("requirements.txt", "notebooks/requirements.txt", "notebooks/kernel-requirements.txt"):
        (course / name).write_text("# nothing to install in this test\n")
    # A .venv left by an older setup: its python answers as Python 3.11 does.
    fake(course / ".venv" / "bin" / "python", '#!/bin/sh\necho "3.11"; exit 1\n')
    (course / ".venv" / ".installed").touch()
    stamp = f".venv/.installed-python{_minor(sys.executable)}"
    first = subprocess.run(["make", stamp], cwd=course, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"Creating .venv with " in first.stdout and f"(Python {_minor(sys.executable)}, Colab's version)" \
        in first.stdout, first.stdout
    assert _minor(str(course / ".venv" / "bin" / "python")) == _minor(sys.executable)
    assert sorted(p.name for p in (course / ".venv").glob(".installed*")) == [Path(stamp).name]
    again = subprocess.run(["make", stamp], cwd=course, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "is up to date" in again.stdout, again.stdout + again.stderr


def _minor(python: str) -> str | None:
    result = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                            capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None
