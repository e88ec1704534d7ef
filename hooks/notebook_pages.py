"""Notebook pages: private, described and editable.

mkdocs-jupyter renders each notebook with scripts that load MathJax and
Mermaid from CDNs, a hidden second copy of each cell's code for its copy
button, no description and an edit link into docs/. This hook, for every
notebook page:

- removes the scripts that would load code from another site;
- points each copy button at the highlighted code and drops the hidden copy;
- describes the page with the first paragraph after the notebook's H1;
- points the edit and view-source links at notebooks/NAME.ipynb;
- turns the notebook's objectives, data note and key points (Markdown quotes
  opening with their bold label, rule `notebook-boxes` of the rule book) into
  the chapter pages' boxes;
- drops what only the notebook tools need: In/Out prompts, cell-tag boxes
  (such as nbval-ignore-output) and the Tab stop nbconvert puts on every cell
  and output (assets/javascripts/course.js makes a box that scrolls a Tab
  stop while it scrolls).

A notebook page that still asks another site for a resource (an image, a
script, a frame) fails the strict build, naming the notebook and cell.
Styles: hooks/notebook_styles.py; search: hooks/notebook_search.py.
"""
from __future__ import annotations

import html
import logging
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from notebook_html import parsed_content, serialised

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))  # the rule book's folder
from notebook_rules import NOTEBOOK_BOXES, box_label  # noqa: E402

log = logging.getLogger("mkdocs.hooks.notebook_pages")

SCOPE = ".jupyter-wrapper"
# Attributes through which a page makes the browser fetch something.
FETCHING = {"img": "src", "script": "src", "iframe": "src", "source": "src", "video": "src",
            "audio": "src", "embed": "src", "object": "data", "link": "href"}
# A quick look for any of them with an absolute URL, before parsing the page.
MAYBE_REMOTE = re.compile(
    r"""\b(?:src|data)\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b(?=[^>]*\brel=["']?(?:stylesheet|preload|modulepreload|icon)\b)(?=[^>]*\bhref=["']?(?:https?:)?//)"""
    r"""|import\(\s*["']https?://""")


def on_page_content(content, page, config, files):
    if not is_notebook(page):
        return content
    soup = parsed_content(page, content)
    notebook = soup.select_one(SCOPE)
    for script in soup.find_all("script"):
        if not inside(script, notebook) and loads_code(script):
            script.decompose()
    for copy in notebook.select(".clipboard-copy-txt"):
        copy_the_code_itself(copy)
    for space in notebook.select(".highlight-ipynb span.w"):
        space.unwrap()                             # whitespace tokens need no colour
    page.meta["description"] = description_of(notebook, page)
    page.edit_url = edit_url_of(page, config)
    course_boxes(soup, notebook)
    drop_tool_leftovers(notebook)
    return serialised(page, soup)


def on_post_page(output, page, config):
    if is_notebook(page) and MAYBE_REMOTE.search(output):
        for cell, url in third_party_requests(output, config.site_url):
            log.warning(f"{page.file.src_uri}: {cell} loads {url} from another site; "
                        "keep the file in the repository or drop it")
    return output


# --- Helpers -------------------------------------------------------------------

def is_notebook(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def inside(element, container) -> bool:
    return any(parent is container for parent in element.parents)


def loads_code(script) -> bool:
    """Whether a script mkdocs-jupyter adds is a loader (MathJax, Mermaid from a CDN)."""
    return (script.has_attr("src") or script.get("type") == "text/x-mathjax-config"
            or re.search(r"""import\(\s*["']https?://""", script.get_text()) is not None)


def copy_the_code_itself(copy) -> None:
    """Point the copy button at the highlighted code and drop the hidden second
    copy of the cell's source mkdocs-jupyter keeps for it."""
    code = copy.parent.select_one(".highlight-ipynb pre")
    if code is not None and not code.has_attr("id"):
        code["id"] = copy["id"]
        copy.decompose()


def description_of(notebook, page) -> str:
    """The first paragraph after the notebook's H1, as plain text."""
    heading = notebook.find("h1")
    paragraph = heading.find_next("p") if heading else None
    text = " ".join(paragraph.get_text().split()) if paragraph else ""
    if not text:
        log.warning(f"{page.file.src_uri}: the page needs a paragraph after its '# Title'; "
                    "it becomes the page's meta description")
    return html.escape(text)  # the theme writes it into content="..." unescaped


def edit_url_of(page, config) -> str:
    """The notebook's edit URL in the repository (notebooks/NAME.ipynb, not docs/)."""
    repository = config.extra["course"]["repository"]
    root = Path(config.config_file_path).resolve().parent
    path = Path(page.file.abs_src_path).resolve().relative_to(root).as_posix()
    return f"{repository.url}/edit/{repository.branch}/{path}"


def course_boxes(soup, notebook) -> None:
    """Each course box (a quote opening with **Learning objectives**, **Synthetic
    data only** or **Key points**) as the chapter pages' admonition of its kind."""
    for quote in notebook.select(".jp-RenderedMarkdown blockquote"):
        label = box_label(quote)
        if label is None:
            continue
        quote.find("p").decompose()
        title = soup.new_tag("p", attrs={"class": "admonition-title"})
        title.string = label
        quote.insert(0, title)
        quote.name = "div"
        quote["class"] = ["admonition", NOTEBOOK_BOXES[label]]


def drop_tool_leftovers(notebook) -> None:
    """In/Out prompts, cell-tag boxes and the Tab stops nbconvert gives every cell."""
    for leftover in notebook.select(".jp-InputPrompt, .jp-OutputPrompt, .celltoolbar"):
        leftover.decompose()
    for cell in notebook.select(".jp-Cell-inputWrapper[tabindex], .jp-OutputArea-output[tabindex]"):
        del cell["tabindex"]


def third_party_requests(output: str, site_url: str | None):
    """(cell, URL) for each resource the page fetches from another site."""
    own_host = urlsplit(site_url or "").netloc
    soup = BeautifulSoup(output, "html.parser")
    for tag, attribute in FETCHING.items():
        for element in soup.find_all(tag):
            url = element.get(attribute) or ""
            if tag == "link" and not {"stylesheet", "preload", "modulepreload", "icon"} & set(element.get("rel", [])):
                continue
            host = urlsplit(url).netloc if url.startswith(("http:", "https:", "//")) else ""
            if host and host != own_host:
                yield cell_of(element), url
    for script in soup.find_all("script"):
        for url in re.findall(r"""import\(\s*["'](https?://[^"']+)""", script.get_text()):
            yield "a script", url


def cell_of(element) -> str:
    """'cell N' (counting from 1) for an element inside a notebook cell."""
    cell = element.find_parent(class_="jp-Notebook-cell", id=True)
    if cell is None:
        return "the page"
    cells = cell.find_parent(class_="jp-Notebook").find_all(class_="jp-Notebook-cell", id=True)
    number = next(n for n, other in enumerate(cells, 1) if other is cell)
    return f"cell {number} ({cell['id'].removeprefix('cell-id=')})"
