"""The course's repository setting and every link derived from it.

The course's GitHub repository and branch are written once, in mkdocs.yml
(`repo_url` and `extra.course.branch`). Everything that names them (badges,
launch links, edit links, `site_url`) is computed here, so the MkDocs hooks,
the scripts in scripts/ and the tests all agree.
"""
from __future__ import annotations

import json
import os
import re
from urllib.parse import quote, urlencode
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS_YML = ROOT / "mkdocs.yml"

# GitHub's rules: owner 1-39 characters of letters, digits and single hyphens;
# repository name of letters, digits, '.', '_' and '-', not '.' or '..'.
OWNER_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
REPO_URL_LINE = re.compile(r"^repo_url:\s*(\S+)\s*$", re.M)
BRANCH_LINE = re.compile(r"^(\s+)branch:\s*(\S+)\s*$", re.M)


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
        """Where GitHub Pages publishes the repository's site."""
        owner = self.owner.lower()
        if self.name.lower() == f"{owner}.github.io":
            return f"https://{owner}.github.io/"
        return f"https://{owner}.github.io/{self.name}/"


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
    """Why `branch` is not a usable git branch name, or None when it is one."""
    if not branch:
        return "it is empty"
    bad = (
        branch.startswith(("-", "/", "."))
        or branch.endswith(("/", ".", ".lock"))
        or ".." in branch
        or "//" in branch
        or "@{" in branch
        or re.search(r"[\x00-\x20~^:?*\[\\\x7f]", branch)
    )
    return f"{branch!r} is not a valid git branch name" if bad else None


def slug_from_repo_url(repo_url: str) -> str:
    match = re.match(r"^https://github\.com/([^/]+/[^/]+?)/?$", repo_url or "")
    if not match:
        raise ValueError(
            f"mkdocs.yml: repo_url {repo_url!r} must look like https://github.com/owner/name"
        )
    return match.group(1)


def configured_repository(mkdocs_yml: Path = MKDOCS_YML) -> Repository:
    """The repository and branch written in mkdocs.yml."""
    text = mkdocs_yml.read_text(encoding="utf-8")
    url = REPO_URL_LINE.search(text)
    branch = BRANCH_LINE.search(text)
    if not url or not branch:
        raise ValueError(f"{mkdocs_yml}: needs a `repo_url:` line and an `extra.course.branch:` line")
    return Repository(slug_from_repo_url(url.group(1)), branch.group(2).strip("'\""))


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


COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def colab_url(repository: Repository, notebook: str) -> str:
    """Colab's launch URL for `notebook` (a path in the repository, e.g. notebooks/x.ipynb)."""
    return f"https://colab.research.google.com/github/{repository.slug}/blob/{repository.branch}/{notebook}"


def colab_badge_markdown(repository: Repository, notebook: str) -> str:
    """The standard Open-in-Colab badge, the first cell of every notebook."""
    return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(repository, notebook)})"


# Any Colab badge: the image, and the badge Markdown whose link it wraps.
COLAB_BADGE_IMAGE_RE = re.compile(r"colab\.research\.google\.com/assets/colab-badge\.svg", re.I)
COLAB_BADGE_MARKDOWN_RE = re.compile(
    r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
    r"\((https://colab\.research\.google\.com/github/[^)\s]+)\)"
)
BINDER_BASE = "https://mybinder.org/v2/gh"


def is_badge_cell(cell: dict) -> bool:
    """True when a notebook cell (as JSON) is a Markdown cell holding only a Colab badge."""
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    return cell.get("cell_type") == "markdown" and bool(COLAB_BADGE_MARKDOWN_RE.fullmatch(source.strip()))


def github_url(repository: Repository, kind: str, path: str = "") -> str:
    """A GitHub page of the repository's branch: kind is blob, tree, edit or raw."""
    return f"{repository.url}/{kind}/{repository.branch}/{path}"


def binder_url(repository: Repository, notebook: str) -> str:
    """mybinder.org's launch URL: builds the repository's branch, opens `notebook` in JupyterLab."""
    return (f"{BINDER_BASE}/{repository.owner}/{repository.name}/{quote(repository.branch, safe='')}"
            f"?{urlencode({'labpath': notebook})}")


def nbgitpuller_url(hub_url: str, repository: Repository, notebook: str) -> str:
    """An nbgitpuller link: the hub clones (or updates) the branch, then opens `notebook`.

    nbgitpuller clones into a folder named after the repository, so the
    notebook opens at REPO/notebook in JupyterLab.
    """
    query = urlencode({
        "repo": repository.url,
        "branch": repository.branch,
        "urlpath": f"lab/tree/{repository.name}/{notebook}",
    })
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def invalid_hub_url_reason(hub_url: str) -> str | None:
    """Why `hub_url` cannot be a JupyterHub's address, or None when it can (empty means none)."""
    if not hub_url:
        return None
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s?#]*)?", hub_url):
        return f"{hub_url!r} is not an http(s) address such as https://hub.example.org"
    return None


# Student copies: each notebook's copy without its solutions (scripts/student_copies.py).
EXERCISES_FOLDER = "exercises"


def student_copy_path(notebook: str) -> str:
    """The repository path of a notebook's student copy: notebooks/x.ipynb -> exercises/x.ipynb."""
    return f"{EXERCISES_FOLDER}/{notebook.rsplit('/', 1)[-1]}"
