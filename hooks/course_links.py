"""The course's settings and every link derived from them.

The course's GitHub repository and branch are written once, in mkdocs.yml
(`repo_url` and `extra.course.branch`), with the optional settings beside
them: `extra.course.site_url` (a custom domain), and the launchers
(`colab`, `binder`, `jupyterhub_url` with `jupyterhub_interface` and
`jupyterhub_parent_path`). Everything that names them (badges, launch links,
edit and view links, downloads, `site_url`, hence canonical links, the sitemap
and the 404 page's asset paths) is computed here, so the MkDocs hooks, the
scripts in scripts/ and the tests all agree.

Each service gets the URL shape its documentation gives, with the branch and
the file's path percent-encoded (UTF-8) segment by segment: a `/` inside a
branch name stays a `/` (GitHub, Colab and BinderHub split the ref from the
path themselves), while `#`, `?`, `%`, spaces and non-ASCII letters are
encoded, so no branch or file name can cut a URL short.

- GitHub: https://github.com/OWNER/NAME/{blob,tree,edit,raw}/BRANCH/PATH
- Colab: https://colab.research.google.com/github/OWNER/NAME/blob/BRANCH/PATH
- Binder: https://mybinder.org/v2/gh/OWNER/NAME/BRANCH?labpath=PATH
- nbgitpuller: HUB/hub/user-redirect/git-pull?repo=URL&branch=BRANCH&urlpath=APP/FOLDER/PATH
- GitHub Pages: https://OWNER.github.io/NAME/ (https://OWNER.github.io/ for
  OWNER.github.io itself), unless `extra.course.site_url` names the domain.

A notebook's student copy (exercises/NAME.ipynb, scripts/student_copies.py)
gets the same links as any notebook: its badge, and the launch bar's "Open
exercises in Colab" beside "Open with solutions" (`exercise_links`).
"""
from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
MKDOCS_YML = ROOT / "mkdocs.yml"

# GitHub's rules: owner 1-39 characters of letters, digits and single hyphens;
# repository name of letters, digits, '.', '_' and '-', not '.' or '..'.
OWNER_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
# The interfaces an nbgitpuller link can open a notebook in, and the URL path
# prefix each takes (nbgitpuller's documentation, "urlpath").
HUB_INTERFACES = {"lab": "lab/tree", "notebook": "tree"}
LAUNCHER_SWITCHES = ("colab", "binder")


class SettingError(ValueError):
    """A value in mkdocs.yml the course cannot use; the message names the file and key."""


@dataclass(frozen=True)
class Repository:
    """A GitHub repository and branch, as `owner/name` and `branch`."""

    slug: str
    branch: str

    @property
    def owner(self) -> str:
        return self.slug.split("/")[0]

    @property
    def name(self) -> str:
        return self.slug.split("/")[1]

    @property
    def url(self) -> str:
        return f"https://github.com/{self.slug}"

    @property
    def pages_url(self) -> str:
        """Where GitHub Pages publishes the repository's site without a custom domain."""
        owner = self.owner.lower()
        if self.name.lower() == f"{owner}.github.io":
            return f"https://{owner}.github.io/"
        return f"https://{owner}.github.io/{self.name}/"


@dataclass(frozen=True)
class Launchers:
    """Which launch buttons a notebook page offers, and how the JupyterHub one opens."""

    colab: bool = True
    binder: bool = True
    jupyterhub_url: str = ""             # empty: no JupyterHub button
    jupyterhub_interface: str = "lab"    # lab or notebook
    jupyterhub_parent_path: str = ""     # the hub's NBGITPULLER_PARENTPATH, if it sets one


