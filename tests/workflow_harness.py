"""Runs the GitHub Actions workflows of .github/workflows/ the way a runner does,
on this machine, so their logic is proven before GitHub runs it.

What is real here:
- every `run:` step runs in `bash --noprofile --norc -eo pipefail {file}` (the
  runner's `bash` shell), in a fresh workspace per job, with the runner's
  GITHUB_* variables, GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY /
  GITHUB_PATH as files, and workflow, job and step `env`;
- every `${{ }}` expression (`if:`, `env:`, `with:`, `run:`, job outputs,
  concurrency) is evaluated by GitHub's own expression library
  (@actions/expressions, through tests/workflow_expressions.mjs), with only
  the contexts GitHub makes available at that place and the event payload
  GitHub sends for that event (a `schedule` payload has no `repository`);
- `if:` without a status function means `success() && (...)`; jobs run in
  `needs` order, a job whose needs failed or were skipped is skipped, job
  outputs reach `needs.<job>.outputs`;
- workflow commands printed by steps on standard output (::warning,
  ::error, ::notice) are collected as annotations.

What stands in: `make` and `gh` (tests/workflow_stand_ins.py; `make linkcheck`
runs the real Makefile recipe), and the few actions the workflows use
(checkout, setup-*, upload/download-artifact, upload-pages-artifact,
deploy-pages) modelled on their documented behaviour: artifacts live per run
across attempts and expire after their retention, deploy-pages refuses zero
or several artifacts of the name it is given. An action the harness does not
know fails the step, so nothing passes by being ignored.

Re-runs: `rerun(..., failed_only=False)` is "Re-run all jobs";
`failed_only=True` is "Re-run failed jobs", which keeps the jobs that
succeeded, with their outputs, and re-runs the others.
"""
from __future__ import annotations

import atexit
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
EXPRESSIONS_JS = Path(__file__).resolve().parent / "workflow_expressions.mjs"
STAND_INS = Path(__file__).resolve().parent / "workflow_stand_ins.py"
REPOSITORY = "course-owner/course"
NOT_IN_A_CLONE = {".git", ".venv", "node_modules", "site", "build", ".cache", ".pytest_cache", "__pycache__"}
STATUS_CALL = re.compile(r"\b(success|failure|always|cancelled)\s*\(")
COMMAND = re.compile(r"^::(warning|error|notice)(?: ([^:]*))?::(.*)$")

# Which contexts GitHub makes available where (docs: "Context availability").
CONTEXTS = {
    "workflow": ("github", "inputs", "vars", "secrets"),
    "job-if": ("github", "needs", "vars", "inputs"),
    "job": ("github", "needs", "strategy", "matrix", "vars", "secrets", "inputs"),
    "job-outputs": ("github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets",
                    "steps", "inputs"),
    "step-if": ("github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "steps", "inputs"),
    "step": ("github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps",
             "inputs"),
}


class HarnessError(Exception):
    """The harness cannot run this workflow (an unknown action, a bad expression...)."""


# --------------------------------------------------------------------------
# Expressions, evaluated by GitHub's library


class Expressions:
    """One Node process answering expression requests (tests/workflow_expressions.mjs)."""

    _shared = None

    def __init__(self):
        node = shutil.which("node")
        module = ROOT / "node_modules" / "@actions" / "expressions"
        if not node or not module.is_dir():
            raise HarnessError(f"the workflow harness needs node and {module}: run `make setup`")
        self.process = subprocess.Popen([node, str(EXPRESSIONS_JS)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=ROOT)
        atexit.register(self.close)

    @classmethod
    def shared(cls) -> "Expressions":
        if cls._shared is None or cls._shared.process.poll() is not None:
            cls._shared = cls()
        return cls._shared

    def evaluate(self, expr: str, contexts: dict, status: dict | None = None) -> tuple[object, bool]:
        request = {"expr": expr, "contexts": contexts, "status": status}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline() or '{"error": "the evaluator stopped"}')
        if "error" in answer:
            raise HarnessError(f"expression `{expr}`: {answer['error']}")
        return answer["value"], answer["truthy"]

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=10)


