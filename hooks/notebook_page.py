"""The notebook page step: every change the site makes to a notebook's page, in one pass.

mkdocs-jupyter renders each notebook in notebooks/ with scripts that load
MathJax and Mermaid from CDNs, 600 KB of inlined JupyterLab CSS, a hidden
second copy of each cell's code for its copy button, the notebook's Colab
badge as its first cell, nbconvert's placeholder alt text on every figure, no
description and an edit link into docs/. For each notebook page this hook
parses the content once (selectolax's Lexbor HTML5 parser), then on that tree:

- replaces the badge cell by the launch bar (overrides/partials/launch-bar.html,
  rendered with the theme's Jinja environment; URLs from course_links.py),
  under the notebook's title, which moves out of the notebook to head the page
  as on every other page;
- turns the objectives, data note and key points (Markdown quotes opening
  with their bold label, rule `notebook-boxes`) into the chapter pages' boxes;
- drops what only the notebook tools need: In/Out prompts, collapsers, cell-tag boxes
  (such as nbval-ignore-output) and the Tab stop nbconvert gives every cell
  and output (assets/javascripts/course.js makes a box a Tab stop while it
  scrolls);
- gives every figure the alt text its notebook stores (rule `figure-alt-text`);
- makes the notebook's links to the course site's own pages (absolute, rule
  `absolute-links`, so that they work in Colab) relative, so that they stay on
  the copy of the site being read (a preview, a fork's site) and the internal
  link check follows them to their anchors; a link to a page the site does not
  have is a warning naming notebook and cell;
- removes the scripts that would load code from another site;
- points each copy button at the highlighted code and drops the hidden copy
  and the button's inline icon (notebook.css draws it once for all);
- takes JupyterLab's `<style>` blocks out (see notebook_stylesheet.py);
- describes the page with the first paragraph after the notebook's H1 (its
  edit and view links, notebooks/NAME.ipynb, are set by hooks/repository.py);
- keeps a text-only version (Markdown and code, no outputs, no exercise
  solutions) for site search;
- folds each exercise solution under "Show solution" (hooks/exercises.py);

and serialises it once. The rule book's notebook rules that shape the page
(`colab-badge`, `figure-alt-text`, `notebook-boxes`) and a resource loaded
from another site are warnings naming notebook and cell, so
`mkdocs build --strict` fails on them.

State, all of it explicit: each page carries its own search text between two
events; one `NotebookPages` per build holds the course's settings and the
launch bar's template and collects what the shared stylesheet needs, written
after the build.
"""
from __future__ import annotations

import html
import logging
import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.utils import get_relative_url
from selectolax.lexbor import LexborHTMLParser

from course_links import (
    Launchers,
    exercise_links,
    file_href,
    github_url,
    is_badge_cell,
    launch_links,
)
from exercises import TASK, exercise_roles, fold_solutions, is_solution_node
from notebook_stylesheet import SCOPE, STYLESHEET, names_used_in, trimmed_stylesheet
from third_party import LOADING_ATTRIBUTES, SCRIPT_IMPORT, is_remote, loaded_urls

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))  # the rule book's folder
from notebook_rules import (  # noqa: E402
    BOX_LABEL, NOTEBOOK_BOXES, Course, Notebook, box_label_of, check_notebooks, figure_alt_texts,
)

log = logging.getLogger("mkdocs.hooks.notebook_page")

# The chapter's page on keeping health data out of Colab (the launch bar links to it).
CAUTION_PAGE = "chapter-1/colab/health-data-caution.md"
LAUNCH_BAR = "partials/launch-bar.html"
# The rule book's rules whose problems show on the page itself.
PAGE_RULES = ("colab-badge", "figure-alt-text", "notebook-boxes")
FIGURES = ", ".join(f'img[src^="data:{kind}"]' for kind in ("image/png", "image/jpeg", "image/svg+xml"))
# Elements that can make the browser fetch something (third_party.py says which attribute).
LOADING_ELEMENTS = ", ".join([*LOADING_ATTRIBUTES, "link", "[style]"])
ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)


class NotebookPages:
    """What one build's notebook pages share: the course the rule book checks them
    against, the launch bar's template (from the theme's environment) and what
    the shared stylesheet needs."""

    def __init__(self, config):
        self.course = Course(Path(config.config_file_path).resolve().parent)
        self.launch_bar = config.theme.get_env().get_template(LAUNCH_BAR)
        self.inlined_css: dict[str, None] = {}   # mkdocs-jupyter's <style> texts, in order, once each
        self.used_names: set[str] = set()        # tags, .classes and [attributes] in notebook content

    def write_stylesheet(self, config) -> None:
        own = Path(config.docs_dir, STYLESHEET).read_text(encoding="utf-8")
        shared = trimmed_stylesheet(list(self.inlined_css), self.used_names, own)
        Path(config.site_dir, STYLESHEET).write_text(shared + own, encoding="utf-8")