@dataclass(frozen=True)
class Course:
    """Everything mkdocs.yml says about where the course lives and how it launches."""

    repository: Repository
    site_url: str = ""                   # a custom domain's address; empty: GitHub Pages
    launchers: Launchers = field(default_factory=Launchers)

    def site_url_for(self, repository: Repository) -> str:
        """The site's address when `repository` is the one being built.

        The custom domain belongs to the configured repository: a fork built
        before `make fork` re-pointed it publishes on its own GitHub Pages.
        """
        if self.site_url and repository.slug.lower() == self.repository.slug.lower():
            return self.site_url
        return repository.pages_url


# --- Reading and checking the settings -----------------------------------------------------

def invalid_slug_reason(slug: str) -> str | None:
    """Why `slug` is not a GitHub `owner/name`, or None when it is one."""
    parts = slug.split("/")
    if not slug:
        return "it is empty; expected owner/name"
    if len(parts) != 2:
        return f"{slug!r} is not of the form owner/name"
    owner, name = parts
    if not OWNER_RE.match(owner):
        return f"{owner!r} is not a valid GitHub owner name"
    if not NAME_RE.match(name) or name in {".", ".."}:
        return f"{name!r} is not a valid GitHub repository name"
    if name.lower().endswith(".git"):
        return f"{slug!r} ends in .git: that is the clone address, not the repository's name"
    return None


def invalid_branch_reason(branch: str) -> str | None:
    """Why `branch` is not a usable git branch name (git check-ref-format --branch), or None."""
    if not branch:
        return "it is empty"
    components = branch.split("/")
    bad = (
        branch.startswith("-")
        or branch == "@"
        or branch.endswith(".")
        or ".." in branch
        or "@{" in branch
        or re.search(r"[\x00-\x20~^:?*\[\\\x7f]", branch)
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in components)
    )
    return f"{branch!r} is not a valid git branch name" if bad else None


def invalid_site_url_reason(site_url: str) -> str | None:
    """Why `site_url` cannot be the site's address, or None when it can (empty means GitHub Pages)."""
    if not site_url:
        return None
    parts = urlsplit(site_url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
            or "#" in site_url or "?" in site_url or parts.username or parts.password
            or not re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]+)?", parts.netloc)
            or not re.fullmatch(r"(/[A-Za-z0-9._~-]+)*/?", parts.path or "/")):
        return (f"{site_url!r} is not a site address such as https://course.example.org/ "
                "(http or https, a host name, optionally a path; no query or fragment)")
    return None


def normalised_site_url(site_url: str) -> str:
    """`site_url` with the trailing slash MkDocs and GitHub Pages expect."""
    return site_url if not site_url or site_url.endswith("/") else site_url + "/"


def invalid_hub_url_reason(hub_url: str) -> str | None:
    """Why `hub_url` cannot be a JupyterHub's address, or None when it can (empty means none)."""
    if not hub_url:
        return None
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s?#]*)?", hub_url):
        return f"{hub_url!r} is not an http(s) address such as https://hub.example.org"
    return None


def invalid_parent_path_reason(parent_path: str) -> str | None:
    """Why `parent_path` cannot be the hub's NBGITPULLER_PARENTPATH, or None (empty means none)."""
    if not parent_path:
        return None
    parts = parent_path.strip("/").split("/")
    if parent_path.startswith("/") or any(part in ("", ".", "..") for part in parts) \
            or re.search(r"[\x00-\x1f\\]", parent_path):
        return (f"{parent_path!r} is not a folder relative to the user's home folder, "
                "such as courses or work/courses")
    return None


def slug_from_repo_url(repo_url: str) -> str:
    match = re.match(r"^https://github\.com/([^/]+/[^/]+?)/?$", repo_url or "")
    if not match or invalid_slug_reason(match.group(1)):
        raise SettingError(
            f"mkdocs.yml: repo_url {repo_url!r} must look like https://github.com/owner/name"
        )
    return match.group(1)


def _text_setting(course: dict, key: str, where: str, default: str = "") -> str:
    value = course.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise SettingError(f"{where}: extra.course.{key}: {value!r} is not text; "
                           f"write it in quotes, for example {key}: \"{value}\"")
    return value.strip()


