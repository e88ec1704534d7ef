"""The workflows' logic, proven here before GitHub runs it.

tests/workflow_harness.py runs each workflow's steps as a runner does (bash -e,
GITHUB_OUTPUT/ENV/STEP_SUMMARY files, GitHub's own expression evaluator, the
event payloads GitHub sends), with `make` and `gh` replaced by recording
stand-ins (tests/workflow_stand_ins.py; `make linkcheck` runs the real
Makefile recipe). Each check below returns what went wrong, in words.

Each check runs on today's workflows (.github/workflows/, where it must find
nothing) and on the workflows as they were before these checks existed
(tests/workflows_before/), where the defects it guards against were real:
each of those must be found again, so no check passes by being blind.
"""
from __future__ import annotations

import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

import workflow_harness as harness
from workflow_harness import pull_request, push, queue, rerun, run_workflow, schedule, workflow_dispatch

ROOT = Path(__file__).resolve().parent.parent
CURRENT = ROOT / ".github" / "workflows"
BEFORE = Path(__file__).resolve().parent / "workflows_before"


def workflows(folder: Path, tmp_path: Path) -> Path:
    """`folder`'s ci.yml and links.yml, copied. The original ci.yml looked for the
    browser at /usr/bin/google-chrome, which this machine lacks: its copy asks
    for a program every Linux machine has, so its other jobs can be judged."""
    copy = tmp_path / folder.name
    copy.mkdir(exist_ok=True)
    for name in ("ci.yml", "links.yml"):
        text = (folder / name).read_text()
        if folder == BEFORE:
            text = text.replace("CHROMIUM_PATH: /usr/bin/google-chrome", "CHROMIUM_PATH: /bin/true")
        (copy / name).write_text(text)
    return copy


def results(run) -> str:
    return ", ".join(f"{job} {result.result}" for job, result in run.jobs.items())


def job_problem(run, job: str, wanted: str) -> list[str]:
    got = run.job(job).result
    return [] if got == wanted else [f"job {job} ended {got}, not {wanted} ({results(run)}):\n{run.job(job).log()}"]


def issue_writes(run) -> list[list[str]]:
    return [args for args in run.tool_calls("gh") if args[:1] in (["issue"], ["label"])
            and args[1:2] != ["list"]]


# --------------------------------------------------------------------------
# The checks: each returns its problems (none on today's workflows)


def broken_links_on_a_pull_request(folder: Path, tmp_path: Path) -> list[str]:
    run = run_workflow(folder / "ci.yml", pull_request(), {"linkcheck": {"status": 1}}, tmp_path / "run")
    problems = job_problem(run, "external-links", "success")
    if not any(a[0] == "warning" and "broken" in a[2].lower() for a in run.job("external-links").annotations):
        problems.append("no warning annotation about broken links")
    if "https://example.org/gone" not in run.job("external-links").summary:
        problems.append("the broken link is not in the job summary")
    return problems


def broken_links_open_the_issue(folder: Path, tmp_path: Path) -> list[str]:
    run = run_workflow(folder / "links.yml", schedule(), {"linkcheck": {"status": 1}}, tmp_path / "run")
    problems = job_problem(run, "check", "success") + job_problem(run, "issue", "success")
    opened = [i for i in run.state["issues"] if i["state"] == "open" and "broken-links" in i["labels"]]
    if len(opened) != 1 or "https://example.org/gone" not in opened[0]["body"]:
        problems.append(f"no open broken-links issue listing the broken link: {run.state['issues']}")
    return problems


def broken_links_update_the_open_issue(folder: Path, tmp_path: Path) -> list[str]:
    old = {"number": 7, "title": "Broken links on the course site", "state": "open", "labels": ["broken-links"],
           "body": "old list", "comments": []}
    run = run_workflow(folder / "links.yml", schedule(),
                       {"linkcheck": {"status": 1}, "labels": ["broken-links"], "issues": [old]}, tmp_path / "run")
    problems = job_problem(run, "issue", "success")
    issues = run.state["issues"]
    if len(issues) != 1 or "https://example.org/gone" not in issues[0]["body"] or not issues[0]["comments"]:
        problems.append(f"issue 7 was not updated with the new list and a comment: {issues}")
    return problems


