"""Notebook pages: light, private, searchable, described and editable.

mkdocs-jupyter renders each notebook with about 600 KB of JupyterLab CSS
inlined, scripts that load MathJax and Mermaid from CDNs, no description and
an edit link into docs/. This hook, for every notebook page:

- takes the inlined `<style>` blocks out and serves the notebook styles once,
  in the shared assets/stylesheets/notebook.css: the rules of mkdocs-jupyter's
  own CSS whose selectors can match the built notebook pages, the custom
  properties those rules use, then the course's hand-written notebook.css
  (JupyterLab's theme variables mapped to Material's, light and dark);
- removes the scripts that would load code from another site;
- lets the search index see the notebook's Markdown and code, not its outputs;
- describes the page with the first paragraph after the notebook's H1;
- points the edit and view-source links at notebooks/NAME.ipynb.

A notebook page that still asks another site for a resource (an image, a
script, a frame) fails the strict build, naming the notebook and cell.
"""
from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import tinycss2
from bs4 import BeautifulSoup
from mkdocs.plugins import CombinedEvent, event_priority

log = logging.getLogger("mkdocs.hooks.notebook_pages")

STYLESHEET = "assets/stylesheets/notebook.css"
SCOPE = ".jupyter-wrapper"
# Attributes through which a page makes the browser fetch something.
FETCHING = {"img": "src", "script": "src", "iframe": "src", "source": "src", "video": "src",
            "audio": "src", "embed": "src", "object": "data", "link": "href"}
# A quick look for any of them with an absolute URL, before parsing the page.
MAYBE_REMOTE = re.compile(
    r"""\b(?:src|data)\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b(?=[^>]*\brel=["']?(?:stylesheet|preload|modulepreload|icon)\b)(?=[^>]*\bhref=["']?(?:https?:)?//)"""
    r"""|import\(\s*["']https?://""")
ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>')

_inlined_css: dict[str, None] = {}      # mkdocs-jupyter's <style> texts, in order, once each
_used_names: set[str] = set()           # tags, .classes and [attributes] in notebook content
_searchable: dict[str, str] = {}        # page -> its Markdown and code, for the search index
_full_content: dict[str, str] = {}      # page -> content, while the search index reads the above


def on_pre_build(config):
    _inlined_css.clear()
    _used_names.clear()
    _searchable.clear()
    _full_content.clear()


def on_page_content(content, page, config, files):
    if not is_notebook(page):
        return content
    soup = BeautifulSoup(content, "html.parser")
    notebook = soup.select_one(SCOPE)
    for style in soup.find_all("style"):
        if not inside(style, notebook):            # keep styles inside outputs (DataFrames)
            _inlined_css[style.get_text()] = None
            style.decompose()
    for script in soup.find_all("script"):
        if not inside(script, notebook) and loads_code(script):
            script.decompose()
    for copy in notebook.select(".clipboard-copy-txt"):
        copy_the_code_itself(copy)
    for space in notebook.select(".highlight-ipynb span.w"):
        space.unwrap()                             # whitespace tokens need no colour
    _used_names.update(names_used_in(notebook))
    page.meta["description"] = description_of(notebook, page)
    page.edit_url = edit_url_of(page, config)
    _searchable[page.file.src_uri] = searchable_text(notebook)
    return str(soup)


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


def on_post_page(output, page, config):
    if is_notebook(page) and MAYBE_REMOTE.search(output):
        for cell, url in third_party_requests(output, config.site_url):
            log.warning(f"{page.file.src_uri}: {cell} loads {url} from another site; "
                        "keep the file in the repository or drop it")
    return output


def on_post_build(config):
    own = Path(config.docs_dir, STYLESHEET).read_text(encoding="utf-8")
    shared = trimmed_stylesheet(list(_inlined_css), _used_names, own)
    Path(config.site_dir, STYLESHEET).write_text(shared + own, encoding="utf-8")


# --- Pages -------------------------------------------------------------------

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


def names_used_in(element) -> set[str]:
    """Tag names, `.classes` and `[attributes]` of `element` and everything in it."""
    names: set[str] = set()
    for tag in [element, *element.find_all(True)]:
        names.add(tag.name.lower())
        names.update(f"[{attribute.lower()}]" for attribute in tag.attrs)
        names.update(f".{name}" for name in tag.get("class", []))
    return names


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


