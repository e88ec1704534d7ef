"""The weekly Colab drift check (scripts/colab_drift.py), proved offline.

A server on 127.0.0.1 plays GitHub (the commits API and raw files of
googlecolab/backend-info): once with the list the course records (nothing
moved: exit 0), once with a list where Python's minor version, a package the
notebooks import, the kernel and a package on purpose not Colab's moved
(exit 1, each named), and once unreachable (exit 2). --update is run on a
copy of the record and pins, which then pass the pin checks of
tests/test_colab_runtime.py.
"""
from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest

from colab_runtime import read_record
from notebook_rules import read_runtime
from pins_support import pins_not_matching_colab

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "colab_drift.py"
RECORD = ROOT / "notebooks" / "colab-runtime.txt"
NEW_COMMIT = "ab" * 20  # a made-up commit id


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def github(tmp_path):
    """Serve tmp_path/served as {base}/api (commits API) and {base}/raw (raw files)."""
    served = tmp_path / "served"
    served.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def publish(served: Path, commit: str, date: str, freeze: str, python: str) -> None:
    (served / "api").mkdir(exist_ok=True)
    (served / "api" / "commits").write_text(json.dumps(
        [{"sha": commit, "commit": {"committer": {"date": f"{date}T10:00:00Z"}, "message": "Update"}}]))
    (served / "raw" / commit).mkdir(parents=True)
    (served / "raw" / commit / "pip-freeze.txt").write_text("# generated\n" + freeze)
    (served / "raw" / commit / "os-info.txt").write_text(f"# generated\nUbuntu 22.04.5 LTS\nPython {python}\n")


def recorded_freeze() -> str:
    return "".join(line + "\n" for line in RECORD.read_text().splitlines() if line and not line.startswith("#"))


def drift(base: str, *args: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--api", f"{base}/api", "--raw", f"{base}/raw",
                           "--root", str(root), *args], capture_output=True, text=True, timeout=60)


def copy_of_pins(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for name in ("colab-runtime.txt", "requirements.txt", "kernel-requirements.txt"):
        shutil.copy2(ROOT / "notebooks" / name, root / "notebooks" / name)
    return root


def test_an_unchanged_list_reports_nothing_moved_and_exits_0(github, tmp_path):
    served, base = github
    record = read_record(RECORD)
    publish(served, record.commit, record.date.isoformat(), recorded_freeze(), record.python)
    output = tmp_path / "github-output"
    result = drift(base, "--report", str(tmp_path / "report.md"), "--github-output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nothing the notebooks import or run on moved" in result.stdout
    assert "0 other package(s) changed" in result.stdout
    assert (tmp_path / "report.md").read_text() in result.stdout
    assert output.read_text() == f"status=0\npython={record.python_minor}\n"


def test_a_changed_list_names_each_moved_package_and_python_and_exits_1(github, tmp_path):
    served, base = github
    record = read_record(RECORD)
    freeze = (recorded_freeze()
              .replace("\npandas==2.2.3\n", "\npandas==2.3.1\n")
              .replace("\nipykernel==6.17.1\n", "\nipykernel==6.29.5\n")
              .replace("\nipython==7.34.0\n", "\nipython==7.35.0\n")
              .replace("\naccelerate==1.14.0\n", "\naccelerate==1.15.0\n"))
    publish(served, NEW_COMMIT, "2026-12-01", freeze, "3.14.2")
    output = tmp_path / "github-output"
    result = drift(base, "--github-output", str(output))
    assert result.returncode == 1, result.stdout + result.stderr
    text = result.stdout
    assert f"Colab's package list of 1 December 2026 (googlecolab/backend-info commit `{NEW_COMMIT[:12]}`)" in text
    assert f"**Python moved: {record.python} -> 3.14.2** (minor version {record.python_minor} -> 3.14)" in text
    assert "| pandas | 2.2.3 | 2.3.1 | 2.2.3 | imported by the notebooks |" in text
    assert "| ipykernel | 6.17.1 | 6.29.5 | 6.17.1 | the notebooks' kernel |" in text
    assert "| ipython | 7.34.0 | 7.35.0 | 8.39.0, not Colab's on purpose: check the reason" in text
    assert "1 other package(s) changed, none of them imported by the notebooks (accelerate)." in text
    assert "| accelerate |" not in text and "| numpy |" not in text
    assert output.read_text() == "status=1\npython=3.14\n"


def test_update_rewrites_the_record_and_pins_so_the_pin_checks_pass(github, tmp_path):
    served, base = github
    freeze = recorded_freeze().replace("\npandas==2.2.3\n", "\npandas==2.3.1\n") \
                              .replace("\nipython==7.34.0\n", "\nipython==7.35.0\n")
    publish(served, NEW_COMMIT, "2026-12-01", freeze, "3.13.16")
    root = copy_of_pins(tmp_path)
    result = drift(base, "--update", root=root)
    assert result.returncode == 1, result.stdout + result.stderr
    record = read_record(root / "notebooks" / "colab-runtime.txt")
    assert (record.python, record.commit, record.date.isoformat(), record.packages["pandas"]) == \
        ("3.13.16", NEW_COMMIT, "2026-12-01", "2.3.1")
    pins = (root / "notebooks" / "requirements.txt").read_text()
    kernel = (root / "notebooks" / "kernel-requirements.txt").read_text()
    assert "\npandas==2.3.1\n" in pins
    assert "ipython==8.39.0  # not Colab's 7.35.0: PyPI's 7.34.0 cannot parse" in kernel
    runtime = read_runtime(root / "notebooks" / "colab-runtime.txt")
    assert pins_not_matching_colab(root / "notebooks" / "requirements.txt", runtime) == []
    assert pins_not_matching_colab(root / "notebooks" / "kernel-requirements.txt", runtime) == []
    assert drift(base, root=root).returncode == 0


def test_an_unreachable_list_exits_2_naming_the_address(github, tmp_path):
    _, base = github
    result = drift(base)
    assert result.returncode == 2
    assert f"colab_drift: cannot compare: {base}/api/commits?path=pip-freeze.txt&per_page=1: " in result.stderr


def test_the_weekly_workflow_runs_the_check_and_only_its_issue_job_may_write():
    import yaml
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "colab-drift.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    jobs = workflow["jobs"]
    writers = {name for name, job in jobs.items()
               if any(level == "write" for level in job["permissions"].values())}
    assert writers == {"issue"} and jobs["issue"]["permissions"] == {"issues": "write"}
    assert not any("checkout" in step.get("uses", "") for step in jobs["issue"]["steps"])
    runs = {name: "\n".join(step.get("run", "") for step in job["steps"]) for name, job in jobs.items()}
    assert "scripts/colab_drift.py --report" in runs["compare"]
    assert "scripts/colab_drift.py --update" in runs["notebooks"] and "make colab-sim" in runs["notebooks"]