def passing_links_close_the_issue(folder: Path, tmp_path: Path) -> list[str]:
    old = {"number": 7, "title": "Broken links on the course site", "state": "open", "labels": ["broken-links"],
           "body": "old list", "comments": []}
    run = run_workflow(folder / "links.yml", schedule(),
                       {"linkcheck": {"status": 0}, "labels": ["broken-links"], "issues": [old]}, tmp_path / "run")
    problems = job_problem(run, "issue", "success")
    if run.state["issues"][0]["state"] != "closed":
        problems.append(f"issue 7 is still open: {run.state['issues']}")
    return problems


def a_check_that_cannot_run_fails(folder: Path, tmp_path: Path) -> list[str]:
    problems = []
    run = run_workflow(folder / "ci.yml", pull_request(), {"linkcheck": {"status": 2}}, tmp_path / "ci")
    problems += job_problem(run, "external-links", "failure")
    run = run_workflow(folder / "links.yml", schedule(), {"linkcheck": {"status": 2}}, tmp_path / "links")
    problems += job_problem(run, "check", "failure") + job_problem(run, "issue", "skipped")
    run = run_workflow(folder / "links.yml", schedule(), {"make": {"build": 2}}, tmp_path / "no-site")
    problems += job_problem(run, "check", "failure") + job_problem(run, "issue", "skipped")
    return problems


def a_failed_test_or_build_skips_the_deploy(folder: Path, tmp_path: Path) -> list[str]:
    problems = []
    for name, state, failed in (("test", {"make": {"test": 2}}, "test"),
                                ("build", {"make": {"build": 2}}, "build-site")):
        run = run_workflow(folder / "ci.yml", push(), state, tmp_path / name)
        problems += job_problem(run, failed, "failure") + job_problem(run, "deploy", "skipped")
        if run.deployments:
            problems.append(f"a failed {name} still deployed {run.deployments}")
    run = run_workflow(folder / "ci.yml", push(), None, tmp_path / "ok")
    if [artifact for _, artifact in run.deployments] != [run.job("build-site").outputs.get("artifact", "github-pages")]:
        problems.append(f"a green push did not deploy the artifact it built: {results(run)}, {run.deployments}")
    for name, event in (("pull-request", pull_request()), ("other-branch", push("feature")),
                        ("by-hand", workflow_dispatch())):
        run = run_workflow(folder / "ci.yml", event, None, tmp_path / name)
        if run.deployments or run.job("deploy").result != "skipped":
            problems.append(f"a {name} run deployed: {results(run)}")
    return problems


def rerunning_all_jobs_deploys_a_fresh_artifact(folder: Path, tmp_path: Path) -> list[str]:
    run = run_workflow(folder / "ci.yml", push(), None, tmp_path / "run")
    rerun(run, failed_only=False)
    problems = job_problem(run, "deploy", "success")
    names = [a.name for a in run.artifacts if a.name.startswith("github-pages")]
    if len(set(names)) != len(names):
        problems.append(f"the two attempts uploaded artifacts of one name: {names}")
    return problems


def rerunning_a_failed_deploy_days_later_deploys(folder: Path, tmp_path: Path) -> list[str]:
    run = run_workflow(folder / "ci.yml", push(), {"pages": {"fail_attempts": [1]}}, tmp_path / "run")
    problems = job_problem(run, "deploy", "failure")
    rerun(run, failed_only=True, days_later=2)
    problems += job_problem(run, "deploy", "success")
    if run.job("build-site").attempt != 1:
        problems.append("re-running the failed deploy rebuilt the site")
    return problems


def a_run_by_hand_never_cancels_a_pushed_run(folder: Path, tmp_path: Path) -> list[str]:
    problems = []
    # A push is deploying, the next push waits, then someone runs CI by hand.
    fates = queue(folder / "ci.yml", [push(), push(), workflow_dispatch()])
    if fates[1] != "ran":
        problems.append(f"ci.yml: the waiting push run was {fates[1]}; its commit is never published")
    fates = queue(folder / "ci.yml", [push(), push(), push()])
    if fates[1] == "ran" or fates[2] != "ran":
        problems.append(f"ci.yml: a newer push should replace the waiting one: {fates}")
    fates = queue(folder / "ci.yml", [pull_request(), pull_request()])
    if not fates[0].startswith("cancelled"):
        problems.append(f"ci.yml: a new push to a pull request should replace its running checks: {fates}")
    # The weekly check waits while another runs; a run by hand on a branch comes in.
    fates = queue(folder / "links.yml", [schedule(), schedule(), workflow_dispatch("feature")])
    if fates[1] != "ran":
        problems.append(f"links.yml: the waiting weekly check was {fates[1]}")
    return problems