def split_template(text: str) -> list[tuple[str, str]]:
    """`a ${{ x }} b` -> [('text', 'a '), ('expr', 'x'), ('text', ' b')]."""
    parts, i = [], 0
    while True:
        start = text.find("${{", i)
        if start < 0:
            parts.append(("text", text[i:]))
            return [p for p in parts if p[1]]
        parts.append(("text", text[i:start]))
        j, quoted = start + 3, False
        while j < len(text):
            if text[j] == "'":
                quoted = not quoted
            elif not quoted and text.startswith("}}", j):
                break
            j += 1
        else:
            raise HarnessError(f"unclosed ${{{{ in {text!r}")
        parts.append(("expr", text[start + 3:j].strip()))
        i = j + 2


def as_string(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def render(value, contexts: dict, status: dict | None = None):
    """A workflow value with its expressions evaluated. A value that is one
    expression keeps the expression's type; anything else becomes a string."""
    if isinstance(value, dict):
        return {k: render(v, contexts, status) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, contexts, status) for v in value]
    if not isinstance(value, str) or "${{" not in value:
        return value
    parts = split_template(value)
    if len(parts) == 1 and parts[0][0] == "expr":
        return Expressions.shared().evaluate(parts[0][1], contexts, status)[0]
    return "".join(text if kind == "text" else as_string(Expressions.shared().evaluate(text, contexts, status)[0])
                   for kind, text in parts)


def condition(value, contexts: dict, status: dict) -> bool:
    """An `if:` as GitHub reads it: `success() && (...)` unless it calls a status function."""
    if value is None:
        value = "success()"
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    parts = split_template(text)
    if len(parts) == 1 and parts[0][0] == "expr":
        text = parts[0][1]
    elif "${{" in text:
        return bool(render(text, contexts, status))  # a string with embedded expressions: non-empty is true
    if not STATUS_CALL.search(text):
        text = f"success() && ({text})"
    return Expressions.shared().evaluate(text, contexts, status)[1]


# --------------------------------------------------------------------------
# Events


@dataclass
class Event:
    """What triggered a run: event name, ref and the payload GitHub sends."""

    name: str
    ref: str
    payload: dict
    sha: str = "c0ffee" * 6 + "c0ff"     # the commit the run is for
    head_ref: str = ""
    base_ref: str = ""

    @property
    def ref_name(self) -> str:
        for prefix in ("refs/heads/", "refs/tags/", "refs/pull/"):
            if self.ref.startswith(prefix):
                return self.ref[len(prefix):]
        return self.ref


def repository_payload(default_branch: str = "main", has_issues: bool = True) -> dict:
    owner, name = REPOSITORY.split("/")
    return {"full_name": REPOSITORY, "name": name, "owner": {"login": owner}, "default_branch": default_branch,
            "fork": False, "has_issues": has_issues, "private": False}


def push(branch: str = "main", default_branch: str = "main") -> Event:
    return Event("push", f"refs/heads/{branch}", {"ref": f"refs/heads/{branch}",
                                                  "repository": repository_payload(default_branch),
                                                  "head_commit": {"message": "A change"}})


def pull_request(number: int = 5, branch: str = "feature", base: str = "main") -> Event:
    return Event("pull_request", f"refs/pull/{number}/merge",
                 {"action": "synchronize", "number": number, "repository": repository_payload(base),
                  "pull_request": {"number": number, "head": {"ref": branch}, "base": {"ref": base}}},
                 head_ref=branch, base_ref=base)


def workflow_dispatch(branch: str = "main", default_branch: str = "main", inputs: dict | None = None) -> Event:
    return Event("workflow_dispatch", f"refs/heads/{branch}",
                 {"ref": f"refs/heads/{branch}", "inputs": inputs or {},
                  "repository": repository_payload(default_branch)})


def schedule(cron: str = "23 5 * * 1", default_branch: str = "main") -> Event:
    # GitHub's schedule payload names the schedule and nothing else: no repository.
    return Event("schedule", f"refs/heads/{default_branch}", {"schedule": cron})


def triggers(workflow: dict) -> list[str]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true
    if isinstance(on, str):
        return [on]
    return list(on)


# --------------------------------------------------------------------------
# Runs


@dataclass
class Artifact:
    name: str
    attempt: int
    day: float
    retention_days: float
    files: Path


