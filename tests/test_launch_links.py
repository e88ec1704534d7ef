"""Badges and launch links: one badge per notebook, and every launch link opens a real file.

The badge is the rule book's `colab-badge` rule (scripts/notebook_rules.py);
the launch-link check is in course_support.py, so the fork and new-notebook
tests run it on their copies too. Each guard is shown to fail, naming the
file and place, on a planted defect.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest
from mkdocs.theme import Theme
from selectolax.lexbor import LexborHTMLParser

from course_links import (
    Launchers,
    Repository,
    colab_badge_markdown,
    configured_course,
    configured_repository,
    repository_being_built,
)
from course_support import launch_link_problems, tracked_files
from notebook_page import LAUNCH_BAR, render_launch_bar
from notebook_rules import Course, check_paths, course_notebooks


def configured() -> Repository:
    return repository_being_built(configured_repository())


# --- tests on the real course --------------------------------------------------------------

def badge_problems(root: Path, repository: Repository) -> list[str]:
    """The rule book's colab-badge problems of the notebooks under `root`."""
    return [str(p) for p in check_paths(course_notebooks(root), ["colab-badge"],
                                        course=Course(root, repository=repository))]


def test_every_notebook_starts_with_exactly_one_badge_matching_the_configuration(root):
    assert course_notebooks(root), "notebooks/ holds no notebook"
    problems = badge_problems(root, configured_repository())
    assert not problems, "\n".join(problems)


def test_every_launch_link_on_the_site_opens_a_tracked_file_on_the_configured_branch(built_site, root):
    problems, counts = launch_link_problems(built_site, configured(), tracked_files(root))
    assert not problems, "\n".join(problems)
    notebooks = len(list((root / "notebooks").glob("*.ipynb")))
    for kind in ("colab", "binder", "download"):
        assert counts[kind] >= notebooks, f"only {counts[kind]} {kind} links for {notebooks} notebooks: {counts}"
    assert counts["github"] >= notebooks, counts


def test_every_notebook_page_shows_the_launch_bar_instead_of_the_badge_cell(built_site, root):
    launchers = configured_course(root / "mkdocs.yml").launchers
    for path in course_notebooks(root):
        page = built_site / "notebooks" / path.stem / "index.html"
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        where = page.relative_to(built_site)
        bars = tree.css("nav.launch-bar")
        assert len(bars) == 1, f"{where}: expected one launch bar, found {len(bars)}"
        assert not tree.css('img[src*="colab-badge.svg"]'), f"{where}: the badge cell is still on the page"
        bar = bars[0]
        texts = [span.text() for span in bar.css("a.launch-bar__link > span")]
        exercises = any("exercise" in cell.metadata.get("tags", [])
                        for cell in nbformat.read(path, as_version=4).cells)
        # With Colab on, a notebook with exercises opens its student copy, then the notebook itself.
        colab = ["Open exercises in Colab", "Open with solutions"] if exercises else ["Open in Colab"]
        expected = [text for texts, on in ((colab, launchers.colab),
                                           (["Launch on Binder"], launchers.binder),
                                           (["Open on your JupyterHub"], bool(launchers.jupyterhub_url)),
                                           (["Download .ipynb"], True), (["View source on GitHub"], True))
                    if on for text in texts]
        assert texts == expected, f"{where}: launch bar links {texts}"
        assert not bar.css("img") and bar.css("svg"), f"{where}: icons must be inline SVG, not images"
        caution = bar.css_first(".launch-bar__caution a").attributes["href"]
        assert (page.parent / caution / "index.html").resolve().is_file(), f"{where}: caution link {caution}"


# --- the guards fail, naming the place -----------------------------------------------------

