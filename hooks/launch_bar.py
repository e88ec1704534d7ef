"""The launch bar of every notebook page, in place of the notebook's Colab badge.

A notebook's first cell is its Open-in-Colab badge, for readers who open the
.ipynb on GitHub or in Jupyter. On the site that cell is replaced by a bar of
real links: Open in Colab (with a reminder never to upload patient data),
Launch on Binder, Open on your JupyterHub (only when
`extra.course.jupyterhub_url` is set), Download .ipynb and View source on
GitHub. Every URL comes from `extra.course.repository` (hooks/repository.py),
so the bar follows the course's fork and, in GitHub Actions, the repository
and branch being built. Icons are Material's bundled SVGs, inlined: the page
loads nothing from a third-party host.
"""
from __future__ import annotations

import html
import json
import logging
import posixpath
import re
from functools import lru_cache
from pathlib import Path

import material
from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from course_links import (
    binder_url,
    colab_url,
    github_url,
    invalid_hub_url_reason,
    is_badge_cell,
    nbgitpuller_url,
)

log = logging.getLogger("mkdocs.hooks.launch_bar")

ICONS = Path(material.__file__).resolve().parent / "templates" / ".icons"
# The chapter's page on keeping health data out of Colab (the reminder links to it).
CAUTION_PAGE = "chapter-1/colab/health-data-caution.md"


@lru_cache(maxsize=None)
def icon(name: str) -> str:
    """Material's bundled icon `name` (e.g. material/download) as inline, decorative SVG."""
    svg = (ICONS / f"{name}.svg").read_text(encoding="utf-8").strip()
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def _link(href: str, icon_name: str, text: str, modifier: str, extra: str = "") -> str:
    return (f'<a class="launch-bar__link launch-bar__link--{modifier}" href="{html.escape(href)}"{extra}>'
            f'{icon(icon_name)}<span>{html.escape(text)}</span></a>')


def launch_bar_html(*, repository, notebook: str, download_href: str, caution_href: str,
                    hub_url: str = "") -> str:
    """The bar's HTML for `notebook` (its path in the repository, e.g. notebooks/x.ipynb)."""
    more = [
        _link(binder_url(repository, notebook), "material/rocket-launch-outline", "Launch on Binder", "binder"),
    ]
    if hub_url:
        more.append(_link(nbgitpuller_url(hub_url, repository, notebook), "simple/jupyter",
                          "Open on your JupyterHub", "jupyterhub"))
    more += [
        _link(download_href, "material/download", "Download .ipynb", "download",
              f' download="{html.escape(posixpath.basename(notebook))}"'),
        _link(github_url(repository, "blob", notebook), "simple/github", "View source on GitHub", "source"),
    ]
    colab = _link(colab_url(repository, notebook), "simple/googlecolab", "Open in Colab", "colab")
    items = "".join(f"<li>{link}</li>" for link in [colab, *more])
    # Links first (Colab leading), then the reminder: the order of the Tab stops
    # is the order on screen.
    return (
        '<nav class="launch-bar" aria-label="Run this notebook" data-search-exclude>'
        f'<ul class="launch-bar__links">{items}</ul>'
        '<p class="launch-bar__caution">'
        + icon("material/shield-alert-outline")
        + '<span>Synthetic data only: never upload patient data to Colab. '
        f'<a href="{html.escape(caution_href)}">Why health data stays out</a></span></p>'
        '</nav>'
    )


def _cell_span(content: str, cell_id: str) -> tuple[int, int] | None:
    """Start and end offsets of the rendered cell `cell_id` (its whole <div>) in `content`."""
    marker = content.find(f'id="cell-id={cell_id}"')
    if marker < 0:
        return None
    start = content.rfind("<div", 0, marker)
    depth = 0
    for tag in re.finditer(r"<div\b|</div>", content[start:]):
        depth += 1 if tag.group() == "<div" else -1
        if depth == 0:
            return start, start + tag.end()
    return None


def _notebook_path(page) -> str | None:
    """`notebooks/NAME.ipynb` for a notebook page, None for any other page."""
    src = page.file.src_uri
    return src if src.startswith("notebooks/") and src.endswith(".ipynb") else None


def on_config(config):
    course = config.extra.get("course", {})
    reason = invalid_hub_url_reason(str(course.get("jupyterhub_url") or ""))
    if reason:
        raise PluginError(f"mkdocs.yml: extra.course.jupyterhub_url: {reason}")
    return config


def on_page_content(html_content, page, config, files):
    notebook = _notebook_path(page)
    if notebook is None:
        return html_content
    caution = files.get_file_from_path(CAUTION_PAGE)
    if caution is None:
        raise PluginError(f"{notebook}: the launch bar links to docs/{CAUTION_PAGE}, which does not exist")
    nb_url = getattr(page, "nb_url", None)
    if not nb_url:
        raise PluginError(f"{notebook}: no download copy; set `include_source: true` for mkdocs-jupyter")
    course = config.extra["course"]
    bar = launch_bar_html(
        repository=course["repository"],
        notebook=notebook,
        download_href=posixpath.basename(nb_url),  # the copy sits beside the page
        caution_href=get_relative_url(caution.url, page.url),
        hub_url=str(course.get("jupyterhub_url") or ""),
    )
    cells = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8")).get("cells", [])
    span = None
    if cells and is_badge_cell(cells[0]):
        span = _cell_span(html_content, cells[0].get("id", ""))
    if span is None:
        log.warning("%s: cell 0 is not the Open-in-Colab badge (or has no cell id); "
                    "the launch bar is placed at the top of the page instead", notebook)
        return bar + html_content
    start, end = span
    html_content = html_content[:start] + html_content[end:]
    # Outside the notebook's own wrapper, so JupyterLab's styles leave the bar alone.
    wrapper = html_content.find('<div class="jupyter-wrapper">')
    at = wrapper if wrapper >= 0 else start
    title, html_content = _take_title(html_content, at)
    return html_content[:at] + title + bar + html_content[at:]


TITLE = re.compile(r"<h1\b[^>]*>.*?</h1>", re.S)


def _take_title(content: str, after: int) -> tuple[str, str]:
    """The notebook's H1 (its title) and the content without it, so the page
    shows its title first and the launch bar under it, as Material places a
    page's title. No H1: nothing moves."""
    match = TITLE.search(content, after)
    if match is None:
        return "", content
    # Out of the notebook, its permalink takes Material's look (shown on hover and focus).
    title = match.group().replace('class="anchor-link"', 'class="headerlink" title="Permanent link"', 1)
    return title, content[:match.start()] + content[match.end():]