def a_fork_without_issues_gets_a_warning(folder: Path, tmp_path: Path) -> list[str]:
    problems = []
    for status in (1, 0):
        state = {"linkcheck": {"status": status}, "repository": {"has_issues": False}}
        run = run_workflow(folder / "links.yml", schedule(), state, tmp_path / f"status-{status}")
        problems += job_problem(run, "check", "success") + job_problem(run, "issue", "success")
        if not any(a[0] == "warning" and "Issues" in a[2] for a in run.job("issue").annotations):
            problems.append(f"no warning that Issues are turned off (links {'broken' if status else 'passing'})")
    return problems


def a_run_by_hand_from_another_branch_leaves_the_issue_alone(folder: Path, tmp_path: Path) -> list[str]:
    old = {"number": 7, "title": "Broken links on the course site", "state": "open", "labels": ["broken-links"],
           "body": "old list", "comments": []}
    problems = []
    for status in (1, 0):
        run = run_workflow(folder / "links.yml", workflow_dispatch("feature"),
                           {"linkcheck": {"status": status}, "labels": ["broken-links"], "issues": [old]},
                           tmp_path / f"status-{status}")
        problems += job_problem(run, "check", "success")
        if issue_writes(run):
            problems.append(f"a run from branch feature (links {'broken' if status else 'passing'}) edited the "
                            f"default branch's issue: {issue_writes(run)}")
    run = run_workflow(folder / "links.yml", workflow_dispatch("main"), {"linkcheck": {"status": 1}},
                       tmp_path / "default-branch")
    if not issue_writes(run):
        problems.append("a run by hand on the default branch did not file the issue")
    return problems


DEFECTS = {  # check -> what it finds in the workflows as they were
    broken_links_on_a_pull_request: "job external-links ended failure",
    broken_links_open_the_issue: "job check ended failure",
    broken_links_update_the_open_issue: "job issue ended skipped",
    rerunning_all_jobs_deploys_a_fresh_artifact: "Multiple artifacts named \"github-pages\"",
    rerunning_a_failed_deploy_days_later_deploys: "No artifacts named \"github-pages\"",
    a_run_by_hand_never_cancels_a_pushed_run: "ci.yml: the waiting push run was cancelled by run 3 "
                                              "(workflow_dispatch on refs/heads/main)",
    a_fork_without_issues_gets_a_warning: "has disabled issues",
    a_run_by_hand_from_another_branch_leaves_the_issue_alone: "edited the default branch's issue",
}
ALSO_FINE_BEFORE = [passing_links_close_the_issue, a_check_that_cannot_run_fails,
                    a_failed_test_or_build_skips_the_deploy]


@pytest.mark.parametrize("check", list(DEFECTS) + ALSO_FINE_BEFORE, ids=lambda c: c.__name__)
def test_the_workflows_keep_their_promise(check, tmp_path):
    problems = check(workflows(CURRENT, tmp_path), tmp_path)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("check", list(DEFECTS), ids=lambda c: c.__name__)
def test_the_check_finds_the_defect_the_workflows_had(check, tmp_path):
    problems = check(workflows(BEFORE, tmp_path), tmp_path)
    assert any(DEFECTS[check] in problem for problem in problems), "\n".join(problems) or "no problem found"


@pytest.mark.parametrize("check", ALSO_FINE_BEFORE, ids=lambda c: c.__name__)
def test_what_already_worked_still_works_as_it_did(check, tmp_path):
    problems = check(workflows(BEFORE, tmp_path), tmp_path)
    assert problems == [], "\n".join(problems)


# --------------------------------------------------------------------------
# Every workflow file, whoever wrote it


def test_every_workflow_expression_and_script_parses_for_each_trigger():
    files = sorted(CURRENT.glob("*.yml")) + sorted(CURRENT.glob("*.yaml"))
    assert len(files) >= 2
    problems = [problem for path in files for problem in harness.dry_check(path)]
    assert problems == [], "\n".join(problems)