def _write_notebook(path: Path, cells: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


def test_badge_rule_names_the_notebook_and_cell_of_a_wrong_missing_or_extra_badge(tmp_path):
    repo = Repository("alice/course", "main")
    good = colab_badge_markdown(repo, "notebooks/01-good.ipynb")
    md = nbformat.v4.new_markdown_cell
    _write_notebook(tmp_path / "notebooks/01-good.ipynb", [md(good), md("# Good")])
    _write_notebook(tmp_path / "notebooks/02-stale.ipynb",
                    [md(colab_badge_markdown(Repository("bob/course", "main"), "notebooks/02-stale.ipynb"))])
    _write_notebook(tmp_path / "notebooks/03-twice.ipynb",
                    [md(colab_badge_markdown(repo, "notebooks/03-twice.ipynb")), md("x"),
                     nbformat.v4.new_code_cell("", execution_count=1, outputs=[nbformat.v4.new_output(
                         "display_data", data={"text/markdown": good})])])
    _write_notebook(tmp_path / "notebooks/04-none.ipynb", [md("# No badge")])
    problems = badge_problems(tmp_path, repo)
    rule = "[colab-badge]"
    assert not any("01-good" in p for p in problems), problems
    assert any(p.startswith(f"notebooks/02-stale.ipynb: cell 0: {rule} badge is") for p in problems), problems
    assert f"notebooks/03-twice.ipynb: cell 2: {rule} a Colab badge outside cell 0 (one badge per notebook)" \
        in problems
    assert any(p.startswith(f"notebooks/04-none.ipynb: {rule} no Colab badge") for p in problems), problems


def test_a_badge_naming_another_repository_fails_the_build_naming_the_notebook(defective_build):
    notebook = defective_build["planted"]["badge"]["notebook"]
    assert defective_build["returncode"] != 0
    assert f"{notebook}: cell 0: [colab-badge] badge is" in defective_build["log"], defective_build["log"]


def test_link_check_names_the_page_and_link_of_a_wrong_branch_repository_or_file(tmp_path):
    repo = Repository("alice/course", "main")
    page = tmp_path / "notebooks/01-a/index.html"
    page.parent.mkdir(parents=True)
    (page.parent / "01-a.ipynb").write_text("{}")
    page.write_text(
        '<a href="https://colab.research.google.com/github/alice/course/blob/dev/notebooks/01-a.ipynb">x</a>'
        '<a href="https://colab.research.google.com/github/bob/course/blob/main/notebooks/01-a.ipynb">x</a>'
        '<a href="https://mybinder.org/v2/gh/alice/course/main?labpath=notebooks%2Fgone.ipynb">x</a>'
        '<a href="https://github.com/alice/course/blob/main/notebooks/gone.ipynb">x</a>'
        '<a href="https://github.com/alice/course/edit/dev/docs/index.md">x</a>'
        '<a href="02-b.ipynb" download>x</a>'
        '<a href="01-a.ipynb" download>ok</a>'
        '<a href="https://colab.research.google.com/github/alice/course/blob/main/notebooks/03-new.ipynb">x</a>'
        '<a href="03-new.ipynb" download>x</a>')
    (page.parent / "03-new.ipynb").write_text("{}")
    problems, counts = launch_link_problems(tmp_path, repo, {"notebooks/01-a.ipynb", "docs/index.md"})
    where = "notebooks/01-a/index.html: link "
    assert problems == [
        where + "https://colab.research.google.com/github/alice/course/blob/dev/notebooks/01-a.ipynb: "
                "names alice/course at dev, not alice/course at main",
        where + "https://colab.research.google.com/github/bob/course/blob/main/notebooks/01-a.ipynb: "
                "names bob/course at main, not alice/course at main",
        where + "https://mybinder.org/v2/gh/alice/course/main?labpath=notebooks%2Fgone.ipynb: "
                "opens 'notebooks/gone.ipynb', which is not tracked by git; run `git add notebooks/gone.ipynb`",
        where + "https://github.com/alice/course/blob/main/notebooks/gone.ipynb: "
                "'notebooks/gone.ipynb' is not tracked by git; run `git add notebooks/gone.ipynb`",
        where + "https://github.com/alice/course/edit/dev/docs/index.md: is not on the configured branch main",
        where + "02-b.ipynb: the download is missing from the built site",
        # A notebook made with `make new-notebook` but never added to git: the message says what to run.
        where + "https://colab.research.google.com/github/alice/course/blob/main/notebooks/03-new.ipynb: "
                "'notebooks/03-new.ipynb' is not tracked by git; run `git add notebooks/03-new.ipynb`",
        where + "03-new.ipynb: 'notebooks/03-new.ipynb' is not tracked by git; run `git add notebooks/03-new.ipynb`",
    ], problems
    assert counts == {"colab": 3, "binder": 1, "github": 2, "download": 3, "jupyterhub": 0}


def test_launch_bar_offers_the_jupyterhub_only_when_one_is_configured(root):
    template = Theme(name="material", custom_dir=str(root / "overrides")).get_env().get_template(LAUNCH_BAR)
    repo = Repository("alice/course", "autumn")
    common = dict(repository=repo, notebook="notebooks/01-a.ipynb", download_href="01-a.ipynb",
                  caution_href="../../caution/")
    assert "git-pull" not in render_launch_bar(template, **common)
    with_hub = render_launch_bar(template, **common, launchers=Launchers(jupyterhub_url="https://hub.example.org/"))
    link = re.search(r'href="(https://hub\.example\.org/hub/user-redirect/git-pull\?[^"]+)"', with_hub).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query == {"repo": ["https://github.com/alice/course"], "branch": ["autumn"],
                     "urlpath": ["lab/tree/course/notebooks/01-a.ipynb"]}


@pytest.mark.parametrize(("environ", "event", "expected"), [
    ({}, None, Repository("up/course", "main")),
    ({"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "alice/course", "GITHUB_REF_NAME": "autumn"},
     None, Repository("alice/course", "autumn")),
    # A pull request from a fork: the head repository and branch, not "12/merge".
    ({"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "up/course", "GITHUB_REF_NAME": "12/merge",
      "GITHUB_HEAD_REF": "fix-typo", "GITHUB_BASE_REF": "main"},
     {"pull_request": {"head": {"ref": "fix-typo", "repo": {"full_name": "bob/course"}}}},
     Repository("bob/course", "fix-typo")),
    # No readable payload: the head branch in the base repository.
    ({"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "up/course", "GITHUB_REF_NAME": "12/merge",
      "GITHUB_HEAD_REF": "fix-typo"}, None, Repository("up/course", "fix-typo")),
])
def test_links_in_github_actions_name_the_repository_and_branch_being_built(tmp_path, environ, event, expected):
    if event is not None:
        (tmp_path / "event.json").write_text(json.dumps(event))
        environ = {**environ, "GITHUB_EVENT_PATH": str(tmp_path / "event.json")}
    assert repository_being_built(Repository("up/course", "main"), environ) == expected


def test_link_check_names_a_jupyterhub_link_that_opens_outside_the_cloned_folder(tmp_path):
    repo = Repository("alice/course", "main")
    page = tmp_path / "notebooks/01-a/index.html"
    page.parent.mkdir(parents=True)
    wrong = ("https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Falice%2Fcourse"
             "&branch=main&urlpath=lab%2Ftree%2Fnotebooks%2F01-a.ipynb")
    page.write_text(f'<a href="{wrong.replace("&", "&amp;")}">x</a>')
    problems, counts = launch_link_problems(tmp_path, repo, {"notebooks/01-a.ipynb"})
    assert problems == [f"notebooks/01-a/index.html: link {wrong}: opens ['lab/tree/notebooks/01-a.ipynb'], "
                        "not a notebook in the course folder"], problems
    assert counts["jupyterhub"] == 1
