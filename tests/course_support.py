"""Helpers the tests share (fixtures are in conftest.py): mkdocs.yml as MkDocs
reads it, defects to plant in a copy of the course (local_site.copy_course),
copies of the working tree to re-point, and the launch-link check of a built site.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import nbformat
import pytest
from mkdocs.utils.yaml import yaml_load

from course_links import Repository, configured_course, published_site_url
from git_files import listed_files
from local_site import JUPYTER_CACHE

ROOT = Path(__file__).resolve().parent.parent


def mkdocs_settings(root: Path = ROOT) -> dict:
    """mkdocs.yml as MkDocs reads it (its YAML loader, tags included)."""
    with open(root / "mkdocs.yml", encoding="utf-8") as handle:
        return yaml_load(handle)


def plant_build_defects(course: Path) -> dict:
    """Plant in a copy of the course every defect the strict build must refuse;
    returns where each one is, for the tests that read the build's log."""
    page = course / "docs" / "chapter-1" / "index.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\n[gone](colab/no-such-page.md) and [lost](colab/index.md#no-such-anchor)\n",
                    encoding="utf-8")
    notebooks = sorted((course / "notebooks").glob("*.ipynb"))
    planted = {"page": "chapter-1/index.md", "links": ["colab/no-such-page.md", "#no-such-anchor"]}

    # A remote image in a new last cell, and a title with no paragraph after it.
    remote = notebooks[-1]
    node = nbformat.read(remote, as_version=4)
    node.cells.append(nbformat.v4.new_markdown_cell("![chart](https://cdn.example.net/chart.png)"))
    for cell in node.cells[1:]:
        if cell.cell_type == "markdown":
            cell.source = "\n".join(line for line in cell.source.splitlines()
                                    if line.startswith("#") or "cdn.example.net" in line)
    nbformat.write(node, remote)
    planted["remote"] = {"notebook": f"notebooks/{remote.name}", "cell": len(node.cells) - 1,
                         "url": "https://cdn.example.net/chart.png"}

    # A figure whose alt text is gone.
    for path in notebooks[:-1]:
        node = nbformat.read(path, as_version=4)
        figure = next(((index, output) for index, cell in enumerate(node.cells) if cell.cell_type == "code"
                       for output in cell.outputs if "image/png" in output.get("data", {})), None)
        if figure:
            figure[1].setdefault("metadata", {}).pop("image/png", None)
            nbformat.write(node, path)
            planted["figure"] = {"notebook": f"notebooks/{path.name}", "cell": figure[0]}
            break

    # A badge naming another repository.
    stale = notebooks[0]
    node = nbformat.read(stale, as_version=4)
    node.cells[0].source = node.cells[0].source.replace("/github/", "/github/someone-else/other-")
    nbformat.write(node, stale)
    planted["badge"] = {"notebook": f"notebooks/{stale.name}"}

    # A link to a page of the course site that the site does not have.
    linking = notebooks[1]
    site = published_site_url(configured_course(course / "mkdocs.yml")).rstrip("/") + "/"
    node = nbformat.read(linking, as_version=4)
    node.cells.append(nbformat.v4.new_markdown_cell(f"Next: [survival analysis]({site}chapter-2/survival/)."))
    nbformat.write(node, linking)
    planted["missing page"] = {"notebook": f"notebooks/{linking.name}", "cell": len(node.cells) - 1,
                               "url": f"{site}chapter-2/survival/"}
    return planted


def copy_working_tree(root: Path, dest: Path, *, init_git: bool = True, warm: bool = True) -> Path:
    """Copy the course's files (tracked + untracked, not ignored: what a commit could
    contain) to `dest`; with `init_git`, make it a git repository with all of them added.
    With `warm`, mkdocs-jupyter's cache comes along (git ignores it), so notebooks a
    test leaves unchanged are not converted again when it builds the copy."""
    for name in listed_files(root):
        source = root / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if warm and (root / JUPYTER_CACHE).is_dir():
        shutil.copytree(root / JUPYTER_CACHE, dest / JUPYTER_CACHE)
    if init_git:
        subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
        subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    return dest