def test_the_dry_check_names_file_trigger_job_and_step_of_a_planted_defect(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("name: Bad\non: [push, schedule]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - name: Greet\n        if: ${{ github.event_name == 'push' && nope.x }}\n"
                   "        run: echo hi\n"
                   "      - name: Broken script\n        run: |\n          if [ -n \"${{ github.ref }}\" ]; then\n"
                   "            echo missing fi\n")
    problems = harness.dry_check(bad)
    assert any(p.startswith("bad.yml: on push: job build: step 'Greet': if:") and "nope" in p for p in problems), problems
    assert any(p.startswith("bad.yml: on schedule: job build: step 'Broken script': bash cannot parse")
               for p in problems), problems


def test_the_readme_says_when_ci_runs_as_the_triggers_do():
    ci = yaml.safe_load((CURRENT / "ci.yml").read_text())
    on = ci.get("on", ci.get(True))
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Continuous integration", 1)[1].split("\n## ", 1)[0]
    if (on.get("push") or {}).get("branches"):
        assert not re.search(r"every push(?! to)|pull request and push", section, re.I), \
            "README.md: the CI table says every push runs, but ci.yml runs on pushes to its branch only"
        assert "push to the course's branch" in section, "README.md: the CI table should say which pushes run"
    if "workflow_dispatch" in on:
        assert "Actions > CI" in section, "README.md: the CI table should say CI can be run by hand"


# --------------------------------------------------------------------------
# The harness itself: it must see what GitHub would


def test_a_failing_command_in_a_pipe_fails_the_step_as_on_a_runner(tmp_path):
    flow = tmp_path / "pipe.yml"
    flow.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                    "      - run: false | cat\n      - run: echo never\n      - if: failure()\n        run: echo after\n")
    run = run_workflow(flow, push(), None, tmp_path / "run")
    assert run.job("a").result == "failure"
    assert [s.outcome for s in run.job("a").steps] == ["failure", "skipped", "success"]


def test_output_env_path_and_summary_files_reach_later_steps_and_jobs(tmp_path):
    flow = tmp_path / "files.yml"
    flow.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n"
        "    outputs:\n      note: ${{ steps.s.outputs.note }}\n    steps:\n"
        "      - id: s\n        run: |\n          echo 'one=1' >> \"$GITHUB_OUTPUT\"\n"
        "          { echo 'note<<END'; echo 'two'; echo 'lines'; echo 'END'; } >> \"$GITHUB_OUTPUT\"\n"
        "          echo 'COLOUR=blue' >> \"$GITHUB_ENV\"\n          echo '# Summary' >> \"$GITHUB_STEP_SUMMARY\"\n"
        "          echo \"$RUNNER_TEMP/tools\" >> \"$GITHUB_PATH\"\n"
        "      - run: test \"$COLOUR\" = blue && test '${{ steps.s.outputs.one }}' = 1\n"
        "      - run: test \"${PATH%%:*}\" = \"$RUNNER_TEMP/tools\"\n"
        "  b:\n    needs: a\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: test \"${{ needs.a.outputs.note }}\" = \"$(printf 'two\\nlines')\"\n")
    run = run_workflow(flow, push(), None, tmp_path / "run")
    assert results(run) == "a success, b success", run.job("a").log() + run.job("b").log()
    assert run.job("a").summary == "# Summary\n"


def test_a_schedule_event_carries_no_repository_details(tmp_path):
    # GitHub's schedule payload is {"schedule": cron}: a condition on
    # github.event.repository.default_branch is false on every weekly run.
    flow = tmp_path / "weekly.yml"
    flow.write_text("on:\n  schedule: [{cron: '0 0 * * 1'}]\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                    "    if: github.ref_name == github.event.repository.default_branch\n    steps:\n      - run: true\n")
    assert run_workflow(flow, schedule(), None, tmp_path / "run").job("a").result == "skipped"


def test_an_action_or_gh_command_the_harness_does_not_know_is_an_error(tmp_path):
    flow = tmp_path / "unknown.yml"
    flow.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                    "      - uses: someone/something@0123456789abcdef0123456789abcdef01234567\n")
    with pytest.raises(harness.HarnessError, match="someone/something"):
        run_workflow(flow, push(), None, tmp_path / "run")
    flow.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      issues: write\n"
                    "    steps:\n      - env:\n          GH_TOKEN: ${{ github.token }}\n"
                    "          GH_REPO: ${{ github.repository }}\n        run: gh issue lock 7\n")
    run = run_workflow(flow, push(), None, tmp_path / "run2")
    assert run.job("a").result == "failure"
    assert "not a command the stand-in knows" in run.job("a").log()


