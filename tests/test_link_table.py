"""Launch, edit, view and download links hold for every fork, branch, file name and domain.

A table of awkward inputs: owners and repositories with dots, underscores and
"edit" in their names; branches `spring-2027/week-1`, `feature#1` and `100%`;
a notebook named with a space, an accented letter and a `#`; an
OWNER.github.io repository; a custom domain. Each is checked twice:

- as URLs (fast): every builder in hooks/course_links.py gives exactly the URL
  written out here by hand from the service's documented shape;
- as built sites (three builds, each a copy of the course in tmp_path given a
  page and a notebook with awkward names, re-pointed with scripts/fork.py and
  built strictly): every launch, edit, view and download link is read as its
  service documents it, decoded, and must name the fork, its branch and a
  file `git ls-files` lists; canonical links, the sitemap and the 404 page's
  assets follow the site's address.

Bad settings are refused with a message naming mkdocs.yml and the key, before
anything is written.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, unquote, urljoin, urlsplit

import nbformat
import pytest

import course_links
from course_links import Repository, configured_repository
from course_support import copy_working_tree, launch_link_problems, page_links, tracked_files
from local_site import build_site, serve

NOTEBOOK = "notebooks/06 Café #1.ipynb"          # a space, an accented letter and a '#'
NOTEBOOK_ENCODED = "notebooks/06%20Caf%C3%A9%20%231.ipynb"
COPY_ENCODED = "exercises/06%20Caf%C3%A9%20%231.ipynb"  # its student copy (it has exercises)
PAGE = "docs/editing.md"                         # "edit" in a page's name
HUB = "https://hub.example.org"


# --- URLs: the documented shapes, written out by hand ----------------------------------------

@dataclass
class UrlRow:
    id: str
    repository: Repository
    expected: dict[str, str]
    hub: dict = field(default_factory=dict)      # nbgitpuller options for the "jupyterhub" URL


URL_ROWS = [
    UrlRow("edit-in-names-percent-branch", Repository("edith-editor/credit_course.v2", "100%"), {
        "colab": "https://colab.research.google.com/github/edith-editor/credit_course.v2/blob/100%25/"
                 + NOTEBOOK_ENCODED,
        "colab-exercises": "https://colab.research.google.com/github/edith-editor/credit_course.v2/blob/100%25/"
                           + COPY_ENCODED,
        "binder": "https://mybinder.org/v2/gh/edith-editor/credit_course.v2/100%25"
                  "?labpath=notebooks%2F06%20Caf%C3%A9%20%231.ipynb",
        "blob": "https://github.com/edith-editor/credit_course.v2/blob/100%25/" + NOTEBOOK_ENCODED,
        "edit": "https://github.com/edith-editor/credit_course.v2/edit/100%25/docs/editing.md",
        "view": "https://github.com/edith-editor/credit_course.v2/raw/100%25/docs/editing.md",
        "view-notebook": "https://github.com/edith-editor/credit_course.v2/blob/100%25/" + NOTEBOOK_ENCODED,
        "jupyterhub": "https://hub.example.org/hub/user-redirect/git-pull"
                      "?repo=https%3A%2F%2Fgithub.com%2Fedith-editor%2Fcredit_course.v2&branch=100%25"
                      "&urlpath=tree%2Fcourses%2Fcredit_course.v2%2Fnotebooks%2F06%2520Caf%25C3%25A9%2520%25231.ipynb",
        "pages": "https://edith-editor.github.io/credit_course.v2/",
    }, hub={"interface": "notebook", "parent_path": "courses"}),
    UrlRow("user-site-slash-branch", Repository("alice-lab/alice-lab.github.io", "spring-2027/week-1"), {
        "colab": "https://colab.research.google.com/github/alice-lab/alice-lab.github.io/blob/spring-2027/week-1/"
                 + NOTEBOOK_ENCODED,
        "colab-exercises": "https://colab.research.google.com/github/alice-lab/alice-lab.github.io/blob/"
                           "spring-2027/week-1/" + COPY_ENCODED,
        "binder": "https://mybinder.org/v2/gh/alice-lab/alice-lab.github.io/spring-2027/week-1"
                  "?labpath=notebooks%2F06%20Caf%C3%A9%20%231.ipynb",
        "blob": "https://github.com/alice-lab/alice-lab.github.io/blob/spring-2027/week-1/" + NOTEBOOK_ENCODED,
        "edit": "https://github.com/alice-lab/alice-lab.github.io/edit/spring-2027/week-1/docs/editing.md",
        "view": "https://github.com/alice-lab/alice-lab.github.io/raw/spring-2027/week-1/docs/editing.md",
        "view-notebook": "https://github.com/alice-lab/alice-lab.github.io/blob/spring-2027/week-1/"
                         + NOTEBOOK_ENCODED,
        "jupyterhub": "https://hub.example.org/hub/user-redirect/git-pull"
                      "?repo=https%3A%2F%2Fgithub.com%2Falice-lab%2Falice-lab.github.io"
                      "&branch=spring-2027%2Fweek-1"
                      "&urlpath=lab%2Ftree%2Falice-lab.github.io%2Fnotebooks%2F06%2520Caf%25C3%25A9%2520%25231.ipynb",
        "pages": "https://alice-lab.github.io/",
    }),
    UrlRow("edit-repo-hash-branch", Repository("bob-org/edit.course", "feature#1"), {
        "colab": "https://colab.research.google.com/github/bob-org/edit.course/blob/feature%231/" + NOTEBOOK_ENCODED,
        "colab-exercises": "https://colab.research.google.com/github/bob-org/edit.course/blob/feature%231/"
                           + COPY_ENCODED,
        "binder": "https://mybinder.org/v2/gh/bob-org/edit.course/feature%231"
                  "?labpath=notebooks%2F06%20Caf%C3%A9%20%231.ipynb",
        "blob": "https://github.com/bob-org/edit.course/blob/feature%231/" + NOTEBOOK_ENCODED,
        "edit": "https://github.com/bob-org/edit.course/edit/feature%231/docs/editing.md",
        "view": "https://github.com/bob-org/edit.course/raw/feature%231/docs/editing.md",
        "view-notebook": "https://github.com/bob-org/edit.course/blob/feature%231/" + NOTEBOOK_ENCODED,
        "jupyterhub": "https://hub.example.org/hub/user-redirect/git-pull"
                      "?repo=https%3A%2F%2Fgithub.com%2Fbob-org%2Fedit.course&branch=feature%231"
                      "&urlpath=lab%2Ftree%2Fwork%2Fcourses%2Fedit.course%2Fnotebooks%2F06%2520Caf%25C3%25A9%2520%25231.ipynb",
        "pages": "https://bob-org.github.io/edit.course/",
    }, hub={"parent_path": "work/courses/"}),
]


def built_urls(row: UrlRow) -> dict[str, str]:
    """Every URL course_links builds for the row, or why it could not.

    Builders are looked up by name, so a missing one fails its kind, not the table.
    """
    links, repo = course_links, row.repository
    builders = {
        "colab": lambda: links.colab_url(repo, NOTEBOOK),
        "colab-exercises": lambda: links.exercise_links(links.Launchers(), repo, NOTEBOOK)["exercises"],
        "binder": lambda: links.binder_url(repo, NOTEBOOK),
        "blob": lambda: links.github_url(repo, "blob", NOTEBOOK),
        "edit": lambda: links.edit_url(repo, PAGE),
        "view": lambda: links.view_url(repo, PAGE),
        "view-notebook": lambda: links.view_url(repo, NOTEBOOK),
        "jupyterhub": lambda: links.nbgitpuller_url(HUB, repo, NOTEBOOK, **row.hub),
        "pages": lambda: repo.pages_url,
    }
    built = {}
    for kind, builder in builders.items():
        try:
            built[kind] = builder()
        except (AttributeError, TypeError) as error:
            built[kind] = f"(not built: {error})"
    return built


@pytest.mark.parametrize("row", URL_ROWS, ids=lambda row: row.id)
def test_every_url_for_awkward_names_is_the_documented_shape(row):
    built = built_urls(row)
    wrong = [f"{kind}: {built[kind]}\n  expected {url}" for kind, url in row.expected.items() if built[kind] != url]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("repository", "site_url", "building", "expected"), [
    (Repository("alice/course", "main"), "", Repository("alice/course", "main"), "https://alice.github.io/course/"),
    (Repository("Alice/Alice.github.io", "main"), "", Repository("Alice/Alice.github.io", "main"),
     "https://alice.github.io/"),
    (Repository("alice/course", "main"), "https://course.example.edu/", Repository("alice/course", "x#1"),
     "https://course.example.edu/"),
    # A fork built in GitHub Actions before `make fork`: its own Pages, not the upstream's domain.
    (Repository("alice/course", "main"), "https://course.example.edu/", Repository("bob/course", "main"),
     "https://bob.github.io/course/"),
])
def test_the_site_address_is_the_custom_domain_of_its_own_repository_else_github_pages(
        repository, site_url, building, expected):
    course = course_links.Course(repository, site_url)
    assert course.site_url_for(building) == expected


BAD_SETTINGS = [
    ({"branch": "spring 2027"}, "extra.course.branch: 'spring 2027' is not a valid git branch name"),
    ({"branch": "week-1/.hidden"}, "extra.course.branch: 'week-1/.hidden' is not a valid git branch name"),
    ({"branch": 2027}, 'extra.course.branch: 2027 is not text; write it in quotes, for example branch: "2027"'),
    ({"site_url": "course.example.edu"}, "extra.course.site_url: 'course.example.edu' is not a site address"),
    ({"site_url": "https://course.example.edu/#top"}, "extra.course.site_url: 'https://course.example.edu/#top'"),
    ({"jupyterhub_url": "hub.example.org"}, "extra.course.jupyterhub_url: 'hub.example.org' is not an http(s)"),
    ({"jupyterhub_interface": "classic"}, "extra.course.jupyterhub_interface: 'classic' is not one of lab, notebook"),
    ({"jupyterhub_parent_path": "../elsewhere"}, "extra.course.jupyterhub_parent_path: '../elsewhere' is not a folder"),
    ({"jupyterhub_parent_path": "/home/jovyan"}, "extra.course.jupyterhub_parent_path: '/home/jovyan' is not a folder"),
    ({"binder": "no"}, "extra.course.binder: 'no' is not true or false"),
]


@pytest.mark.parametrize(("settings", "message"), BAD_SETTINGS, ids=[next(iter(s)) + "=" + str(next(iter(s.values())))
                                                                   for s, _ in BAD_SETTINGS])
def test_a_bad_setting_is_refused_naming_mkdocs_yml_and_the_key(settings, message):
    with pytest.raises(course_links.SettingError) as refused:
        course_links.course_from_settings("https://github.com/alice/course",
                                          {"course": {"branch": "main", **settings}})
    assert str(refused.value).startswith(f"mkdocs.yml: {message}"), str(refused.value)


def test_a_bad_setting_fails_the_build_naming_the_key_before_anything_is_written(root, tmp_path):
    course = copy_working_tree(root, tmp_path / "course")
    set_course_settings(course / "mkdocs.yml", {"site_url": "course.example.edu"})
    site = tmp_path / "site"
    result = build_site(course, site)
    log = result.stdout + result.stderr
    assert result.returncode != 0, "the build accepted a site address without https://"
    assert "mkdocs.yml: extra.course.site_url: 'course.example.edu' is not a site address" in log, log
    assert not site.exists(), "the refused build wrote the site"


# --- Built sites --------------------------------------------------------------------------------

@dataclass
class Build:
    id: str
    repository: Repository
    site_url: str                                # where the site must say it lives
    settings: dict                               # extra.course settings written into mkdocs.yml
    launch_bar: dict[str, str]                   # the awkward notebook's launch bar, link text -> href


BUILDS = [
    Build("edit-in-names-percent-branch", URL_ROWS[0].repository, "https://edith-editor.github.io/credit_course.v2/",
          {"jupyterhub_url": HUB, "jupyterhub_interface": "notebook", "jupyterhub_parent_path": "courses"}, {
              "Open exercises in Colab": URL_ROWS[0].expected["colab-exercises"],
              "Open with solutions": URL_ROWS[0].expected["colab"],
              "Launch on Binder": URL_ROWS[0].expected["binder"],
              "Open on your JupyterHub": URL_ROWS[0].expected["jupyterhub"],
              "Download .ipynb": "06%20Caf%C3%A9%20%231.ipynb",
              "View source on GitHub": URL_ROWS[0].expected["blob"],
          }),
    Build("user-site-slash-branch", URL_ROWS[1].repository, "https://alice-lab.github.io/",
          {"jupyterhub_url": HUB + "/"}, {
              "Open exercises in Colab": URL_ROWS[1].expected["colab-exercises"],
              "Open with solutions": URL_ROWS[1].expected["colab"],
              "Launch on Binder": URL_ROWS[1].expected["binder"],
              "Open on your JupyterHub": URL_ROWS[1].expected["jupyterhub"],
              "Download .ipynb": "06%20Caf%C3%A9%20%231.ipynb",
              "View source on GitHub": URL_ROWS[1].expected["blob"],
          }),
    # A custom domain, served at its root; Binder switched off.
    Build("custom-domain-hash-branch", URL_ROWS[2].repository, "https://course.example.edu/",
          {"site_url": "https://course.example.edu", "binder": False}, {
              "Open exercises in Colab": URL_ROWS[2].expected["colab-exercises"],
              "Open with solutions": URL_ROWS[2].expected["colab"],
              "Download .ipynb": "06%20Caf%C3%A9%20%231.ipynb",
              "View source on GitHub": URL_ROWS[2].expected["blob"],
          }),
]


def yaml_value(value) -> str:
    return json.dumps(value)  # JSON strings and booleans are YAML too


def set_course_settings(mkdocs_yml: Path, settings: dict) -> None:
    """Write `settings` under extra.course (replacing those keys), right after its branch line."""
    text = mkdocs_yml.read_text(encoding="utf-8")
    for key in settings:
        text = re.sub(rf"(?m)^    {key}:.*\n", "", text)
    branch = re.search(r"(?m)^    branch:.*$", text)
    lines = "".join(f"\n    {key}: {yaml_value(value)}" for key, value in settings.items())
    mkdocs_yml.write_text(text[:branch.end()] + lines + text[branch.end():], encoding="utf-8")


def add_awkward_files(course: Path, upstream: Repository) -> None:
    """A notebook and a page with awkward names, in the navigation and known to git.

    The notebook starts with the upstream course's badge, written with its
    path percent-encoded, as Colab and the course write it.
    """
    notebook = nbformat.read(course / "notebooks" / "01-colab-quick-start.ipynb", as_version=4)
    notebook.cells[0].source = (
        "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"(https://colab.research.google.com/github/{upstream.slug}/blob/{quote(upstream.branch, safe='/')}/"
        f"{NOTEBOOK_ENCODED})")
    title, _, rest = notebook.cells[1].source.partition("\n")
    notebook.cells[1].source = "# Café notes\n" + rest
    nbformat.write(notebook, course / NOTEBOOK)
    (course / PAGE).write_text("# Editing the course\n\nHow a page of the course is edited on GitHub.\n",
                               encoding="utf-8")
    yml = course / "mkdocs.yml"
    text = yml.read_text(encoding="utf-8")
    last = re.search(r"(?m)^(\s+)- notebooks/05-de-identification\.ipynb$", text)
    text = text[:last.end()] + f'\n{last.group(1)}- "{NOTEBOOK}"' + text[last.end():]
    about = re.search(r"(?m)^  - About: about\.md$", text)
    text = text[:about.end()] + "\n  - Editing: editing.md" + text[about.end():]
    yml.write_text(text, encoding="utf-8")
    # Its student copy, as `make student-copies` writes it (badge and note naming upstream).
    subprocess.run([sys.executable, str(course / "scripts" / "student_copies.py")], cwd=course, check=True,
                   capture_output=True)
    subprocess.run(["git", "add", "-A"], cwd=course, check=True)


@dataclass
class BuiltSite:
    build: Build
    course: Path
    site: Path
    fork_output: str


@pytest.fixture(scope="module")
def sites(root, tmp_path_factory) -> dict[str, BuiltSite]:
    """Every build of the table: the course re-pointed at the build's fork (scripts/fork.py),
    given its settings and built strictly, the builds running side by side."""
    upstream = configured_repository(root / "mkdocs.yml")
    environ = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    started = {}
    for build in BUILDS:
        course = copy_working_tree(root, tmp_path_factory.mktemp(build.id) / "course")
        add_awkward_files(course, upstream)
        fork = subprocess.run([sys.executable, str(course / "scripts" / "fork.py"), build.repository.slug,
                               "--branch", build.repository.branch], cwd=course, capture_output=True, text=True)
        assert fork.returncode == 0, fork.stdout + fork.stderr
        set_course_settings(course / "mkdocs.yml", build.settings)
        site = course.parent / "site"
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
            cwd=course, env={**environ, "NO_MKDOCS_2_WARNING": "1"},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started[build.id] = (BuiltSite(build, course, site, fork.stdout), process)
    failed = []
    for built, process in started.values():
        log = process.communicate()[0]
        if process.returncode != 0:
            failed.append(f"{built.build.id}: mkdocs build --strict failed:\n{log}")
    assert not failed, "\n".join(failed)
    return {name: built for name, (built, _) in started.items()}


@pytest.fixture(params=BUILDS, ids=lambda build: build.id)
def built(request, sites) -> BuiltSite:
    return sites[request.param.id]


def test_every_launch_edit_view_and_download_link_names_the_fork_its_branch_and_a_tracked_file(built):
    repository = built.build.repository
    problems, counts = launch_link_problems(built.site, repository, tracked_files(built.course))
    assert not problems, "\n".join(problems)
    notebooks = len(list((built.course / "notebooks").glob("*.ipynb")))
    on = {"colab": True, "binder": built.build.settings.get("binder", True),
          "jupyterhub": bool(built.build.settings.get("jupyterhub_url")), "download": True}
    for kind, shown in on.items():
        if shown:
            assert counts[kind] >= notebooks, f"only {counts[kind]} {kind} links for {notebooks} notebooks: {counts}"
        else:
            assert counts[kind] == 0, f"{kind} is switched off, yet the site has {counts[kind]} {kind} links"


class _LaunchBar(HTMLParser):
    """The launch bar's links: (link text, href)."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.href = None
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "launch-bar" in (attrs.get("class") or ""):
            self.depth = 1
        elif self.depth and tag == "nav":
            self.depth += 1
        elif self.depth and tag == "a" and "launch-bar__link" in (attrs.get("class") or ""):
            self.href = attrs["href"]
            self.links.append(["", self.href])

    def handle_endtag(self, tag):
        if self.depth and tag == "nav":
            self.depth -= 1
        if tag == "a":
            self.href = None

    def handle_data(self, data):
        if self.href is not None:
            self.links[-1][0] += data.strip()