def tool(name: str) -> str:
    """A pinned tool installed beside this Python (.venv/bin); a missing tool fails the
    test (never skips it)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed beside {sys.executable}: run `make setup` "
                    "(it is pinned in requirements.txt)", pytrace=False)
    return str(path)


def snapshot(course: Path) -> dict[str, bytes]:
    """Every file of a copy (outside .git) and its bytes, to show a command changed nothing."""
    return {p.relative_to(course).as_posix(): p.read_bytes()
            for p in course.rglob("*") if p.is_file() and ".git" not in p.relative_to(course).parts}


# --- Launch links of a built site ----------------------------------------------------------

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
    """What git tracks under `root` (new notebooks are staged with --intent-to-add)."""
    return set(listed_files(root, untracked=False))


def untracked(path: str, opens: bool = False) -> str:
    """The problem text for a link to a file git does not list, with the command that fixes it."""
    return f"{'opens ' if opens else ''}{path!r}{', which' if opens else ''} is not tracked by git; " \
           f"run `git add {path}`"


def _exists(path: str, tracked: set[str]) -> bool:
    path = path.rstrip("/")
    return path in tracked or any(name.startswith(path + "/") for name in tracked)


def launch_link_problems(site: Path, repository: Repository, tracked: set[str]) -> tuple[list[str], dict]:
    """Colab, Binder, GitHub and download links of the built site that do not open a tracked file.

    Each link is read as its service documents it, with the branch and path
    percent-decoded (a branch may hold '/', '#', '%'; a file name spaces and
    accented letters). Returns (problems, counts of links checked per kind).
    """
    slug = re.escape(repository.slug)
    kinds = {
        "colab": re.compile(r"^https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/(.+)/"
                            r"((?:notebooks|exercises)/[^/]+)$"),
        "binder": re.compile(r"^https://mybinder\.org/v2/gh/([^/]+/[^/]+)/([^?#]+)\??([^#]*)$"),
        "github": re.compile(rf"^https://github\.com/({slug})/(blob|edit|tree|raw)/(.+)$", re.I),
    }
    hub_folder = re.compile(rf"^(?:lab/tree|tree)/(?:[^?#]+/)?{re.escape(repository.name)}/(notebooks/.+)$")
    problems: list[str] = []
    counts = {"colab": 0, "binder": 0, "github": 0, "download": 0, "jupyterhub": 0}
    for page in sorted(site.rglob("*.html")):
        where = page.relative_to(site).as_posix()
        for href, attrs in page_links(page):
            def problem(message):
                problems.append(f"{where}: link {href}: {message}")

            if (match := kinds["colab"].match(href)):
                counts["colab"] += 1
                found_slug, branch, path = match.group(1), unquote(match.group(2)), unquote(match.group(3))
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
                rest = unquote(match.group(3).split("#")[0].split("?")[0])
                if not (rest == repository.branch or rest.startswith(repository.branch + "/")):
                    problem(f"is not on the configured branch {repository.branch}")
                elif not _exists(rest[len(repository.branch) + 1:], tracked):
                    problem(untracked(rest[len(repository.branch) + 1:]))
            elif "/hub/user-redirect/git-pull?" in href:
                counts["jupyterhub"] += 1
                query = parse_qs(urlsplit(href).query)
                opened = hub_folder.match(unquote(query.get("urlpath", [""])[0]))
                path = opened.group(1) if opened else ""
                if query.get("repo") != [repository.url] or query.get("branch") != [repository.branch]:
                    problem(f"pulls {query.get('repo')} at {query.get('branch')}, "
                            f"not {repository.url} at {repository.branch}")
                elif not path:
                    problem(f"opens {query.get('urlpath')}, not a notebook in the {repository.name} folder")
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