_build: NotebookPages | None = None               # made anew by each build's on_pre_build


def on_pre_build(config):
    global _build
    _build = NotebookPages(config)


def on_page_content(content, page, config, files):
    path = notebook_path(page)
    if path is None:
        return content
    notebook = Notebook.read(Path(page.file.abs_src_path), path, _build.course)
    for problem in check_notebooks([notebook], PAGE_RULES):
        log.warning(str(problem))
    tree = LexborHTMLParser(content, is_fragment=True)
    wrapper = tree.css_first(SCOPE)
    if wrapper is None:
        raise PluginError(f"{path}: mkdocs-jupyter's page has no {SCOPE}")

    for style in tree.css("style"):
        if not inside(style, wrapper):
            _build.inlined_css[style.text()] = None
            style.decompose()
    for script in tree.css("script"):
        if not inside(script, wrapper) and loads_code(script):
            script.decompose()
    for copy in wrapper.css(".clipboard-copy-txt"):
        copy_the_code_itself(copy)
    for icon in wrapper.css("clipboard-copy svg.clipboard-copy-icon"):
        icon.decompose()                           # notebook.css draws the icon once for every button
    for space in wrapper.css(".highlight-ipynb span.w"):
        space.unwrap()                             # whitespace tokens need no colour
    page.notebook_search_text = searchable_text(wrapper)
    page.meta["description"] = description_of(wrapper, page)
    give_figures_their_alt_text(wrapper, notebook)
    link_own_pages_within_this_site(wrapper, notebook, page, files)
    make_course_boxes(wrapper)
    drop_tool_leftovers(wrapper)
    place_launch_bar(tree, wrapper, notebook, page, config, files)
    warn_about_remote_loads(tree, notebook, config.site_url)
    fold_solutions(wrapper)

    _build.used_names.update(names_used_in(wrapper))
    return tree.html


@event_priority(50)  # before the search plugin indexes page.content
def _show_search_the_text_only(context, page, config, nav):
    searchable = getattr(page, "notebook_search_text", None)
    if searchable is not None:
        page.notebook_full_content, page.content = page.content, searchable
    return context


@event_priority(-50)  # after the search plugin: the page itself shows everything
def _show_the_page_everything(context, page, config, nav):
    full = getattr(page, "notebook_full_content", None)
    if full is not None:
        page.content = full
        del page.notebook_full_content, page.notebook_search_text
    return context


on_page_context = CombinedEvent(_show_search_the_text_only, _show_the_page_everything)


def on_post_build(config):
    _build.write_stylesheet(config)


# --- The changes ------------------------------------------------------------------------------

def notebook_path(page) -> str | None:
    """`notebooks/NAME.ipynb` for a notebook page, None for any other page."""
    src = page.file.src_uri
    return src if src.startswith("notebooks/") and src.endswith(".ipynb") else None


def inside(element, container) -> bool:
    node = element.parent
    while node is not None:
        if node.mem_id == container.mem_id:
            return True
        node = node.parent
    return False


def loads_code(script) -> bool:
    """Whether a script mkdocs-jupyter adds is a loader (MathJax, Mermaid from a CDN)."""
    return ("src" in script.attributes or script.attributes.get("type") == "text/x-mathjax-config"
            or SCRIPT_IMPORT.search(script.text()) is not None)


def copy_the_code_itself(copy) -> None:
    """Point the copy button at the highlighted code and drop the hidden second
    copy of the cell's source mkdocs-jupyter keeps for it."""
    code = copy.parent.css_first(".highlight-ipynb pre")
    if code is not None and "id" not in code.attributes:
        code.attrs["id"] = copy.attributes["id"]
        copy.decompose()


def searchable_text(wrapper) -> str:
    """The notebook's Markdown and code, cell after cell, with no outputs,
    prompts or copy buttons, and no exercise solutions (folded on the page,
    they stay out of search). Flat, so that each heading starts a search
    section holding the Markdown and code below it."""
    parts = []
    for cell in wrapper.css(".jp-Notebook-cell[id]"):
        if is_solution_node(cell):
            continue
        markdown = cell.css_first(".jp-RenderedMarkdown")
        code = cell.css_first(".highlight-ipynb pre")
        if markdown is not None:
            parts.append(ANCHOR_LINK.sub("", markdown.inner_html or ""))
        elif code is not None:
            parts.append(code.html)
    return "\n".join(parts)