def test_gh_refuses_issue_writes_without_the_issues_permission(tmp_path):
    flow = tmp_path / "perm.yml"
    flow.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n"
                    "    steps:\n      - env:\n          GH_TOKEN: ${{ github.token }}\n"
                    "          GH_REPO: ${{ github.repository }}\n"
                    "        run: gh issue create --title T --body-file /dev/null\n")
    run = run_workflow(flow, push(), None, tmp_path / "run")
    assert run.job("a").result == "failure"
    assert "Resource not accessible by integration" in run.job("a").log()


# --------------------------------------------------------------------------
# make linkcheck, through make


class _Web(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200 if self.path == "/ok" else 404
        self.send_response(code)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body>ok</body></html>" if code == 200 else b"gone")

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Web)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def make_linkcheck(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path, Path, Path]:
    """`make linkcheck` on this repository's Makefile, its build step taken as done (-o build)."""
    status, report, markdown = tmp_path / "out" / "status", tmp_path / "out" / "report.json", tmp_path / "out" / "report.md"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path),
           "LINKCHECK_STATUS": str(status), "LINKCHECK_JSON_REPORT": str(report),
           "LINKCHECK_MARKDOWN_REPORT": str(markdown)}
    done = subprocess.run([shutil.which("make"), "-C", str(ROOT), "--no-print-directory", "-o", "build", "linkcheck",
                           f"PY={sys.executable}", f"LINKCHECK_ARGS={' '.join(args)}"],
                          capture_output=True, text=True, env=env, timeout=300)
    return done, status, report, markdown


def test_make_linkcheck_keeps_status_1_and_writes_the_reports_when_links_are_broken(tmp_path, web):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f'<!doctype html><html><head><title>t</title></head><body>'
                                     f'<a href="{web}/ok">fine</a> <a href="{web}/gone">gone</a></body></html>\n')
    config = tmp_path / "linkcheckerrc"
    config.write_text((ROOT / "scripts" / "linkcheckerrc").read_text())
    subprocess.run([sys.executable, "-c", "import configparser,sys; p=configparser.RawConfigParser(); "
                    "p.read(sys.argv[1]); p.set('checking','timeout','5'); p.set('retries','attempts','1'); "
                    "p.set('retries','delay','0'); p.write(open(sys.argv[1],'w'))", str(config)], check=True)
    done, status, report, markdown = make_linkcheck(tmp_path, "--site-dir", str(site), "--config", str(config))
    output = done.stdout + done.stderr
    assert done.returncode == 2, output           # make's own status for any failed recipe
    assert status.read_text().strip() == "1", output
    assert "link check status 1" in done.stderr, output
    data = json.loads(report.read_text())
    assert [b["link"] for b in data["broken"]] == [f"{web}/gone"], data
    assert f"{web}/gone" in markdown.read_text()


def test_make_linkcheck_keeps_status_2_when_the_check_cannot_run(tmp_path):
    missing = tmp_path / "no-such-linkcheckerrc"
    done, status, report, _ = make_linkcheck(tmp_path, "--config", str(missing))
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert status.read_text().strip() == "2", output
    assert f"{missing}: config file not found" in done.stderr, output
    assert not report.exists()


def test_the_built_site_has_no_hidden_files_the_pages_artifact_would_leave_out(built_site):
    # upload-pages-artifact v5 leaves hidden files out of the artifact unless
    # told otherwise: a dotfile in site/ would be missing from the published site.
    hidden = sorted(str(p.relative_to(built_site)) for p in built_site.rglob(".*"))
    assert hidden == [], f"hidden files in the built site, which the Pages artifact leaves out: {hidden}"


def test_only_workflow_commands_on_standard_output_become_annotations(tmp_path):
    flow = tmp_path / "commands.yml"
    flow.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                    "      - run: |\n          echo '::warning title=Seen::on stdout'\n"
                    "          echo '::error::on stderr' >&2\n")
    run = run_workflow(flow, push(), None, tmp_path / "run")
    assert run.job("a").annotations == [("warning", "Seen", "on stdout")]