@dataclass
class StepResult:
    name: str
    outcome: str                      # success, failure, skipped
    conclusion: str
    outputs: dict = field(default_factory=dict)
    log: str = ""
    stdout: str | None = None         # where workflow commands are read (the whole log when None)


@dataclass
class JobResult:
    job: str
    result: str                       # success, failure, skipped
    outputs: dict = field(default_factory=dict)
    steps: list = field(default_factory=list)
    annotations: list = field(default_factory=list)   # (level, title, message)
    summary: str = ""
    attempt: int = 1

    def step(self, name: str) -> StepResult:
        found = [s for s in self.steps if s.name == name]
        if not found:
            raise KeyError(f"no step {name!r} in job {self.job}: {[s.name for s in self.steps]}")
        return found[0]

    def log(self) -> str:
        return "\n".join(f"--- {s.name}: {s.outcome}\n{s.log}" for s in self.steps)


@dataclass
class Run:
    """One workflow run (all its attempts share the artifacts and GitHub's state)."""

    path: Path
    event: Event
    state: dict
    folder: Path
    run_id: str = "4242"
    attempt: int = 1
    day: float = 0.0
    artifacts: list = field(default_factory=list)
    jobs: dict = field(default_factory=dict)           # job id -> JobResult of the latest attempt
    calls: list = field(default_factory=list)          # (attempt, job, tool, args) of every stand-in call
    deployments: list = field(default_factory=list)    # (attempt, artifact name)

    @cached_property
    def workflow(self) -> dict:
        return yaml.safe_load(self.path.read_text())

    def job(self, name: str) -> JobResult:
        return self.jobs[name]

    def tool_calls(self, tool: str, attempt: int | None = None) -> list[list[str]]:
        return [c[3] for c in self.calls if c[2] == tool and (attempt is None or c[0] == attempt)]

    def annotations(self, level: str | None = None) -> list:
        return [a for j in self.jobs.values() for a in j.annotations if level is None or a[0] == level]


def default_state(default_branch: str = "main") -> dict:
    return {"repository": {"full_name": REPOSITORY, "default_branch": default_branch, "has_issues": True},
            "make": {"test": 0, "build": 0}, "linkcheck": {"status": 0}, "labels": [], "issues": []}


def start(path: Path, event: Event, state: dict | None = None, folder: Path | None = None) -> Run:
    """A first attempt of `path` for `event` (jobs not run yet: see `execute`)."""
    folder = Path(folder or tempfile.mkdtemp(prefix="workflow-run-"))
    folder.mkdir(parents=True, exist_ok=True)
    merged = default_state(event.payload.get("repository", {}).get("default_branch", "main"))
    for key, value in (state or {}).items():
        merged[key] = {**merged[key], **value} if isinstance(value, dict) and key in merged else value
    return Run(path=Path(path), event=event, state=merged, folder=folder)


def run_workflow(path: Path, event: Event, state: dict | None = None, folder: Path | None = None) -> Run:
    run = start(path, event, state, folder)
    execute(run, keep=set())
    return run


def rerun(run: Run, failed_only: bool, days_later: float = 0.0, state: dict | None = None) -> Run:
    """Re-run all jobs, or only the failed ones (and those that depend on them)."""
    run.attempt += 1
    run.day += days_later
    for key, value in (state or {}).items():
        run.state[key] = {**run.state[key], **value} if isinstance(value, dict) else value
    keep = {job for job, result in run.jobs.items() if result.result == "success"} if failed_only else set()
    execute(run, keep=keep)
    return run


def github_context(run: Run, job_id: str, token: str) -> dict:
    event = run.event
    return {
        "event_name": event.name, "event": event.payload, "ref": event.ref, "ref_name": event.ref_name,
        "ref_type": "branch", "sha": event.sha, "head_ref": event.head_ref, "base_ref": event.base_ref,
        "repository": REPOSITORY, "repository_owner": REPOSITORY.split("/")[0], "server_url": "https://github.com",
        "api_url": "https://api.github.com", "run_id": run.run_id, "run_number": "17",
        "run_attempt": str(run.attempt), "workflow": run.workflow.get("name", run.path.name),
        "workflow_ref": f"{REPOSITORY}/.github/workflows/{run.path.name}@{event.ref}", "job": job_id,
        "actor": "course-author", "triggering_actor": "course-author", "token": token,
        "workspace": "/home/runner/work/course/course", "action": "", "retention_days": "90",
    }


