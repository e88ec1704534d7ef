"""The suggested path of a section's index page, made from the nav: no list to keep up by hand.

A section's index page (e.g. docs/chapter-1/colab/index.md) writes the line

    <!-- suggested-path -->

where the table goes. At build time this hook replaces it with a table of
the section's pages and notebooks, as mkdocs.yml's nav lists them:

- the section's pages in nav order (the index page itself left out);
- after each page, the section's notebooks that this page links to and no
  earlier page did ("open each notebook when the pages point to it"), in nav
  order;
- last, the notebooks no page links to, in nav order (a notebook just made by
  `make new-notebook` appears there until a page links to it).

Titles come from the files: a page's `title` in its front matter or its first
`# ` heading, a notebook's first `# ` heading (a title given in the nav wins).
A marker on a page that is not a section's index, or in a section without
notebooks, fails the build naming the page.
"""
from __future__ import annotations

import posixpath
import re

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.utils import get_markdown_title
from mkdocs.utils.meta import get_data

from course_links import url_path

MARKER = re.compile(r"^<!--\s*suggested-path\s*-->[ \t]*$", re.M)
LINK = re.compile(r"\]\(\s*<?([^)\s>#]+)")
HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def nav_pages(section) -> list:
    """Every page under a nav section, depth first, in nav order."""
    found = []
    for child in section.children or []:
        if child.is_page:
            found.append(child)
        elif child.is_section:
            found.extend(nav_pages(child))
    return found


def is_notebook(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def title_of(page) -> str:
    explicit = vars(page).get("title")         # a title written in the nav
    if explicit:
        return explicit
    text = page.file.content_string
    if is_notebook(page):
        for cell in nbformat.reads(text, as_version=4).cells:
            if cell.cell_type == "markdown" and (match := HEADING.search(cell.source)):
                return match.group(1)
    else:
        markdown, meta = get_data(text)
        title = meta.get("title") or get_markdown_title(markdown)
        if title:
            return title
    return page.file.name.replace("-", " ").capitalize()


def linked_sources(page) -> set[str]:
    """The docs-relative paths a Markdown page links to."""
    if is_notebook(page):
        return set()
    folder = posixpath.dirname(page.file.src_uri)
    return {posixpath.normpath(posixpath.join(folder, target)) for target in LINK.findall(page.file.content_string)
            if "://" not in target and not target.startswith(("/", "mailto:"))}


def path_steps(index_page) -> list:
    """(kind, page) for every step of the suggested path of `index_page`'s section."""
    section = index_page.parent
    if section is None or section.children[0] is not index_page:
        raise PluginError(f"{index_page.file.src_uri}: the suggested-path marker belongs on a section's index "
                          "page (the first page of a nav section)")
    everything = [p for p in nav_pages(section) if p is not index_page]
    notebooks = [p for p in everything if is_notebook(p)]
    if not notebooks:
        raise PluginError(f"{index_page.file.src_uri}: the suggested-path marker is in a nav section without notebooks")
    steps, placed = [], set()
    for page in (p for p in everything if not is_notebook(p)):
        steps.append(("Page", page))
        links = linked_sources(page)
        for notebook in notebooks:
            if notebook.file.src_uri in links and notebook.file.src_uri not in placed:
                steps.append(("Notebook", notebook))
                placed.add(notebook.file.src_uri)
    steps.extend(("Notebook", n) for n in notebooks if n.file.src_uri not in placed)
    return steps


def path_table(index_page) -> str:
    folder = posixpath.dirname(index_page.file.src_uri) or "."
    rows = ["| Step | What |", "|---|---|"]
    for number, (kind, page) in enumerate(path_steps(index_page), 1):
        link = url_path(posixpath.relpath(page.file.src_uri, folder))  # a space or '#' in a name stays in the link
        title = title_of(page).replace("|", "\\|").replace("]", "\\]")
        rows.append(f"| {number} | {kind}: [{title}]({link}) |")
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    if not MARKER.search(markdown):
        return markdown
    return MARKER.sub(lambda _: path_table(page), markdown, count=1)