def _switch_setting(course: dict, key: str, where: str) -> bool:
    value = course.get(key, True)
    if not isinstance(value, bool):
        raise SettingError(f"{where}: extra.course.{key}: {value!r} is not true or false")
    return value


def course_from_settings(repo_url: str | None, extra: dict | None, where: str = "mkdocs.yml") -> Course:
    """The course described by mkdocs.yml's `repo_url` and `extra` (a loaded config).

    Every value is checked; a bad one raises SettingError naming `where` and the key.
    """
    if not repo_url:
        raise SettingError(f"{where}: needs `repo_url: https://github.com/owner/name`")
    try:
        slug = slug_from_repo_url(str(repo_url))
    except SettingError as error:
        raise SettingError(str(error).replace("mkdocs.yml", where, 1)) from None
    course = (extra or {}).get("course")
    if not isinstance(course, dict) or "branch" not in course:
        raise SettingError(f"{where}: needs `extra.course.branch`, the branch the course is taught from")
    branch = _text_setting(course, "branch", where)
    checks = [
        ("branch", branch, invalid_branch_reason(branch)),
    ]
    site_url = _text_setting(course, "site_url", where)
    hub_url = _text_setting(course, "jupyterhub_url", where)
    interface = _text_setting(course, "jupyterhub_interface", where, "lab") or "lab"
    parent_path = _text_setting(course, "jupyterhub_parent_path", where)
    checks += [
        ("site_url", site_url, invalid_site_url_reason(site_url)),
        ("jupyterhub_url", hub_url, invalid_hub_url_reason(hub_url)),
        ("jupyterhub_interface", interface,
         None if interface in HUB_INTERFACES else
         f"{interface!r} is not one of {', '.join(HUB_INTERFACES)}"),
        ("jupyterhub_parent_path", parent_path, invalid_parent_path_reason(parent_path)),
    ]
    for key, _value, reason in checks:
        if reason:
            raise SettingError(f"{where}: extra.course.{key}: {reason}")
    launchers = Launchers(
        **{key: _switch_setting(course, key, where) for key in LAUNCHER_SWITCHES},
        jupyterhub_url=hub_url,
        jupyterhub_interface=interface,
        jupyterhub_parent_path=parent_path.strip("/"),
    )
    return Course(Repository(slug, branch), normalised_site_url(site_url), launchers)


def read_mkdocs_yml(mkdocs_yml: Path = MKDOCS_YML, text: str | None = None) -> dict:
    """mkdocs.yml as MkDocs reads it (its own YAML loader: tags, !ENV, INHERIT).

    With `text`, reads that text as if it were the file at `mkdocs_yml`.
    """
    import io

    from mkdocs.exceptions import ConfigurationError  # imported here: scripts load this module early
    from mkdocs.utils.yaml import yaml_load

    try:
        if text is None:
            text = Path(mkdocs_yml).read_text(encoding="utf-8")
        stream = io.StringIO(text)
        stream.name = str(mkdocs_yml)  # where INHERIT paths are relative to
        data = yaml_load(stream)
    except (ConfigurationError, OSError, UnicodeDecodeError) as error:
        raise SettingError(f"{mkdocs_yml}: cannot be read: {error}") from None
    if not isinstance(data, dict):
        raise SettingError(f"{mkdocs_yml}: is not a mapping of settings")
    return data


def configured_course(mkdocs_yml: Path = MKDOCS_YML, text: str | None = None) -> Course:
    """The course's settings written in mkdocs.yml (or in `text`, read as that file)."""
    data = read_mkdocs_yml(mkdocs_yml, text)
    return course_from_settings(data.get("repo_url"), data.get("extra"), where=str(mkdocs_yml))


def configured_repository(mkdocs_yml: Path = MKDOCS_YML) -> Repository:
    """The repository and branch written in mkdocs.yml."""
    return configured_course(mkdocs_yml).repository