def test_the_awkward_notebook_page_launch_bar_holds_exactly_the_documented_urls(built):
    page = built.site / "notebooks" / "06 Café #1" / "index.html"
    parser = _LaunchBar()
    parser.feed(page.read_text(encoding="utf-8"))
    links = {text: href for text, href in parser.links}
    assert links == built.build.launch_bar, json.dumps(links, indent=1, ensure_ascii=False)
    assert (page.parent / unquote(links["Download .ipynb"])).is_file(), "the download is not beside the page"


def page_sources(course: Path) -> dict[str, str]:
    """Built page (its index.html relative to the site) -> its source file in the repository."""
    sources = {}
    for path in tracked_files(course):
        if path.startswith("docs/") and path.endswith(".md"):
            stem = path[len("docs/"):-len(".md")]
            folder = stem[:-len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
            sources[f"{folder}index.html"] = path
        elif path.startswith("notebooks/") and path.endswith(".ipynb"):
            sources[f"{path[:-len('.ipynb')]}/index.html"] = path
    return sources


def test_the_edit_and_view_buttons_of_every_page_open_its_source_file_on_the_branch(built):
    repository = built.build.repository
    branch = quote(repository.branch, safe="/")
    problems = []
    for page, source in sorted(page_sources(built.course).items()):
        links = page_links(built.site / page)
        buttons = [(href, attrs) for href, attrs in links if "md-content__button" in (attrs.get("class") or "")]
        edit = [href for href, attrs in buttons if attrs.get("rel") == "edit"]
        view = [href for href, attrs in buttons if attrs.get("rel") != "edit"]
        expected_edit = f"https://github.com/{repository.slug}/edit/{branch}/{quote(source)}"
        kind = "blob" if source.endswith(".ipynb") else "raw"   # a notebook opens on GitHub's notebook view
        expected_view = f"https://github.com/{repository.slug}/{kind}/{branch}/{quote(source)}"
        if edit != [expected_edit]:
            problems.append(f"{page}: edit button {edit}, expected [{expected_edit}]")
        if view != [expected_view]:
            problems.append(f"{page}: view button {view}, expected [{expected_view}]")
    assert not problems, "\n".join(problems)


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _Assets(HTMLParser):
    """What a page loads (stylesheets, icons, scripts) and links to."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href") and attrs.get("rel") != "canonical":
            self.loads.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.loads.append(attrs["src"])
        elif tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])


def test_site_address_canonical_links_sitemap_and_404_page_follow_the_fork_or_its_domain(built):
    site_url = built.build.site_url
    problems = []
    home = (built.site / "index.html").read_text(encoding="utf-8")
    if f'<link rel="canonical" href="{site_url}">' not in home:
        problems.append(f"index.html: canonical {re.findall(r'<link rel=.canonical[^>]*>', home)}, "
                        f"expected {site_url}")
    locations = re.findall(r"<loc>(.*?)</loc>", (built.site / "sitemap.xml").read_text(encoding="utf-8"))
    if not locations or not all(url.startswith(site_url) for url in locations):
        problems.append(f"sitemap.xml: {locations[:2]}..., expected every page under {site_url}")
    if f"{site_url}notebooks/06%20Caf%C3%A9%20%231/" not in locations:
        problems.append("sitemap.xml: the awkward notebook's page is missing or not percent-encoded")

    # The 404 page, served where GitHub Pages serves the site (a domain's root or a path),
    # for a missing address some folders deep: every stylesheet, icon, script and link resolves.
    mount = urlsplit(site_url).path
    server, base = serve(built.site, mount)
    try:
        missing = urljoin(base, "no/such/chapter/page/")
        parser = _Assets()
        parser.feed((built.site / "404.html").read_text(encoding="utf-8"))
        assert parser.loads and parser.links, "the 404 page loads and links to nothing"
        problems += [f"404.html served for {missing}: {href} -> HTTP {status}"
                     for href in parser.loads + parser.links if (status := fetch(urljoin(missing, href))) != 200]
    finally:
        server.shutdown()
    assert not problems, "\n".join(problems)


def test_the_awkward_notebooks_badge_is_recognised_and_re_pointed_to_the_fork(built):
    repository = built.build.repository
    cells = nbformat.read(built.course / NOTEBOOK, as_version=4).cells
    expected = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                f"({built.build.launch_bar['Open with solutions']})")
    assert cells[0].source == expected
    assert f"notebooks/06 Café #1.ipynb: 1 badge" in built.fork_output, built.fork_output
    # The student copy's badge opens the copy itself, the launch bar's "Open exercises in Colab".
    copy = nbformat.read(built.course / "exercises" / Path(NOTEBOOK).name, as_version=4).cells
    assert copy[0].source == (
        "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({built.build.launch_bar['Open exercises in Colab']})")
    assert f"exercises/06 Café #1.ipynb: 1 badge" in built.fork_output, built.fork_output
    check = subprocess.run([sys.executable, str(built.course / "scripts" / "student_copies.py"), "--check"],
                           cwd=built.course, capture_output=True, text=True)
    assert check.returncode == 0, f"re-pointed copies are stale:\n{check.stdout}{check.stderr}"
    assert repository.branch in built.fork_output


def test_a_new_notebook_links_its_chapter_on_the_custom_domain(root, tmp_path, monkeypatch):
    import new_notebook

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy2(root / "mkdocs.yml", course / "mkdocs.yml")
    set_course_settings(course / "mkdocs.yml", {"site_url": "https://course.example.edu/"})
    monkeypatch.setattr(new_notebook, "ROOT", course)
    title = new_notebook.build_notebook("notebooks/07-reading-files.ipynb", "Reading files").cells[1].source
    assert "](https://course.example.edu/chapter-1/colab/)" in title, title


def test_a_site_url_set_beside_the_course_settings_is_refused_naming_the_setting_to_use(root):
    import repository as repository_hook
    from mkdocs.exceptions import PluginError

    def config(site_url):
        return SimpleNamespace(config_file_path=str(root / "mkdocs.yml"), repo_url="https://github.com/alice/course",
                               repo_name="", edit_uri="", site_url=site_url,
                               extra={"course": {"branch": "main", "site_url": "https://course.example.edu"}})

    repository_hook.on_startup(command="build", dirty=False)
    assert repository_hook.on_config(config(None)).site_url == "https://course.example.edu/"
    with pytest.raises(PluginError) as refused:
        repository_hook.on_config(config("https://elsewhere.example.org/"))
    assert str(refused.value) == ("mkdocs.yml: site_url is derived from repo_url; for a custom domain set "
                                  "extra.course.site_url instead, and remove site_url")