def token_for(permissions) -> str:
    """A stand-in token that says what the job's permissions grant (the gh stand-in checks it)."""
    if permissions in ("read-all", "write-all"):
        level = permissions.split("-")[0]
        permissions = {scope: level for scope in ("contents", "issues", "pages", "actions")}
    grants = ";".join(f"{scope}={level}" for scope, level in sorted((permissions or {}).items()))
    return f"harness-token:{grants}"


def job_order(jobs: dict) -> list[str]:
    order, seen = [], set()

    def visit(name, chain=()):
        if name in chain:
            raise HarnessError(f"jobs depend on each other in a cycle: {' -> '.join(chain + (name,))}")
        if name in seen:
            return
        needs = jobs[name].get("needs", [])
        for need in [needs] if isinstance(needs, str) else needs:
            visit(need, chain + (name,))
        seen.add(name)
        order.append(name)

    for name in jobs:
        visit(name)
    return order


def matrix_combinations(job: dict) -> list[dict]:
    matrix = (job.get("strategy") or {}).get("matrix")
    if not matrix:
        return [{}]
    if isinstance(matrix, str):
        raise HarnessError("a matrix given by an expression is not supported by the harness")
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    combos = [dict(zip(axes, values)) for values in itertools.product(*axes.values())] if axes else []
    combos = [c for c in combos if not any(all(c.get(k) == v for k, v in ex.items())
                                           for ex in matrix.get("exclude", []))]
    return combos + list(matrix.get("include", [])) or [{}]


def execute(run: Run, keep: set) -> None:
    """Run every job of the workflow for this attempt, in `needs` order."""
    workflow = run.workflow
    jobs = workflow.get("jobs") or {}
    for job_id in job_order(jobs):
        if job_id in keep:
            continue
        job = jobs[job_id]
        needs_list = job.get("needs", [])
        needs_list = [needs_list] if isinstance(needs_list, str) else needs_list
        needs = {n: {"result": run.jobs[n].result, "outputs": run.jobs[n].outputs} for n in needs_list}
        all_ok = all(run.jobs[n].result == "success" for n in needs_list)
        base = {"github": github_context(run, job_id, token_for(job.get("permissions", workflow.get("permissions")))),
                "needs": needs, "vars": {}, "inputs": run.event.payload.get("inputs", {}),
                "strategy": {}, "matrix": {}}
        contexts = {k: base[k] for k in CONTEXTS["job-if"]}
        if not condition(job.get("if"), contexts, {"success": all_ok, "failure": not all_ok, "cancelled": False}):
            run.jobs[job_id] = JobResult(job_id, "skipped", attempt=run.attempt)
            continue
        results = [run_job(run, job_id, job, {**base, "matrix": m}) for m in matrix_combinations(job)]
        failed = [r for r in results if r.result != "success"]
        result = failed[0] if failed else results[-1]
        run.jobs[job_id] = result


