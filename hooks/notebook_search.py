"""Site search sees a notebook page's Markdown and code, not its outputs.

Material's search plugin indexes `page.content` when the page context is
made. Just before it does, this hook hands it a text-only version of each
notebook page (the Markdown and code of every cell, in order, with no
outputs, prompts or copy buttons), and just after, puts the full page back.
`data-search-exclude` cannot do this: Material's parser stops excluding at
the first nested closing tag of the same name, and outputs are nested divs.
"""
from __future__ import annotations

import re

from mkdocs.plugins import CombinedEvent, event_priority

from exercises import SOLUTION_CLASS
from notebook_html import forget, parsed_content

ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>')

_searchable: dict[str, str] = {}        # page -> its Markdown and code, for the search index
_full_content: dict[str, str] = {}      # page -> content, while the search index reads the above


def on_pre_build(config):
    _searchable.clear()
    _full_content.clear()


def on_page_content(content, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        notebook = parsed_content(page, content).select_one(".jupyter-wrapper")
        _searchable[page.file.src_uri] = searchable_text(notebook)
        forget(page)  # the last hook to read the tree
    return content


@event_priority(50)  # before the search plugin indexes page.content
def _show_search_the_text_only(context, page, config, nav):
    if page.file.src_uri in _searchable:
        _full_content[page.file.src_uri] = page.content
        page.content = _searchable.pop(page.file.src_uri)
    return context


@event_priority(-50)  # after the search plugin: the page itself shows everything
def _show_the_page_everything(context, page, config, nav):
    if page.file.src_uri in _full_content:
        page.content = _full_content.pop(page.file.src_uri)
    return context


on_page_context = CombinedEvent(_show_search_the_text_only, _show_the_page_everything)


def searchable_text(notebook) -> str:
    """The notebook's Markdown and code, cell after cell, with no outputs,
    prompts or copy buttons, and no exercise solutions (folded on the page,
    they stay out of search). Flat, so that each heading starts a search
    section holding the Markdown and code below it."""
    parts = []
    for cell in notebook.select(".jp-Notebook-cell[id]"):
        if SOLUTION_CLASS in cell.get("class", []):
            continue
        markdown = cell.select_one(".jp-RenderedMarkdown")
        code = cell.select_one(".highlight-ipynb pre")
        if markdown is not None:
            parts.append(ANCHOR_LINK.sub("", markdown.decode_contents()))
        elif code is not None:
            parts.append(str(code))
    return "\n".join(parts)