def give_figures_their_alt_text(wrapper, notebook: Notebook) -> None:
    """nbconvert writes a placeholder alt on every figure; the notebook stores the real one
    (a figure without one is the rule book's `figure-alt-text` problem)."""
    figures = figure_alt_texts(notebook.node)
    images = wrapper.css(FIGURES)
    if len(images) != len(figures):
        log.warning("%s: %d figure outputs in the notebook but %d images on the page",
                    notebook.path, len(figures), len(images))
        return
    for (_, alt), image in zip(figures, images):
        if alt is not None:
            image.attrs["alt"] = alt


def link_own_pages_within_this_site(wrapper, notebook: Notebook, page, files) -> None:
    """Each link to a page or file of the course site, made relative to this page."""
    site = _build.course.site_url
    known = {address for file in files for address in (file.url, file.dest_uri)}
    for link in wrapper.css("a[href]"):
        href = link.attributes.get("href") or ""
        if not href.startswith(site):
            continue
        target = urlsplit(href[len(site):])
        if target.path not in known:
            log.warning(f"{notebook.path}: {cell_of(link, notebook)}: the link {href} leads to no page of "
                        f"the course site; link to a page the site has ({site}PAGE/)")
            continue
        relative = get_relative_url(target.path, page.url)
        if (target.path.endswith("/") or not target.path) and not relative.endswith("/"):
            relative += "/"
        link.attrs["href"] = relative + (f"#{target.fragment}" if target.fragment else "")


def make_course_boxes(wrapper) -> None:
    """Each course box (a quote opening with **Learning objectives**, **Synthetic
    data only** or **Key points**) as the chapter pages' admonition of its kind."""
    for quote in wrapper.css(".jp-RenderedMarkdown blockquote"):
        inner = quote.inner_html or ""
        label = box_label_of(inner)
        if label is None:
            continue
        body = BOX_LABEL.sub("", inner, count=1)
        box = (f'<div class="admonition {NOTEBOOK_BOXES[label]}">'
               f'<p class="admonition-title">{html.escape(label)}</p>{body}</div>')
        quote.replace_with(LexborHTMLParser(box, is_fragment=True).root)


def drop_tool_leftovers(wrapper) -> None:
    """In/Out prompts, collapsers, cell-tag boxes and the Tab stops nbconvert gives every cell."""
    for leftover in wrapper.css(".jp-InputPrompt, .jp-OutputPrompt, .jp-Collapser, .celltoolbar"):
        leftover.decompose()
    for cell in wrapper.css(".jp-Cell-inputWrapper[tabindex], .jp-OutputArea-output[tabindex]"):
        del cell.attrs["tabindex"]


def place_launch_bar(tree, wrapper, notebook: Notebook, page, config, files) -> None:
    """The launch bar in place of the badge cell, outside the notebook's own
    wrapper so JupyterLab's styles leave it alone, under the notebook's title."""
    exercises = any(TASK in exercise_roles(cell) for cell in notebook.cells)
    bar = LexborHTMLParser(launch_bar_html(config, notebook.path, page, files, exercises),
                           is_fragment=True).root
    cells = notebook.cells
    badge = None
    if cells and is_badge_cell(cells[0]) and cells[0].get("id"):
        badge = wrapper.css_first(f'.jp-Notebook-cell[id="cell-id={cells[0].id}"]')
    if badge is None:                              # the colab-badge rule has said why
        tree.root.insert_before(bar)
        return
    badge.decompose()
    title_first(wrapper)
    wrapper.insert_before(bar)


def title_first(wrapper) -> None:
    """The notebook's H1 out of the notebook, ahead of it (and of the launch bar),
    as Material places a page's title. There its permalink takes Material's look
    (shown on hover and focus). No H1: nothing moves."""
    title = wrapper.css_first("h1")
    if title is None:
        return
    permalink = title.css_first("a.anchor-link")
    if permalink is not None:
        permalink.attrs["class"] = "headerlink"
        permalink.attrs["title"] = "Permanent link"
    wrapper.insert_before(title)                   # selectolax inserts a copy ...
    title.decompose()                              # ... so the original goes


