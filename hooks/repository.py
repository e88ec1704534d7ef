"""Derive every repository-dependent setting from mkdocs.yml's course settings.

Reads `repo_url` and `extra.course` (branch, site_url, launchers) through
course_links, refusing a bad value with a message naming the key, and sets:

- `site_url`: the custom domain (`extra.course.site_url`) or the repository's
  GitHub Pages address, so canonical links, the sitemap and the 404 page's
  asset paths follow it;
- `edit_uri`, and on every page `page.edit_url` and `page.view_url`, the
  page's source on GitHub (a notebook's is notebooks/NAME.ipynb, viewed on
  GitHub's notebook view); overrides/partials/actions.html shows them;
- `extra.course.repository` and `extra.course.launchers`, which templates and
  the other hooks use.

In GitHub Actions the repository and branch being built win, so a fork's own
site links to the fork without any edit (and is published on its own GitHub
Pages, not on the custom domain of the course it was forked from).
"""
from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from course_links import (
    SettingError,
    course_from_settings,
    edit_url,
    repository_being_built,
    url_path,
    view_url,
)

_command = "build"


def on_startup(command, dirty):
    global _command
    _command = command


def on_config(config):
    where = Path(config.config_file_path or "mkdocs.yml").name
    try:
        settings = course_from_settings(config.repo_url, config.extra, where=where)
    except SettingError as error:
        raise PluginError(str(error)) from None
    repository = repository_being_built(settings.repository)
    course = config.extra["course"]
    course["settings"] = settings
    course["repository"] = repository
    course["launchers"] = settings.launchers
    config.repo_url = repository.url
    config.repo_name = repository.slug
    config.edit_uri = f"edit/{url_path(repository.branch)}/docs/"
    # `mkdocs serve` sets site_url to its own address before this hook runs.
    if _command != "serve":
        if config.site_url:
            raise PluginError(f"{where}: site_url is derived from repo_url; for a custom domain "
                              "set extra.course.site_url instead, and remove site_url")
        config.site_url = settings.site_url_for(repository)
    return config


@event_priority(-100)  # after every hook that renders the page
def on_page_context(context, page, config, nav):
    """The page's edit and view links, from the file it was built from."""
    repository = config.extra["course"]["repository"]
    path = source_path(page, config)
    if path is None:
        page.edit_url = page.view_url = None
    else:
        page.edit_url = edit_url(repository, path)
        page.view_url = view_url(repository, path)
    return context


def source_path(page, config) -> str | None:
    """The page's source file as a path in the repository (docs/x.md, notebooks/x.ipynb)."""
    if not page.file.abs_src_path:
        return None
    root = Path(config.config_file_path).resolve().parent
    try:
        return Path(page.file.abs_src_path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None
