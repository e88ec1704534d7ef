"""`make fork`: re-pointing a copy of the course at another owner and branch.

Every test works on a copy of the working tree in tmp_path (tracked files
plus untracked ones git does not ignore, so uncommitted work is included),
made a git repository of its own; the real tree is never written.
"""
from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from local_site import build_site
from course_links import Repository, colab_badge_markdown, configured_course, configured_repository
from fork import branch_next_steps, workflow_branch_filter
from course_support import copy_working_tree, launch_link_problems, snapshot, tracked_files
from notebook_rules import Course, check_paths, course_notebooks
from workflow_support import actionlint, findings_text

NEW = Repository("teaching-fork/health-course", "autumn-2026")


def run_fork(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(course / "scripts" / "fork.py"), *args],
                          cwd=course, capture_output=True, text=True)


def git(course: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Course", "-c", "user.email=course@example.org", *args],
                          cwd=course, capture_output=True, text=True, check=True).stdout.strip()


def push_branches(workflow: Path) -> list[str] | None:
    """The `on: push: branches:` filter of a workflow (PyYAML reads the key `on` as True)."""
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    triggers = data.get("on", data.get(True)) or {}
    return (triggers.get("push") or {}).get("branches") if isinstance(triggers, dict) else None


@pytest.fixture(scope="module")
def pristine_copy(root, tmp_path_factory) -> Path:
    """One copy for the tests that must leave it unchanged."""
    return copy_working_tree(root, tmp_path_factory.mktemp("course"))


def test_fork_repoints_every_badge_and_launch_link_and_nothing_names_the_old_repository(
        root, tmp_path, monkeypatch):
    old = configured_repository()
    course = copy_working_tree(root, tmp_path / "course")
    # Show the JupyterHub button too, so its links are checked as well.
    yml = course / "mkdocs.yml"
    yml.write_text(re.sub(r'(?m)^(\s+jupyterhub_url:).*$', r'\1 "https://hub.example.org"', yml.read_text()))
    before = snapshot(course)

    result = run_fork(course, NEW.slug, "--branch", NEW.branch)
    assert result.returncode == 0, result.stderr
    assert f"to {NEW.slug} (branch {NEW.branch}" in result.stdout
    assert "  mkdocs.yml: repo_url, repo_name, extra.course.branch" in result.stdout, result.stdout
    assert configured_repository(yml) == NEW
    assert "# One source of truth" in yml.read_text(), "comments in mkdocs.yml must survive"

    # Pushes to the new branch run the tests and publish: the workflow follows the branch, still lints clean.
    ci = course / ".github" / "workflows" / "ci.yml"
    assert push_branches(root / ".github" / "workflows" / "ci.yml") == [old.branch]
    assert push_branches(ci) == [NEW.branch], ci.read_text()
    assert f"  .github/workflows/ci.yml: push branch filter now [{NEW.branch}]" in result.stdout, result.stdout
    findings = actionlint([ci])
    assert not findings, findings_text(findings)
    # The copy is on another branch, and the new one does not exist yet: the next step is said, not failed.
    assert f"Next: Branch `{NEW.branch}` does not exist here yet" in result.stdout, result.stdout
    assert f"`git switch -c {NEW.branch}`" in result.stdout and f"`git push -u origin {NEW.branch}`" in result.stdout

    # Notebooks: badges follow; JSON stays as nbformat writes it; only lines naming the old repository changed.
    badges = check_paths(course_notebooks(course), ["colab-badge"], course=Course(course, repository=NEW))
    assert not badges, "\n".join(map(str, badges))
    old_mention = re.compile(re.escape(old.slug) + "|" + re.escape(old.pages_url.rstrip("/")), re.I)
    for path in sorted((course / "notebooks").glob("*.ipynb")):
        name = path.relative_to(course).as_posix()
        text = path.read_text(encoding="utf-8")
        assert text == nbformat.writes(nbformat.reads(text, as_version=4)) + "\n", name
        diff = [line for line in difflib.unified_diff(before[name].decode().splitlines(), text.splitlines(), n=0)
                if line.startswith("-") and not line.startswith("---")]
        assert all(old_mention.search(line) for line in diff), f"{name}: unrelated lines changed: {diff}"
        old_cells = nbformat.reads(before[name].decode(), as_version=4).cells
        new_cells = nbformat.reads(text, as_version=4).cells
        assert [c.get("outputs") for c in new_cells if not old_mention.search(json.dumps(c.get("outputs")))] == \
               [c.get("outputs") for c in old_cells if not old_mention.search(json.dumps(c.get("outputs")))], name

    # The fork's own site: strict build outside GitHub Actions (where the env would win).
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    site = tmp_path / "site"
    build = build_site(course, site)
    assert build.returncode == 0, build.stdout + build.stderr
    problems, counts = launch_link_problems(site, NEW, tracked_files(course))
    assert not problems, "\n".join(problems)
    notebooks = len(list((course / "notebooks").glob("*.ipynb")))
    assert min(counts["colab"], counts["binder"], counts["jupyterhub"], counts["download"]) >= notebooks, counts

    leftovers = []
    old_names = re.compile("|".join([re.escape(old.slug), re.escape(old.slug.replace("/", "%2F")),
                                     re.escape(urlparse_host(old.pages_url))]), re.I)
    for path in sorted([*site.rglob("*"), *(course / "notebooks").rglob("*")]):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".ipynb", ".txt", ".md", ".js"}:
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                for match in old_names.finditer(line):
                    leftovers.append(f"{path}:{number}: {line[max(0, match.start() - 60):match.end() + 60]}")
    assert not leftovers, "still naming the old repository:\n" + "\n".join(leftovers[:20])