def run_job(run: Run, job_id: str, job: dict, base: dict) -> JobResult:
    workflow = run.workflow
    secrets = {"GITHUB_TOKEN": base["github"]["token"]}
    scope = {**base, "secrets": secrets}
    workflow_env = {k: as_string(v) for k, v in render(workflow.get("env") or {},
                                                       {k: scope[k] for k in CONTEXTS["workflow"]}).items()}
    job_env = {k: as_string(v) for k, v in render(job.get("env") or {},
                                                  {k: scope[k] for k in CONTEXTS["job"]}).items()}
    folder = Path(tempfile.mkdtemp(prefix=f"{job_id}-", dir=run.folder))
    workspace, temp, home, bin_dir = (folder / name for name in ("workspace", "temp", "home", "bin"))
    for path in (workspace, temp, home, bin_dir):
        path.mkdir()
    state_file, calls_file = folder / "state.json", folder / "calls.jsonl"
    state_file.write_text(json.dumps(run.state))
    calls_file.touch()
    image = [tool for tool, present in {"google-chrome": True, **run.state.get("runner_image", {})}.items()
             if present]
    for tool in ("make", "gh", *image):
        wrapper = bin_dir / tool
        wrapper.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{STAND_INS}' {tool} \"$@\"\n")
        wrapper.chmod(0o755)
    event_path = folder / "event.json"
    event_path.write_text(json.dumps(run.event.payload))
    github = base["github"]
    runner_env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKFLOW": github["workflow"],
        "GITHUB_RUN_ID": run.run_id, "GITHUB_RUN_NUMBER": github["run_number"],
        "GITHUB_RUN_ATTEMPT": str(run.attempt), "GITHUB_JOB": job_id, "GITHUB_ACTOR": github["actor"],
        "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_REPOSITORY_OWNER": github["repository_owner"],
        "GITHUB_EVENT_NAME": run.event.name, "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(workspace), "GITHUB_SHA": run.event.sha, "GITHUB_REF": run.event.ref,
        "GITHUB_REF_NAME": run.event.ref_name, "GITHUB_REF_TYPE": "branch", "GITHUB_HEAD_REF": run.event.head_ref,
        "GITHUB_BASE_REF": run.event.base_ref, "GITHUB_SERVER_URL": github["server_url"],
        "GITHUB_API_URL": github["api_url"], "RUNNER_OS": "Linux", "RUNNER_TEMP": str(temp),
        "HARNESS_STATE": str(state_file), "HARNESS_CALLS": str(calls_file),
        "HARNESS_REAL_MAKE": shutil.which("make", path="/usr/local/bin:/usr/bin:/bin") or "make",
    }
    result = JobResult(job_id, "success", attempt=run.attempt)
    steps_context, added_env, added_path, failed = {}, {}, [], False
    defaults = {**((workflow.get("defaults") or {}).get("run") or {}), **((job.get("defaults") or {}).get("run") or {})}
    for index, step in enumerate(job.get("steps") or []):
        name = step.get("name") or step.get("uses") or (step.get("run") or "").splitlines()[0]
        env_context = {**workflow_env, **job_env, **added_env}
        contexts = {**scope, "steps": steps_context, "env": env_context,
                    "job": {"status": "failure" if failed else "success"}, "runner": {"os": "Linux", "temp": str(temp)}}
        status = {"success": not failed, "failure": failed, "cancelled": False}
        if not condition(step.get("if"), {k: contexts[k] for k in CONTEXTS["step-if"]}, status):
            outcome = StepResult(name, "skipped", "skipped")
        else:
            step_contexts = {k: contexts[k] for k in CONTEXTS["step"]}
            step_env = {k: as_string(v) for k, v in render(step.get("env") or {}, step_contexts).items()}
            env = {**runner_env, **env_context, **step_env}
            env["PATH"] = ":".join([*reversed(added_path), runner_env["PATH"]])
            outputs_file, env_file, summary_file, path_file = (temp / f"{kind}_{index}" for kind in
                                                                ("output", "env", "summary", "path"))
            for path in (outputs_file, env_file, summary_file, path_file):
                path.touch()
            env.update(GITHUB_OUTPUT=str(outputs_file), GITHUB_ENV=str(env_file),
                       GITHUB_STEP_SUMMARY=str(summary_file), GITHUB_PATH=str(path_file))
            if "run" in step:
                outcome = run_step(name, {**defaults, **step}, step_contexts, env, workspace, temp, index)
            elif "uses" in step:
                outcome = use_action(run, name, step, step_contexts, env, workspace, temp)
            else:
                raise HarnessError(f"step {name!r} of job {job_id} has neither run nor uses")
            outcome.outputs.update(read_key_values(outputs_file))
            added_env.update(read_key_values(env_file))
            added_path += [line for line in path_file.read_text().splitlines() if line.strip()]
            result.summary += summary_file.read_text()
            for line in (outcome.log if outcome.stdout is None else outcome.stdout).splitlines():
                match = COMMAND.match(line.strip())
                if match:
                    result.annotations.append((match.group(1), params(match.group(2)).get("title", ""),
                                               match.group(3)))
            if outcome.outcome == "failure" and render(step.get("continue-on-error", False), step_contexts):
                outcome.conclusion = "success"
        result.steps.append(outcome)
        if "id" in step:
            steps_context[step["id"]] = {"outputs": outcome.outputs, "outcome": outcome.outcome,
                                         "conclusion": outcome.conclusion}
        failed = failed or outcome.conclusion == "failure"
    result.result = "failure" if failed else "success"
    for line in calls_file.read_text().splitlines():
        call = json.loads(line)
        run.calls.append((run.attempt, job_id, call["tool"], call["args"]))
    run.state = json.loads(state_file.read_text())
    # GitHub sets a job's outputs whatever its result.
    contexts = {**scope, "steps": steps_context, "env": {**workflow_env, **job_env},
                "job": {"status": result.result}, "runner": {"os": "Linux"}}
    result.outputs = {k: as_string(v) for k, v in
                      render(job.get("outputs") or {}, {k: contexts[k] for k in CONTEXTS["job-outputs"]}).items()}
    return result


