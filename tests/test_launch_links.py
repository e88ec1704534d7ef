"""Badges and launch links: one badge per notebook, and every launch link opens a real file.

The checks are functions (badge_problems, launch_link_problems) so the fork
simulation in test_fork.py runs them on a re-pointed copy, and so each guard
is shown to fail, naming the file and place, on a planted defect.
"""
from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from course_links import (
    COLAB_BADGE_IMAGE_RE,
    Repository,
    colab_badge_markdown,
    configured_repository,
    repository_being_built,
)
from launch_bar import launch_bar_html


# --- helpers shared with test_fork.py and test_new_notebook.py -----------------------------

def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def badge_cells(cell: dict) -> bool:
    """True when the cell shows a Colab badge: in Markdown, or in a rendered (HTML/Markdown) output."""
    if cell.get("cell_type") == "markdown" and COLAB_BADGE_IMAGE_RE.search(_text(cell.get("source"))):
        return True
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if any(COLAB_BADGE_IMAGE_RE.search(_text(data.get(mime))) for mime in ("text/markdown", "text/html")):
            return True
    return False


def badge_problems(root: Path, repository: Repository) -> list[str]:
    """Every notebook: exactly one Colab badge, in cell 0, equal to the configured badge."""
    problems = []
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    if not notebooks:
        problems.append(f"{root / 'notebooks'}: no notebooks found")
    for path in notebooks:
        name = f"notebooks/{path.name}"
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        expected = colab_badge_markdown(repository, name)
        with_badge = [index for index, cell in enumerate(cells) if badge_cells(cell)]
        if not with_badge:
            problems.append(f"{name}: no Colab badge; cell 0 must be exactly {expected}")
            continue
        for index in with_badge:
            if index != 0:
                problems.append(f"{name}: cell {index}: a Colab badge outside cell 0 (one badge per notebook)")
        if 0 in with_badge:
            source = _text(cells[0].get("source")).strip()
            if source != expected or cells[0].get("cell_type") != "markdown":
                problems.append(f"{name}: cell 0: badge is {source!r}; expected {expected!r} "
                                "(run `make fork` to re-point badges)")
        else:
            problems.append(f"{name}: cell 0: not the Colab badge; expected {expected!r}")
    return problems


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.links.append((dict(attrs)["href"], dict(attrs)))


def page_links(page: Path) -> list[tuple[str, dict]]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def tracked_files(root: Path) -> set[str]:
    result = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True)
    return set(result.stdout.splitlines())


def untracked(path: str, opens: bool = False) -> str:
    """The problem text for a link to a file git does not list, with the command that fixes it."""
    return f"{'opens ' if opens else ''}{path!r}{', which' if opens else ''} is not tracked by git; " \
           f"run `git add {path}`"


def _exists(path: str, tracked: set[str]) -> bool:
    path = path.rstrip("/")
    return path in tracked or any(name.startswith(path + "/") for name in tracked)


def launch_link_problems(site: Path, repository: Repository, tracked: set[str]) -> tuple[list[str], dict]:
    """Colab, Binder, GitHub and download links of the built site that do not open a tracked file.

    Returns (problems, counts of links checked per kind).
    """
    slug = re.escape(repository.slug)
    kinds = {
        "colab": re.compile(r"^https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/(.+?)/"
                            r"((?:notebooks|exercises)/.+)$"),
        "binder": re.compile(r"^https://mybinder\.org/v2/gh/([^/]+/[^/]+)/([^/?#]+)\??(.*)$"),
        "github": re.compile(rf"^https://github\.com/({slug})/(blob|edit|tree|raw)/(.+)$", re.I),
    }
    problems: list[str] = []
    counts = {"colab": 0, "binder": 0, "github": 0, "download": 0, "jupyterhub": 0}
    for page in sorted(site.rglob("*.html")):
        where = page.relative_to(site).as_posix()
        for href, attrs in page_links(page):
            def problem(message):
                problems.append(f"{where}: link {href}: {message}")

            if (match := kinds["colab"].match(href)):
                counts["colab"] += 1
                found_slug, branch, path = match.groups()
                if found_slug != repository.slug or branch != repository.branch:
                    problem(f"names {found_slug} at {branch}, not {repository.slug} at {repository.branch}")
                elif path not in tracked:
                    problem(untracked(path))
            elif (match := kinds["binder"].match(href)):
                counts["binder"] += 1
                found_slug, branch, query = match.group(1), unquote(match.group(2)), parse_qs(match.group(3))
                path = (query.get("labpath") or [""])[0] or (query.get("urlpath") or [""])[0].removeprefix("lab/tree/")
                if found_slug != repository.slug or branch != repository.branch:
                    problem(f"names {found_slug} at {branch}, not {repository.slug} at {repository.branch}")
                elif not path:
                    problem("opens no notebook (no labpath or urlpath)")
                elif path not in tracked:
                    problem(untracked(path, opens=True))
            elif (match := kinds["github"].match(href)):
                counts["github"] += 1
                rest = match.group(3).split("#")[0].split("?")[0]
                if not (rest == repository.branch or rest.startswith(repository.branch + "/")):
                    problem(f"is not on the configured branch {repository.branch}")
                elif not _exists(rest[len(repository.branch) + 1:], tracked):
                    problem(untracked(rest[len(repository.branch) + 1:]))
            elif "/hub/user-redirect/git-pull?" in href:
                counts["jupyterhub"] += 1
                query = parse_qs(urlsplit(href).query)
                path = query.get("urlpath", [""])[0].removeprefix(f"lab/tree/{repository.name}/")
                if query.get("repo") != [repository.url] or query.get("branch") != [repository.branch]:
                    problem(f"pulls {query.get('repo')} at {query.get('branch')}, "
                            f"not {repository.url} at {repository.branch}")
                elif path not in tracked:
                    problem(untracked(path, opens=True))
            elif "download" in attrs or href.endswith(".ipynb"):
                counts["download"] += 1
                if urlsplit(href).scheme:
                    continue  # an absolute .ipynb link is one of the kinds above or an external page
                target = (page.parent / unquote(href)).resolve()
                source = f"notebooks/{target.name}"
                if not target.is_file():
                    problem("the download is missing from the built site")
                elif source not in tracked:
                    problem(untracked(source))
    return problems, counts