def searchable_text(notebook) -> str:
    """The notebook's Markdown and code, cell after cell, with no outputs,
    prompts or copy buttons. Flat, so that each heading starts a search
    section holding the Markdown and code below it."""
    parts = []
    for cell in notebook.select(".jp-Notebook-cell[id]"):
        markdown = cell.select_one(".jp-RenderedMarkdown")
        code = cell.select_one(".highlight-ipynb pre")
        if markdown is not None:
            parts.append(ANCHOR_LINK.sub("", markdown.decode_contents()))
        elif code is not None:
            parts.append(str(code))
    return "\n".join(parts)


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


# --- The shared stylesheet ---------------------------------------------------

def trimmed_stylesheet(css_texts: list[str], used: set[str], own_css: str) -> str:
    """The rules of `css_texts` that can match `used` names, scoped to the
    notebook, with only the custom properties they (or `own_css`) refer to."""
    rules = [rule for text in css_texts for rule in kept_rules(parse(text), used)]
    needed = properties_needed(rules, own_css)
    lines = [rule_text(selectors, declarations, needed) for selectors, declarations in rules]
    return "".join(line + "\n" for line in lines if line)


def parse(text: str):
    return tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)


def kept_rules(rules, used: set[str]):
    """(selectors, declarations) of the style rules that can match; `@media`
    blocks become their rules wrapped again; @font-face, @keyframes and the
    rest are dropped (the notebook pages animate nothing and use the site's fonts)."""
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [scoped(s) for s in selector_list(rule.prelude) if can_match(s, used)]
            if selectors:
                yield selectors, declarations_of(rule.content)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            inner = list(kept_rules(parse(tinycss2.serialize(rule.content)), used))
            if inner:
                media = tinycss2.serialize(rule.prelude).strip()
                yield [f"@media {media}"], inner


def selector_list(prelude) -> list[list]:
    """The complex selectors of a selector list, as token lists."""
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        else:
            current.append(token)
    selectors.append(current)
    return [s for s in selectors if tinycss2.serialize(s).strip()]


def can_match(selector, used: set[str]) -> bool:
    """Whether every type, class and attribute the selector requires is used.
    Pseudo-classes (:hover, :not(...)) require nothing."""
    required, after = set(), None
    for token in selector:
        if token.type == "ident" and after == ".":
            required.add(f".{token.value}")
        elif token.type == "ident" and after == ":" and token.lower_value == "root":
            required.add("html")                   # never inside a notebook
        elif token.type == "ident" and after not in (":", "::"):
            required.add(token.lower_value)
        elif token.type == "[] block":
            name = next((t for t in token.content if t.type == "ident"), None)
            if name is not None:
                required.add(f"[{name.lower_value}]")
        if token.type == "literal" and token.value in (".", ":", "::"):
            after = "::" if after == ":" and token.value == ":" else token.value
        else:
            after = None
    return required <= used


def scoped(selector) -> str:
    text = " ".join(tinycss2.serialize(selector).split())
    return text if SCOPE in text else f"{SCOPE} {text}"


def declarations_of(content) -> list:
    return [d for d in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
            if d.type == "declaration"]


def properties_needed(rules, own_css: str) -> set[str]:
    """Custom properties referred to by the kept declarations or by `own_css`,
    following references between custom properties."""
    defined: dict[str, list] = {}
    roots: list = [tinycss2.parse_component_value_list(own_css)]
    for declarations in all_declarations(rules):
        if declarations.name.startswith("--"):
            defined.setdefault(declarations.name, []).append(declarations.value)
        else:
            roots.append(declarations.value)
    needed: set[str] = set()
    pending = [name for tokens in roots for name in variables_in(tokens)]
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(v for value in defined.get(name, []) for v in variables_in(value))
    return needed


def all_declarations(rules):
    for selectors, body in rules:
        if selectors[0].startswith("@media"):
            yield from all_declarations(body)
        else:
            yield from body


def variables_in(tokens):
    """Names used in var(--name) anywhere in `tokens`."""
    for token in tokens:
        if token.type == "function" and token.lower_name == "var":
            name = next((t for t in token.arguments if t.type == "ident"), None)
            if name is not None:
                yield name.value
        if token.type in ("function", "() block", "[] block", "{} block"):
            yield from variables_in(token.arguments if token.type == "function" else token.content)


def rule_text(selectors, body, needed: set[str]) -> str:
    if selectors[0].startswith("@media"):
        inner = "".join(rule_text(s, d, needed) for s, d in body)
        return f"{selectors[0]}{{{inner}}}" if inner else ""
    kept = [d for d in body if not d.name.startswith("--") or d.name in needed]
    if not kept:
        return ""
    text = ";".join(
        f"{d.name}:{tinycss2.serialize(d.value).strip()}{'!important' if d.important else ''}"
        for d in kept
    )
    return f"{','.join(selectors)}{{{text}}}"