def launch_bar_html(config, notebook: str, page, files, exercises: bool = False) -> str:
    """The launch bar of `notebook` (notebooks/NAME.ipynb) on `page`; `exercises`: it has some."""
    caution = files.get_file_from_path(CAUTION_PAGE)
    if caution is None:
        raise PluginError(f"{notebook}: the launch bar links to docs/{CAUTION_PAGE}, which does not exist")
    nb_url = getattr(page, "nb_url", None)
    if not nb_url:
        raise PluginError(f"{notebook}: no download copy; set `include_source: true` for mkdocs-jupyter")
    return render_launch_bar(
        _build.launch_bar,
        repository=config.extra["course"]["repository"],
        notebook=notebook,
        download_href=file_href(posixpath.basename(nb_url)),  # the copy sits beside the page
        caution_href=get_relative_url(caution.url, page.url),
        launchers=config.extra["course"]["launchers"],
        exercises=exercises,
    )


def launch_buttons(repository, notebook: str, download_href: str,
                   launchers: Launchers = Launchers()) -> list[dict]:
    """The bar's buttons after Colab, as data: Binder and the JupyterHub (each when
    switched on), the download and the source on GitHub."""
    links = launch_links(launchers, repository, notebook)
    buttons = []
    if "binder" in links:
        buttons.append(dict(modifier="binder", href=links["binder"],
                            icon="material/rocket-launch-outline", text="Launch on Binder"))
    if "jupyterhub" in links:
        buttons.append(dict(modifier="jupyterhub", href=links["jupyterhub"],
                            icon="simple/jupyter", text="Open on your JupyterHub"))
    buttons += [
        dict(modifier="download", href=download_href, icon="material/download", text="Download .ipynb",
             download=posixpath.basename(notebook)),
        dict(modifier="source", href=github_url(repository, "blob", notebook), icon="simple/github",
             text="View source on GitHub"),
    ]
    return buttons


def render_launch_bar(template, *, repository, notebook: str, download_href: str, caution_href: str,
                      launchers: Launchers = Launchers(), exercises: bool = False) -> str:
    """The bar's HTML for `notebook` (its path in the repository, e.g. notebooks/x.ipynb),
    from the theme's `partials/launch-bar.html` template. Each launcher shows when
    its setting (extra.course.colab, .binder, .jupyterhub_url) switches it on. With
    Colab on, a notebook with `exercises` opens in Colab as its student copy
    (exercises/NAME.ipynb, no solutions) or as itself, "with solutions"."""
    links = launch_links(launchers, repository, notebook)
    colab = dict(modifier="colab", href=links["colab"], icon="simple/googlecolab",
                 text="Open in Colab") if "colab" in links else None
    solutions = None
    copies = exercise_links(launchers, repository, notebook) if exercises else {}
    if copies:
        colab.update(href=copies["exercises"], text="Open exercises in Colab")
        solutions = dict(modifier="solutions", href=copies["solutions"],
                         icon="material/lightbulb-on-outline", text="Open with solutions")
    return template.render(
        colab=colab, solutions=solutions,
        buttons=launch_buttons(repository, notebook, download_href, launchers),
        caution_href=caution_href)


def warn_about_remote_loads(tree, notebook: Notebook, site_url: str | None) -> None:
    """A warning naming the cell for each resource the notebook page fetches from another site."""
    own_host = urlsplit(site_url or "").netloc
    for element in tree.css(LOADING_ELEMENTS):
        urls = [url for url in loaded_urls(element.tag, element.attributes) if is_remote(url, own_host)]
        if element.tag == "script":
            urls += SCRIPT_IMPORT.findall(element.text())
        for url in urls:
            log.warning(f"{notebook.path}: {cell_of(element, notebook)} loads {url} from another site; "
                        "keep the file in the repository or drop it")


def cell_of(element, notebook: Notebook) -> str:
    """'cell N' (the notebook's cell index, from 0) for an element inside a rendered cell."""
    node = element
    while node is not None and not (node.attributes.get("id") or "").startswith("cell-id="):
        node = node.parent
    if node is None:
        return "the page"
    cell_id = node.attributes["id"].removeprefix("cell-id=")
    index = next((i for i, cell in enumerate(notebook.cells) if cell.get("id") == cell_id), None)
    return f"cell {index}" if index is not None else f"the cell with id {cell_id}"


def description_of(wrapper, page) -> str:
    """The first paragraph after the notebook's H1, as plain text."""
    text, after_heading = "", False
    for element in wrapper.css("h1, p"):
        if element.tag == "h1":
            after_heading = True
        elif after_heading:
            text = " ".join(element.text().split())
            break
    if not text:
        log.warning(f"{page.file.src_uri}: the page needs a paragraph after its '# Title'; "
                    "it becomes the page's meta description")
    return html.escape(text)  # the theme writes it into content="..." unescaped