def configured() -> Repository:
    return repository_being_built(configured_repository())


# --- tests on the real course --------------------------------------------------------------

def test_every_notebook_starts_with_exactly_one_badge_matching_the_configuration(root):
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
    hub = bool(re.search(r'^\s+jupyterhub_url:\s*"?https?://', (root / "mkdocs.yml").read_text(), re.M))
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        page = built_site / "notebooks" / path.stem / "index.html"
        html = page.read_text(encoding="utf-8")
        where = page.relative_to(built_site)
        assert html.count('<nav class="launch-bar"') == 1, f"{where}: expected one launch bar"
        assert not re.search(r"<img[^>]+colab-badge\.svg", html), f"{where}: the badge cell is still on the page"
        bar = html[html.index('<nav class="launch-bar"'):]
        bar = bar[:bar.index("</nav>")]
        texts = re.findall(r"<span>([^<]+)</span></a>", bar)
        expected = ["Open in Colab", "Launch on Binder", "Download .ipynb", "View source on GitHub"]
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any("exercise" in cell.get("metadata", {}).get("tags", []) for cell in cells):
            # a notebook with exercises: its student copy, then the notebook itself
            expected[0:1] = ["Open exercises in Colab", "Open with solutions"]
        if hub:
            expected.insert(expected.index("Launch on Binder") + 1, "Open on your JupyterHub")
        assert texts == expected, f"{where}: launch bar links {texts}"
        assert "<img" not in bar and "<svg" in bar, f"{where}: icons must be inline SVG, not images"
        caution = re.search(r'<p class="launch-bar__caution">.*?<a href="([^"]+)"', bar).group(1)
        assert (page.parent / caution / "index.html").resolve().is_file(), f"{where}: caution link {caution}"


# --- the guards fail, naming the place -----------------------------------------------------

def _write_notebook(path: Path, cells: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_badge_check_names_the_notebook_and_cell_of_a_wrong_missing_or_extra_badge(tmp_path):
    repo = Repository("alice/course", "main")
    good = colab_badge_markdown(repo, "notebooks/01-good.ipynb")
    md = lambda text: {"cell_type": "markdown", "metadata": {}, "source": text}  # noqa: E731
    _write_notebook(tmp_path / "notebooks/01-good.ipynb", [md(good), md("# Good")])
    _write_notebook(tmp_path / "notebooks/02-stale.ipynb",
                    [md(colab_badge_markdown(Repository("bob/course", "main"), "notebooks/02-stale.ipynb"))])
    _write_notebook(tmp_path / "notebooks/03-twice.ipynb",
                    [md(colab_badge_markdown(repo, "notebooks/03-twice.ipynb")), md("x"),
                     {"cell_type": "code", "metadata": {}, "source": "", "execution_count": 1, "outputs": [
                         {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": good}}]}])
    _write_notebook(tmp_path / "notebooks/04-none.ipynb", [md("# No badge")])
    problems = badge_problems(tmp_path, repo)
    assert not any("01-good" in p for p in problems), problems
    assert any(p.startswith("notebooks/02-stale.ipynb: cell 0: badge is") for p in problems), problems
    assert "notebooks/03-twice.ipynb: cell 2: a Colab badge outside cell 0 (one badge per notebook)" in problems
    assert any(p.startswith("notebooks/04-none.ipynb: no Colab badge") for p in problems), problems


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


def test_launch_bar_offers_the_jupyterhub_only_when_one_is_configured():
    repo = Repository("alice/course", "autumn")
    common = dict(repository=repo, notebook="notebooks/01-a.ipynb", download_href="01-a.ipynb",
                  caution_href="../../caution/")
    assert "git-pull" not in launch_bar_html(**common)
    with_hub = launch_bar_html(**common, hub_url="https://hub.example.org/")
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