def _pull_request_head(environ) -> tuple[str, str] | None:
    """(owner/name, branch) of a pull request's head, read from the event payload."""
    try:
        event = json.loads(Path(environ["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
        head = event["pull_request"]["head"]
        return head["repo"]["full_name"], head["ref"]
    except (KeyError, TypeError, OSError, ValueError):
        return None


def repository_being_built(configured: Repository, environ=os.environ) -> Repository:
    """The repository links should name: in GitHub Actions, the one being built.

    On a push (or a manual run) that is GITHUB_REPOSITORY at GITHUB_REF_NAME.
    On a pull request GITHUB_REF_NAME is `NUMBER/merge`, a ref no launch link
    can open, and the head branch may live in another fork: links then name
    the pull request's head repository and branch (from the event payload),
    falling back to GITHUB_REPOSITORY at GITHUB_HEAD_REF.
    """
    if environ.get("GITHUB_ACTIONS") != "true" or not environ.get("GITHUB_REPOSITORY"):
        return configured
    slug, branch = environ["GITHUB_REPOSITORY"], environ.get("GITHUB_REF_NAME") or configured.branch
    if environ.get("GITHUB_HEAD_REF"):  # set only for pull_request and pull_request_target events
        slug, branch = _pull_request_head(environ) or (slug, environ["GITHUB_HEAD_REF"])
    if invalid_slug_reason(slug) or invalid_branch_reason(branch):
        return configured
    return Repository(slug, branch)


def published_site_url(course: Course, environ=os.environ) -> str:
    """Where the site being built is published: the custom domain or GitHub Pages."""
    return course.site_url_for(repository_being_built(course.repository, environ))


def site_page_url(site_url: str, page: str) -> str:
    """The address of `page` (a site path such as chapter-1/colab/) on the site at `site_url`."""
    return normalised_site_url(site_url) + url_path(page)


# --- Encoding -------------------------------------------------------------------------------

def url_path(path: str) -> str:
    """A repository path or branch as URL path segments: each percent-encoded (UTF-8), '/' kept."""
    return quote(path, safe="/")


def file_href(name: str) -> str:
    """A relative link to the file `name` beside the page (a download)."""
    return quote(name, safe="")


# --- GitHub ----------------------------------------------------------------------------------

GITHUB_KINDS = ("blob", "tree", "edit", "raw")


def github_url(repository: Repository, kind: str, path: str = "") -> str:
    """A GitHub page of the repository's branch: kind is blob, tree, edit or raw."""
    if kind not in GITHUB_KINDS:
        raise ValueError(f"unknown GitHub page kind {kind!r}")
    return f"{repository.url}/{kind}/{url_path(repository.branch)}/{url_path(path)}"


def edit_url(repository: Repository, path: str) -> str:
    """Where to edit the file `path` on GitHub (the page's edit button)."""
    return github_url(repository, "edit", path)


def view_url(repository: Repository, path: str) -> str:
    """Where to read the file `path`'s source (the page's view button).

    A notebook opens on GitHub's notebook view (blob), a readable page; any
    other file as its raw text.
    """
    return github_url(repository, "blob" if path.endswith(".ipynb") else "raw", path)


# --- Colab -----------------------------------------------------------------------------------

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
COLAB_GITHUB = "https://colab.research.google.com/github/"


def colab_url(repository: Repository, notebook: str) -> str:
    """Colab's launch URL for `notebook` (a path in the repository, e.g. notebooks/x.ipynb)."""
    return f"{COLAB_GITHUB}{repository.slug}/blob/{url_path(repository.branch)}/{url_path(notebook)}"


def colab_badge_markdown(repository: Repository, notebook: str) -> str:
    """The standard Open-in-Colab badge, the first cell of every notebook."""
    return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(repository, notebook)})"


# Any Colab badge: the image, and the badge Markdown whose link it wraps
# (a percent-encoded URL: no spaces or parentheses).
COLAB_BADGE_IMAGE_RE = re.compile(r"colab\.research\.google\.com/assets/colab-badge\.svg", re.I)
COLAB_BADGE_MARKDOWN_RE = re.compile(
    r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
    r"\((https://colab\.research\.google\.com/github/[^)\s]+)\)"
)
_COLAB_URL_RE = re.compile(r"^https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/(.+)$")


def parse_colab_notebook_url(url: str) -> tuple[str, str, str] | None:
    """(owner/name, branch, path) of a Colab URL for a notebook in notebooks/, decoded; None otherwise."""
    match = _COLAB_URL_RE.match(url)
    if not match or "/notebooks/" not in match.group(2):
        return None
    ref, name = match.group(2).rsplit("/notebooks/", 1)
    return match.group(1), unquote(ref), "notebooks/" + unquote(name)


def is_badge_cell(cell: dict) -> bool:
    """True when a notebook cell (as JSON) is a Markdown cell holding only a Colab badge."""
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    return cell.get("cell_type") == "markdown" and bool(COLAB_BADGE_MARKDOWN_RE.fullmatch(source.strip()))


# --- Binder and JupyterHub --------------------------------------------------------------------

BINDER_BASE = "https://mybinder.org/v2/gh"


def binder_url(repository: Repository, notebook: str) -> str:
    """mybinder.org's launch URL: builds the repository's branch, opens `notebook` in JupyterLab."""
    query = urlencode({"labpath": notebook}, quote_via=quote, safe="")
    return f"{BINDER_BASE}/{repository.slug}/{url_path(repository.branch)}?{query}"


def nbgitpuller_url(hub_url: str, repository: Repository, notebook: str, *,
                    interface: str = "lab", parent_path: str = "") -> str:
    """An nbgitpuller link: the hub clones (or updates) the branch, then opens `notebook`.

    nbgitpuller clones into NBGITPULLER_PARENTPATH/NAME under the user's
    folder (`parent_path`, empty when the hub sets none), and then sends the
    browser to `urlpath`, a URL path: JupyterLab's lab/tree/... or the
    Notebook interface's tree/....
    """
    folder = posixpath.join(parent_path.strip("/"), repository.name, notebook) if parent_path \
        else posixpath.join(repository.name, notebook)
    query = urlencode({
        "repo": repository.url,
        "branch": repository.branch,
        "urlpath": f"{HUB_INTERFACES[interface]}/{url_path(folder)}",
    }, quote_via=quote, safe="")
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def launch_links(launchers: Launchers, repository: Repository, notebook: str) -> dict[str, str]:
    """The launch URLs a notebook page offers, in order: colab, binder, jupyterhub (those switched on)."""
    links = {}
    if launchers.colab:
        links["colab"] = colab_url(repository, notebook)
    if launchers.binder:
        links["binder"] = binder_url(repository, notebook)
    if launchers.jupyterhub_url:
        links["jupyterhub"] = nbgitpuller_url(
            launchers.jupyterhub_url, repository, notebook,
            interface=launchers.jupyterhub_interface, parent_path=launchers.jupyterhub_parent_path)
    return links


# --- Student copies ---------------------------------------------------------------------------

# Each notebook's copy without its solutions (scripts/student_copies.py).
EXERCISES_FOLDER = "exercises"


def student_copy_path(notebook: str) -> str:
    """The repository path of a notebook's student copy: notebooks/x.ipynb -> exercises/x.ipynb."""
    return f"{EXERCISES_FOLDER}/{notebook.rsplit('/', 1)[-1]}"


def exercise_links(launchers: Launchers, repository: Repository, notebook: str) -> dict[str, str]:
    """Colab's two links for a notebook with exercises, when the Colab launcher is on:
    `exercises` opens its student copy (no solutions), `solutions` the notebook itself."""
    if not launchers.colab:
        return {}
    return {"exercises": launch_links(launchers, repository, student_copy_path(notebook))["colab"],
            "solutions": launch_links(launchers, repository, notebook)["colab"]}
