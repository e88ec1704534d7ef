"""`make fork`: re-pointing a copy of the course at another owner and branch.

Every test works on a copy of the working tree in tmp_path (tracked files
plus untracked ones git does not ignore, so uncommitted work is included),
made a git repository of its own; the real tree is never written.
"""
from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_site
from course_links import Repository, configured_repository
from test_launch_links import badge_problems, launch_link_problems, tracked_files

NEW = Repository("teaching-fork/health-course", "autumn-2026")


def copy_working_tree(root: Path, dest: Path) -> Path:
    """Copy the course's files (tracked + untracked, not ignored) to `dest` and `git init` it."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=root, capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    return dest


def run_fork(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(course / "scripts" / "fork.py"), *args],
                          cwd=course, capture_output=True, text=True)


def snapshot(course: Path) -> dict[str, bytes]:
    return {p.relative_to(course).as_posix(): p.read_bytes()
            for p in course.rglob("*") if p.is_file() and ".git" not in p.relative_to(course).parts}


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

    # Notebooks: badges follow; JSON stays as nbformat writes it; only lines naming the old repository changed.
    assert not badge_problems(course, NEW), badge_problems(course, NEW)
    old_mention = re.compile(re.escape(old.slug) + "|" + re.escape(old.pages_url.rstrip("/")), re.I)
    for path in sorted((course / "notebooks").glob("*.ipynb")):
        name = path.relative_to(course).as_posix()
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), sort_keys=True, indent=1, ensure_ascii=False) + "\n", name
        diff = [line for line in difflib.unified_diff(before[name].decode().splitlines(), text.splitlines(), n=0)
                if line.startswith("-") and not line.startswith("---")]
        assert all(old_mention.search(line) for line in diff), f"{name}: unrelated lines changed: {diff}"
        old_cells = json.loads(before[name])["cells"]
        new_cells = json.loads(text)["cells"]
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
])
def test_fork_refuses_a_malformed_repo_or_branch_and_changes_nothing(pristine_copy, args, message):
    before = snapshot(pristine_copy)
    result = run_fork(pristine_copy, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "nothing was changed" in result.stderr, result.stderr
    assert snapshot(pristine_copy) == before


def test_running_fork_twice_changes_nothing_the_second_time(root, tmp_path):
    course = copy_working_tree(root, tmp_path / "course")
    # A notebook that shows another repository's badge as an example keeps it.
    example = "https://colab.research.google.com/github/example-org/example-course/blob/main/notebooks/x.ipynb"
    sample = course / "notebooks" / "99-example.ipynb"
    sample.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {},
         "source": [f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                    f"(https://colab.research.google.com/github/{configured_repository().slug}/blob/"
                    f"{configured_repository().branch}/notebooks/99-example.ipynb)"]},
        {"cell_type": "markdown", "id": "b", "metadata": {}, "source": [f"An example: <{example}>"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, sort_keys=True, indent=1) + "\n")
    first = run_fork(course, NEW.slug, "--branch", NEW.branch)
    assert first.returncode == 0 and "notebooks/99-example.ipynb: 1 badge" in first.stdout, first.stdout
    assert example in sample.read_text()
    after_first = snapshot(course)
    second = run_fork(course, NEW.slug, "--branch", NEW.branch)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(f"Already points to {NEW.slug} (branch {NEW.branch}"), second.stdout
    assert snapshot(course) == after_first
