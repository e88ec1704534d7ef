"""Derive every repository-dependent setting from `repo_url` and the branch.

Sets `site_url` (GitHub Pages of the repository), `edit_uri` (the branch's
docs/ folder) and `extra.course.repository`, which templates and the other
hooks use. In GitHub Actions the repository and branch being built win, so a
fork's own site links to the fork without any edit.
"""
from __future__ import annotations

from course_links import Repository, repository_being_built, slug_from_repo_url

_command = "build"


def on_startup(command, dirty):
    global _command
    _command = command


def on_config(config):
    course = config.extra.setdefault("course", {})
    configured = Repository(slug_from_repo_url(config.repo_url), str(course.get("branch", "main")))
    repository = repository_being_built(configured)
    course["repository"] = repository
    config.repo_url = repository.url
    config.repo_name = repository.slug
    config.edit_uri = f"edit/{repository.branch}/docs/"
    # `mkdocs serve` mounts the site at site_url's path; keep it at / locally.
    if _command != "serve" and not config.site_url:
        config.site_url = repository.pages_url
    return config