def urlparse_host(url: str) -> str:
    from urllib.parse import urlsplit
    return urlsplit(url).netloc + urlsplit(url).path.rstrip("/")


@pytest.mark.parametrize(("args", "message"), [
    (["foo"], "REPO: 'foo' is not of the form owner/name"),
    (["a/b/c"], "REPO: 'a/b/c' is not of the form owner/name"),
    (["../x"], "REPO: '..' is not a valid GitHub owner name"),
    ([""], "REPO: it is empty; expected owner/name"),
    (["-bad-/course"], "REPO: '-bad-' is not a valid GitHub owner name"),
    ([NEW.slug, "--branch", "autumn..2026"], "BRANCH: 'autumn..2026' is not a valid git branch name"),
    ([NEW.slug, "--branch", "with space"], "BRANCH: 'with space' is not a valid git branch name"),
    ([NEW.slug, "--branch", ""], "BRANCH: it is empty"),
    # What GitHub shows as the clone address is not owner/name: refused, with the value to use instead.
    (["Some-One/course.git"], "REPO: 'Some-One/course.git' ends in .git: that is the clone address, "
                              "not the repository's name (use REPO=Some-One/course)"),
    (["https://github.com/Some-One/course"],
     "REPO: 'https://github.com/Some-One/course' is not of the form owner/name (use REPO=Some-One/course)"),
    (["https://github.com/Some-One/course.git"], "(use REPO=Some-One/course)"),
    (["git@github.com:Some-One/course.git"],
     "REPO: 'git@github.com:Some-One' is not a valid GitHub owner name (use REPO=Some-One/course)"),
    ([NEW.slug, "--from", "up/course.git"], "--from: 'up/course.git' ends in .git: that is the clone address, "
                                            "not the repository's name (use --from up/course)"),
])
def test_fork_refuses_a_malformed_repo_or_branch_and_changes_nothing(pristine_copy, args, message):
    before = snapshot(pristine_copy)
    result = run_fork(pristine_copy, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "nothing was changed" in result.stderr, result.stderr
    assert snapshot(pristine_copy) == before


@pytest.mark.parametrize("broken, message", [
    ('{"cells": [\n  {"cell_type": "markdown",\n', "not a readable notebook: line 3: "),
    ('{"cells": 7}\n', "not a readable notebook: "),
])
def test_fork_refuses_a_notebook_it_cannot_read_naming_it_and_changes_nothing(root, tmp_path, broken, message):
    course = copy_working_tree(root, tmp_path / "course")
    (course / "notebooks" / "06-broken.ipynb").write_text(broken, encoding="utf-8")
    before = snapshot(course)
    result = run_fork(course, NEW.slug)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"notebooks/06-broken.ipynb: {message}" in result.stderr, result.stderr
    assert "nothing was changed" in result.stderr, result.stderr
    assert snapshot(course) == before


def test_running_fork_twice_changes_nothing_the_second_time(root, tmp_path):
    course = copy_working_tree(root, tmp_path / "course")
    # A notebook that shows another repository's badge as an example keeps it.
    example = "https://colab.research.google.com/github/example-org/example-course/blob/main/notebooks/x.ipynb"
    sample = course / "notebooks" / "99-example.ipynb"
    badge = nbformat.v4.new_markdown_cell(
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"(https://colab.research.google.com/github/{configured_repository().slug}/blob/"
        f"{configured_repository().branch}/notebooks/99-example.ipynb)", id="a")
    nbformat.write(nbformat.v4.new_notebook(cells=[
        badge, nbformat.v4.new_markdown_cell(f"An example: <{example}>", id="b")]), sample)
    first = run_fork(course, NEW.slug, "--branch", NEW.branch)
    assert first.returncode == 0 and "notebooks/99-example.ipynb: 1 badge" in first.stdout, first.stdout
    assert example in sample.read_text()
    after_first = snapshot(course)
    git(course, "switch", "-q", "-c", NEW.branch)  # now on the configured branch: no next step to print
    second = run_fork(course, NEW.slug, "--branch", NEW.branch)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(f"Already points to {NEW.slug} (branch {NEW.branch}"), second.stdout
    assert "Next:" not in second.stdout, second.stdout
    assert snapshot(course) == after_first


def test_fork_says_how_to_create_switch_to_and_publish_the_configured_branch(tmp_path):
    assert branch_next_steps(tmp_path, "spring") == [], "not a git work tree: nothing to say"
    course = tmp_path / "course"
    course.mkdir()
    git(course, "init", "-q", "-b", "main")
    git(course, "commit", "-q", "--allow-empty", "-m", "start")
    assert branch_next_steps(course, "main") == []

    missing = branch_next_steps(course, "spring")
    assert len(missing) == 1 and missing[0].startswith("Branch `spring` does not exist here yet (you are on `main`)")
    assert "`git switch -c spring`" in missing[0] and "`git push -u origin spring`" in missing[0], missing

    git(course, "branch", "autumn")
    elsewhere = branch_next_steps(course, "autumn")
    assert len(elsewhere) == 1 and "but you are on `main`" in elsewhere[0], elsewhere
    assert "`git switch autumn`" in elsewhere[0] and "-c" not in elsewhere[0], elsewhere

    # A clone knows origin's default branch: publishing needs the configured branch to be it.
    git(course, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(course, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    assert branch_next_steps(course, "main") == []
    git(course, "switch", "-q", "autumn")
    default = branch_next_steps(course, "autumn")
    assert default == ["GitHub publishes the site only from the default branch (origin's is `main`): on GitHub, "
                       "make `autumn` the default in Settings > General > Default branch."], default


@pytest.mark.parametrize("branch", ["autumn-2026", "teaching/2026", "spring+summer", "x#1", "it's"])
def test_the_rewritten_branch_filter_is_yaml_naming_exactly_the_branch(branch):
    line = f"branches: {workflow_branch_filter(branch)} # extra.course.branch"
    (value,) = yaml.safe_load(line)["branches"]
    # GitHub's filter patterns treat + and ! specially; a backslash makes them literal.
    assert re.sub(r"\\(.)", r"\1", value) == branch, (line, value)


# --- the teaching branch, a custom domain, and mkdocs.yml read as MkDocs reads it ------------

def test_fork_without_branch_keeps_the_teaching_branch_and_says_so(root, tmp_path):
    course = copy_working_tree(root, tmp_path / "course")
    assert run_fork(course, "alice/course", "--branch", "spring-2027/week-1").returncode == 0
    # Later, after merging upstream: `make fork REPO=alice/course` with no BRANCH.
    upstream_badge = colab_badge_markdown(configured_repository(), "notebooks/99-from-upstream.ipynb")
    (course / "notebooks" / "99-from-upstream.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {}, "source": [upstream_badge]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, sort_keys=True, indent=1) + "\n")
    again = run_fork(course, "alice/course")
    assert again.returncode == 0, again.stderr
    assert "to alice/course (branch spring-2027/week-1, site https://alice.github.io/course/)" in again.stdout
    assert "Branch: spring-2027/week-1, the one mkdocs.yml names (BRANCH=... to teach from another)." \
        in again.stdout, again.stdout
    assert configured_repository(course / "mkdocs.yml") == Repository("alice/course", "spring-2027/week-1")
    teaching = Repository("alice/course", "spring-2027/week-1")
    badges = check_paths(course_notebooks(course), ["colab-badge"], course=Course(course, repository=teaching))
    assert not badges, "\n".join(map(str, badges))


def test_fork_sets_a_custom_domain_and_moves_every_link_to_it(root, tmp_path):
    course = copy_working_tree(root, tmp_path / "course")
    old_site = configured_repository().pages_url
    result = run_fork(course, "alice/course", "--branch", "feature#1", "--site-url", "https://alice-course.example.org")
    assert result.returncode == 0, result.stderr
    assert "to alice/course (branch feature#1, site https://alice-course.example.org/)" in result.stdout, result.stdout
    assert "  mkdocs.yml: repo_url, repo_name, extra.course.branch, extra.course.site_url" in result.stdout
    settings = configured_course(course / "mkdocs.yml")
    assert (settings.repository, settings.site_url) == (Repository("alice/course", "feature#1"),
                                                        "https://alice-course.example.org/")
    text = (course / "mkdocs.yml").read_text()
    assert "# One source of truth" in text and "    # The site's address on a custom domain" in text
    leftovers = [f"{path.relative_to(course)}: {old_site}" for path in course.rglob("*")
                 if path.is_file() and ".git" not in path.parts and path.suffix in {".md", ".ipynb", ".yml"}
                 and old_site in path.read_text(encoding="utf-8", errors="replace")]
    assert not leftovers, leftovers
    readme = (course / "README.md").read_text()
    assert "https://alice-course.example.org/" in readme and "colab.research.google.com/github/alice/course" not in readme

    # Moving on to another repository: that domain was alice's; bob's site is on bob's Pages.
    onward = run_fork(course, "bob/course", "--branch", "main")
    assert onward.returncode == 0, onward.stderr
    assert "Note: https://alice-course.example.org/ was alice/course's own domain; the site is now published at " \
           "https://bob.github.io/course/." in onward.stdout, onward.stdout
    assert configured_course(course / "mkdocs.yml").site_url == ""
    named = re.compile(r"alice/course|feature%231|feature#1|alice-course\.example\.org")
    leftovers = [f"{path.relative_to(course)}: {match.group()}" for path in sorted(course.rglob("*"))
                 if path.is_file() and ".git" not in path.parts and path.suffix in {".md", ".ipynb"}
                 for match in named.finditer(path.read_text(encoding="utf-8", errors="replace"))]
    assert not leftovers, leftovers


@pytest.mark.parametrize(("args", "message"), [
    (["alice/course", "--site-url", "course.example.edu"], "SITE_URL: 'course.example.edu' is not a site address"),
    (["alice/course", "--site-url", "https://course.example.edu/?x=1"], "SITE_URL: 'https://course.example.edu/?x=1'"),
    (["alice/course", "--site-url", ""], "SITE_URL: it is empty"),
    (["alice/course", "--branch", "week-1/.draft"], "BRANCH: 'week-1/.draft' is not a valid git branch name"),
])
def test_fork_refuses_a_malformed_site_address_or_branch_and_changes_nothing(pristine_copy, args, message):
    before = snapshot(pristine_copy)
    result = run_fork(pristine_copy, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "nothing was changed" in result.stderr, result.stderr
    assert snapshot(pristine_copy) == before


def test_fork_reads_mkdocs_yml_as_mkdocs_does_and_refuses_a_setting_it_cannot_rewrite(tmp_path, root):
    course = copy_working_tree(root, tmp_path / "course")
    yml = course / "mkdocs.yml"
    text = yml.read_text()
    # A quoted value with a comment, and a file that INHERITs the rest: read as MkDocs reads them.
    (course / "base.yml").write_text(text)
    yml.write_text("INHERIT: base.yml\nextra:\n  course:\n    branch: 'spring-2027/week-1'  # this term\n")
    assert configured_repository(yml) == Repository(configured_repository().slug, "spring-2027/week-1")
    # A branch MkDocs would take from the environment (!ENV) is not a value make fork can rewrite.
    branch_line = re.search(r"(?m)^    branch: .*$", text)   # extra.course.branch, whatever the branch
    yml.write_text(text[:branch_line.start()] + "    branch: !ENV [COURSE_BRANCH, main]" + text[branch_line.end():])
    line = text.count("\n", 0, branch_line.start()) + 1
    before = snapshot(course)
    result = run_fork(course, "alice/course", "--branch", "autumn")
    assert result.returncode == 2, result.stdout
    assert f"mkdocs.yml: line {line}: `extra.course.branch` is not a single value; nothing was changed." \
        in result.stderr, result.stderr
    assert snapshot(course) == before


def test_fork_refuses_to_write_a_mkdocs_yml_that_would_not_read_back_as_the_new_course(
        root, tmp_path, monkeypatch, capsys):
    import fork

    course = copy_working_tree(root, tmp_path / "course")
    before = snapshot(course)
    # A planted defect: the branch written as a comment, so the file would read back without it.
    real = fork.yaml_scalar
    monkeypatch.setattr(fork, "yaml_scalar", lambda value: f"x # {value}" if value == "autumn" else real(value))
    assert fork.main(["alice/course", "--branch", "autumn"], root=course) == 2
    assert capsys.readouterr().err == ("fork: mkdocs.yml: the rewritten file would read back as alice/course "
                                       "(branch x, site GitHub Pages); nothing was changed.\n")
    assert snapshot(course) == before