def params(text: str | None) -> dict:
    return dict(p.split("=", 1) for p in (text or "").split(",") if "=" in p)


def read_key_values(path: Path) -> dict:
    """GITHUB_OUTPUT / GITHUB_ENV: `key=value` lines and `key<<DELIMITER` blocks."""
    values, lines = {}, path.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            block, i = [], i + 1
            while i < len(lines) and lines[i] != delimiter:
                block.append(lines[i])
                i += 1
            if i == len(lines):
                raise HarnessError(f"{path.name}: no closing {delimiter!r} for {key!r}")
            values[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
        elif line.strip():
            raise HarnessError(f"{path.name}: line {line!r} is neither key=value nor key<<DELIMITER")
        i += 1
    return values


def run_step(name: str, step: dict, contexts: dict, env: dict, workspace: Path, temp: Path,
             index: int) -> StepResult:
    shell = step.get("shell", "bash")
    commands = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"], "sh": ["sh", "-e"]}
    if shell not in commands:
        raise HarnessError(f"step {name!r}: shell {shell!r} is not one the harness runs")
    script = temp / f"step_{index}.sh"
    script.write_text(render(step["run"], contexts))
    cwd = workspace / render(step.get("working-directory", "."), contexts)
    done = subprocess.run(commands[shell] + [str(script)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
    outcome = "success" if done.returncode == 0 else "failure"
    # The runner reads workflow commands (::warning::...) from standard output only.
    return StepResult(name, outcome, outcome, log=done.stdout + done.stderr + f"\n(exit status {done.returncode})",
                      stdout=done.stdout)


# --------------------------------------------------------------------------
# The actions the workflows use


def action_name(uses: str) -> str:
    return uses.split("@", 1)[0]


def live_artifacts(run: Run, name: str) -> list[Artifact]:
    return [a for a in run.artifacts if a.name == name and run.day - a.day < a.retention_days]


def use_action(run: Run, name: str, step: dict, contexts: dict, env: dict, workspace: Path,
               temp: Path) -> StepResult:
    uses = step["uses"]
    action = action_name(uses)
    inputs = {k: as_string(v) for k, v in render(step.get("with") or {}, contexts).items()}
    ok = lambda log="", **outputs: StepResult(name, "success", "success", dict(outputs), log)  # noqa: E731
    bad = lambda log: StepResult(name, "failure", "failure", {}, log)  # noqa: E731
    if action == "actions/checkout":
        # The repository's files, read-only (linked), without what a clone lacks
        # (.venv, node_modules, built site); the Makefile is copied.
        for entry in ROOT.iterdir():
            if entry.name not in NOT_IN_A_CLONE:
                (workspace / entry.name).symlink_to(entry)
        (workspace / "Makefile").unlink()
        shutil.copy2(ROOT / "Makefile", workspace / "Makefile")
        return ok(f"checked out {run.event.sha}", ref=run.event.ref, commit=run.event.sha)
    if action in ("actions/setup-python", "actions/setup-node", "actions/configure-pages"):
        return ok(f"{action} {json.dumps(inputs)}")
    if action in ("actions/upload-artifact", "actions/upload-pages-artifact"):
        pages = action == "actions/upload-pages-artifact"
        artifact = inputs.get("name") or ("github-pages" if pages else "artifact")
        source = workspace / inputs.get("path", "_site/" if pages else "")
        retention = float(inputs.get("retention-days") or (1 if pages else 90))
        present = source.exists() and (source.is_file() or any(source.iterdir()))
        if not present:
            rule = "error" if pages else inputs.get("if-no-files-found", "warn")
            message = f"No files were found with the provided path: {inputs.get('path')}. No artifacts will be uploaded."
            if rule == "error":
                return bad(f"::error::{message}")
            return ok(f"::warning::{message}" if rule == "warn" else message)
        if any(a.name == artifact and a.attempt == run.attempt for a in run.artifacts):
            return bad(f"::error::Failed to CreateArtifact: an artifact with this name already exists on the "
                       f"workflow run: {artifact}")
        stored = run.folder / "artifacts" / f"{artifact}-attempt-{run.attempt}"
        shutil.copytree(source, stored) if source.is_dir() else (stored.mkdir(parents=True),
                                                                 shutil.copy2(source, stored))
        run.artifacts.append(Artifact(artifact, run.attempt, run.day, retention, stored))
        return ok(f"uploaded {artifact} (retention {retention:g} days)", **{"artifact-id": str(len(run.artifacts)),
                                                                             "artifact_id": str(len(run.artifacts))})
    if action == "actions/download-artifact":
        artifact = inputs.get("name")
        found = live_artifacts(run, artifact)
        if not found:
            return bad(f"::error::Unable to download artifact(s): Artifact not found for name: {artifact}")
        destination = workspace / inputs.get("path", ".")
        shutil.copytree(found[-1].files, destination, dirs_exist_ok=True)
        return ok(f"downloaded {artifact}", **{"download-path": str(destination)})
    if action == "actions/deploy-pages":
        artifact = inputs.get("artifact_name") or "github-pages"
        found = live_artifacts(run, artifact)
        if len(found) > 1:
            return bad(f"::error::Error: Multiple artifacts named \"{artifact}\" were unexpectedly found for this "
                       f"workflow run. Artifact count is {len(found)}.")
        if not found:
            return bad(f"::error::Error: No artifacts named \"{artifact}\" were found for this workflow run.")
        failures = run.state.get("pages", {}).get("fail_attempts", [])
        if run.attempt in failures:
            return bad("::error::Deployment failed, try again later.")
        run.deployments.append((run.attempt, artifact))
        return ok(f"deployed {artifact}", page_url=f"https://{REPOSITORY.split('/')[0]}.github.io/course/")
    raise HarnessError(f"step {name!r} uses {uses}: an action the harness does not model")


# --------------------------------------------------------------------------
# Concurrency


def concurrency_of(path: Path, event: Event) -> tuple[str, bool] | None:
    """The workflow-level concurrency group and cancel-in-progress for `event`."""
    workflow = yaml.safe_load(Path(path).read_text())
    setting = workflow.get("concurrency")
    if setting is None:
        return None
    run = Run(path=Path(path), event=event, state=default_state(), folder=Path(tempfile.gettempdir()))
    contexts = {"github": github_context(run, "", ""), "inputs": event.payload.get("inputs", {}), "vars": {}}
    if isinstance(setting, str):
        return as_string(render(setting, contexts)), False
    cancel = render(setting.get("cancel-in-progress", False), contexts)
    return as_string(render(setting["group"], contexts)), cancel in (True, "true")


def queue(path: Path, events: list[Event]) -> list[str]:
    """What GitHub does with runs of `path` triggered one after another while the
    first is still running: for each run, 'ran', or 'cancelled by run N'.

    In one concurrency group at most one run is in progress and one pending; a
    new run cancels the pending one (and the one in progress when
    cancel-in-progress is true)."""
    fates = ["ran"] * len(events)
    running, pending = {}, {}
    for index, event in enumerate(events):
        setting = concurrency_of(path, event)
        if setting is None:
            continue
        group, cancel = setting
        if group in pending:
            fates[pending.pop(group)] = f"cancelled by run {index + 1} ({event.name} on {event.ref})"
        if group in running and cancel:
            fates[running.pop(group)] = f"cancelled by run {index + 1} ({event.name} on {event.ref})"
        if group in running:
            pending[group] = index
        else:
            running[group] = index
    return fates


# --------------------------------------------------------------------------
# Every workflow, without running it


def event_for(trigger: str, workflow: dict, default_branch: str = "main") -> Event:
    if trigger == "push":
        on = workflow.get("on", workflow.get(True))
        branches = (on.get("push") or {}).get("branches") if isinstance(on, dict) else None
        return push(branches[0] if branches else default_branch, default_branch)
    if trigger == "pull_request":
        return pull_request(base=default_branch)
    if trigger == "workflow_dispatch":
        on = workflow.get("on", workflow.get(True))
        spec = ((on.get("workflow_dispatch") or {}).get("inputs") or {}) if isinstance(on, dict) else {}
        inputs = {k: as_string((v or {}).get("default", "")) for k, v in spec.items()}
        return workflow_dispatch(default_branch, default_branch, inputs)
    if trigger == "schedule":
        return schedule(default_branch=default_branch)
    return Event(trigger, f"refs/heads/{default_branch}", {"repository": repository_payload(default_branch)})


def dry_check(path: Path) -> list[str]:
    """Every expression of `path` evaluated, and every `run:` script parsed by
    bash, for each of the workflow's triggers, without running anything: each
    problem names file, trigger, job and step."""
    path = Path(path)
    workflow = yaml.safe_load(path.read_text())
    problems = []
    for trigger in triggers(workflow):
        event = event_for(trigger, workflow)
        run = Run(path=path, event=event, state=default_state(), folder=Path(tempfile.gettempdir()))

        def attempt(where, thunk):
            try:
                return thunk()
            except HarnessError as error:
                problems.append(f"{path.name}: on {trigger}: {where}: {error}")
                return None

        top = {"github": github_context(run, "", "harness-token:"), "inputs": event.payload.get("inputs", {}),
               "vars": {}, "secrets": {"GITHUB_TOKEN": "harness-token:"}}
        attempt("concurrency", lambda: concurrency_of(path, event))
        attempt("env", lambda: render(workflow.get("env") or {}, {k: top[k] for k in CONTEXTS["workflow"]}))
        for job_id, job in (workflow.get("jobs") or {}).items():
            needs_list = job.get("needs", [])
            needs_list = [needs_list] if isinstance(needs_list, str) else needs_list
            needs = {n: {"result": "success", "outputs": {k: "" for k in (workflow["jobs"][n].get("outputs") or {})}}
                     for n in needs_list}
            matrix = (matrix_combinations(job) or [{}])[0]
            base = {**top, "github": github_context(run, job_id, "harness-token:"), "needs": needs,
                    "strategy": {}, "matrix": matrix}
            where = f"job {job_id}"
            status = {"success": True, "failure": False, "cancelled": False}
            attempt(f"{where}: if", lambda: condition(job.get("if"), {k: base[k] for k in CONTEXTS["job-if"]}, status))
            attempt(f"{where}: env", lambda: render(job.get("env") or {}, {k: base[k] for k in CONTEXTS["job"]}))
            step_ids = {s["id"]: {"outputs": {}, "outcome": "success", "conclusion": "success"}
                        for s in job.get("steps") or [] if "id" in s}
            full = {**base, "steps": step_ids, "env": {}, "job": {"status": "success"}, "runner": {"os": "Linux"}}
            attempt(f"{where}: outputs", lambda: render(job.get("outputs") or {},
                                                        {k: full[k] for k in CONTEXTS["job-outputs"]}))
            for step in job.get("steps") or []:
                name = step.get("name") or step.get("uses") or (step.get("run") or "").splitlines()[0]
                at = f"{where}: step {name!r}"
                attempt(f"{at}: if", lambda: condition(step.get("if"), {k: full[k] for k in CONTEXTS["step-if"]},
                                                       status))
                contexts = {k: full[k] for k in CONTEXTS["step"]}
                for key in ("env", "with"):
                    attempt(f"{at}: {key}", lambda: render(step.get(key) or {}, contexts))
                if "run" in step:
                    script = attempt(f"{at}: run", lambda: render(step["run"], contexts))
                    if script is not None:
                        parsed = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
                        if parsed.returncode:
                            problems.append(f"{path.name}: on {trigger}: {at}: bash cannot parse the script: "
                                            f"{parsed.stderr.strip()}")
    return problems
