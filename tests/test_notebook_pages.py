"""Notebook pages: one shared stylesheet, a search index without outputs, a
description of their own, edit links to the notebook and the .ipynb beside them."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

from course_support import mkdocs_settings
from course_links import configured_repository, repository_being_built
from notebook_stylesheet import trimmed_stylesheet

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
STYLESHEET = "assets/stylesheets/notebook.css"


def notebook_page(site: Path, notebook: Path) -> Path:
    return site / "notebooks" / notebook.stem / "index.html"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def search_text(site: Path, notebook: Path) -> str:
    """Everything the search index holds for the notebook's page."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    prefix = f"notebooks/{notebook.stem}/"
    return html.unescape("\n".join(f"{doc['title']}\n{doc['text']}" for doc in index["docs"]
                                   if doc["location"].split("#")[0] == prefix))


def output_texts(cell) -> list[str]:
    """The text a code cell's outputs show (stdout, stderr, text/plain, HTML)."""
    texts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            texts.append(output.text)
        for mime in ("text/plain", "text/html"):
            value = output.get("data", {}).get(mime)
            if value:
                texts.append(BeautifulSoup(value, "html.parser").get_text("\n") if mime == "text/html" else value)
    return texts


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_pages_share_one_stylesheet_instead_of_inlined_css(built_site, notebook):
    page = notebook_page(built_site, notebook)
    soup = soup_of(page)
    wrapper = soup.select_one(".jupyter-wrapper")
    assert wrapper is not None, f"{page}: no rendered notebook"
    inlined = [s for s in soup.find_all("style") if wrapper not in s.parents]
    assert not inlined, f"{page}: {len(inlined)} inlined <style> blocks ({len(str(inlined))} characters)"
    sheets = [urljoin(f"/notebooks/{notebook.stem}/", link["href"])
              for link in soup.find_all("link", rel="stylesheet")]
    assert sheets.count(f"/{STYLESHEET}") == 1, f"{page}: links {sheets}"
    shared = (built_site / STYLESHEET).read_text(encoding="utf-8")
    used = set(wrapper.get("class", [])).union(*(e.get("class", []) for e in wrapper.find_all(class_=True)))
    for name in {"jupyter-wrapper", "jp-Cell", "jp-InputArea", "highlight-ipynb", "jp-OutputArea",
                 "jp-RenderedText", "dataframe"} & used:
        assert f".{name}" in shared, f"{STYLESHEET} has no rule for .{name}, which {page} uses"


def test_notebook_stylesheet_holds_only_the_notebook_rules_it_needs(built_site):
    shared = (built_site / STYLESHEET).read_text(encoding="utf-8")
    assert "@font-face" not in shared and "@keyframes" not in shared
    assert ".bp3-" not in shared, "Blueprint widget rules no notebook page uses are still in"
    assert len(shared.encode()) < 60_000, f"{STYLESHEET} is {len(shared.encode())} bytes"
    own = (ROOT / "docs" / STYLESHEET).read_text(encoding="utf-8")
    assert shared.endswith(own), "the hand-written notebook.css must come last, to win over JupyterLab's"


def test_stylesheet_trimming_keeps_used_rules_and_drops_the_rest():
    jupyter_css = """
        @font-face { font-family: X; src: url(x.woff) }
        .jupyter-wrapper { --used: var(--chained); --chained: red; --unused: blue }
        .jupyter-wrapper .jp-Used { color: var(--used) }
        .jupyter-wrapper .jp-Unused, .jupyter-wrapper .jp-Used:hover { color: green }
        .jupyter-wrapper .jp-Used:not(.jp-mod-absent) { margin: 0 }
        .jupyter-wrapper :root { --root: 1 }
        [data-md-color-scheme=slate] .jupyter-wrapper .jp-Used { color: black }
        table { width: max-content }
        @media print { .jupyter-wrapper .jp-Unused { display: none } }
        @keyframes spin { to { transform: rotate(1turn) } }
    """
    used = {"div", "table", ".jupyter-wrapper", ".jp-Used"}
    css = trimmed_stylesheet([jupyter_css], used, own_css="")
    assert css.splitlines() == [
        ".jupyter-wrapper{--used:var(--chained);--chained:red}",
        ".jupyter-wrapper .jp-Used{color:var(--used)}",
        ".jupyter-wrapper .jp-Used:hover{color:green}",
        ".jupyter-wrapper .jp-Used:not(.jp-mod-absent){margin:0}",
        ".jupyter-wrapper table{width:max-content}",
    ]
    # A variable the course's own notebook.css refers to is kept too.
    assert "--unused:blue" in trimmed_stylesheet([jupyter_css], used, own_css="a{b:var(--unused)}")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_pages_load_no_mathjax_mermaid_or_other_code_from_elsewhere(built_site, notebook):
    page = notebook_page(built_site, notebook)
    soup = soup_of(page)
    loaders = [str(s)[:80] for s in soup.find_all("script")
               if s.get("type") == "text/x-mathjax-config" or s.get("src") == ""
               or re.search(r"import\(\s*[\"']https?://", s.get_text())]
    assert not loaders, f"{page}: {loaders}"


def outputs_in_index(nb, indexed: str) -> list[str]:
    """The notebook's outputs found in `indexed`, its page's search index text."""
    sources = "\n".join(cell.source for cell in nb.cells)
    codes = {cell.source.strip() for cell in nb.cells if cell.cell_type == "code"}
    prose = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    # Every <pre> indexed must be a code cell or a code block written in a
    # Markdown cell: stdout, stderr and tracebacks are <pre> too.
    found = [pre.strip() for pre in re.findall(r"<pre[^>]*>(?:<code>)?(.*?)(?:</code>)?</pre>", indexed, re.S)
             if pre.strip() not in codes and pre.strip() not in prose]
    # Output lines not also written in the notebook's cells (DataFrames, prints).
    lines = {line.strip() for cell in nb.cells for text in output_texts(cell)
             for line in text.splitlines() if len(line.strip()) > 3}
    return found + sorted(line for line in lines if line not in sources and line in indexed)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_outputs_are_not_in_the_search_index(built_site, notebook):
    indexed = search_text(built_site, notebook)
    assert indexed, f"search/search_index.json has nothing for {notebook.name}"
    found = outputs_in_index(nbformat.read(notebook, as_version=4), indexed)
    assert not found, f"{notebook.name}: outputs in the search index: {[f[:80] for f in found[:5]]}"


def test_output_check_finds_a_planted_stdout_and_table_cell():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# T\n\nText."),
        nbformat.v4.new_code_cell("print(summary)", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="cohort of 4242 patients\n"),
            nbformat.v4.new_output("execute_result", data={"text/html": "<table><td>zygomorphic</td></table>"}),
        ]),
    ])
    clean = "<h1>T</h1><p>Text.</p><pre>print(summary)\n</pre>"
    assert outputs_in_index(nb, clean) == []
    assert outputs_in_index(nb, clean + "<pre>cohort of 4242 patients\n</pre>") == [
        "cohort of 4242 patients", "cohort of 4242 patients"]
    assert outputs_in_index(nb, clean + " zygomorphic ") == ["zygomorphic"]


def test_at_least_one_notebook_has_outputs_to_keep_out_of_search():
    assert any(output_texts(cell) for nb in map(nbformat.read, NOTEBOOKS, [4] * len(NOTEBOOKS))
               for cell in nb.cells), "no notebook has stored outputs; the search check would check nothing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_markdown_and_code_are_in_the_search_index(built_site, notebook):
    nb = nbformat.read(notebook, as_version=4)
    indexed = search_text(built_site, notebook)
    description = soup_of(notebook_page(built_site, notebook)).find("meta", attrs={"name": "description"})["content"]
    assert description and description in re.sub(r"<[^>]+>", "", indexed), \
        f"{notebook.name}: its first paragraph is not searchable"
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            continue  # exercise solutions are folded and kept out of search (tests/test_exercises.py)
        if cell.cell_type == "code" and cell.source.strip():
            assert cell.source.strip() in indexed, f"{notebook.name}: code {cell.source[:60]!r} is not searchable"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_page_offers_its_ipynb_download(built_site, notebook):
    page = notebook_page(built_site, notebook)
    copy = page.parent / notebook.name
    assert copy.is_file(), f"{copy} is missing"
    assert copy.read_bytes() == notebook.read_bytes(), f"{copy} differs from {notebook}"
    base = f"/notebooks/{notebook.stem}/"
    links = {urlsplit(urljoin(base, a["href"])).path for a in soup_of(page).find_all("a", href=True)}
    assert base + notebook.name in links, f"{page}: no link to {notebook.name} (links: {sorted(links)})"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_edit_links_point_to_the_notebook_file(built_site, notebook):
    repository = repository_being_built(configured_repository())
    soup = soup_of(notebook_page(built_site, notebook))
    path = f"{repository.branch}/notebooks/{notebook.name}"
    edit = soup.find("a", rel="edit")
    assert edit is not None and edit["href"] == f"{repository.url}/edit/{path}", edit
    # "View source" opens the notebook on GitHub's notebook view, not its raw JSON.
    view = soup.find("a", href=f"{repository.url}/blob/{path}", title=True)
    assert view is not None, f"{notebook.name}: no view-source button to {repository.url}/blob/{path}"


def description_problems(site: Path, default: str) -> list[str]:
    """'page: problem' for each built page whose meta description is missing,
    the site's default or the same as another page's."""
    seen: dict[str, Path] = {}
    problems = []
    for page in sorted(p for p in site.rglob("*.html") if p.name != "404.html"):
        meta = soup_of(page).find("meta", attrs={"name": "description"})
        text = " ".join((meta.get("content", "") if meta else "").split())
        name = page.relative_to(site).as_posix()
        if not text:
            problems.append(f"{name}: no description")
        elif text == default:
            problems.append(f"{name}: the site's default description")
        elif text in seen:
            problems.append(f"{name}: same description as {seen[text]}: {text!r}")
        seen.setdefault(text, name)
    return problems


def site_description() -> str:
    return " ".join(mkdocs_settings(ROOT)["site_description"].split())


def test_every_page_has_its_own_meta_description(built_site):
    pages = [p for p in built_site.rglob("*.html") if p.name != "404.html"]
    assert len(pages) > len(NOTEBOOKS), "the built site has too few pages"
    problems = description_problems(built_site, site_description())
    assert not problems, "\n".join(problems)


def test_description_check_names_missing_default_and_repeated_descriptions(tmp_path):
    def page(path, description):
        meta = f'<meta name="description" content="{description}">' if description is not None else ""
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(f"<html><head>{meta}</head></html>", encoding="utf-8")
    page("a/index.html", "One page.")
    page("b/index.html", "One page.")
    page("c/index.html", None)
    page("d/index.html", "The site.")
    page("404.html", "The site.")
    assert description_problems(tmp_path, "The site.") == [
        "b/index.html: same description as a/index.html: 'One page.'",
        "c/index.html: no description",
        "d/index.html: the site's default description",
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_description_is_the_first_paragraph_after_its_title(built_site, notebook):
    soup = soup_of(notebook_page(built_site, notebook))
    # The title sits above the launch bar; its first paragraph opens the notebook below.
    assert soup.select_one("article > h1 + nav.launch-bar") is not None
    first = soup.select_one(".jupyter-wrapper .jp-RenderedMarkdown p")
    meta = soup.find("meta", attrs={"name": "description"})["content"]
    assert meta == " ".join(first.get_text().split())


def test_a_notebook_loading_a_remote_image_or_lacking_a_first_paragraph_fails_the_build(defective_build):
    log, remote = defective_build["log"], defective_build["planted"]["remote"]
    assert defective_build["returncode"] != 0, "the strict build accepted the defects"
    assert f"{remote['notebook']}: cell {remote['cell']} loads {remote['url']} from another site" in log, log
    assert f"{remote['notebook']}: the page needs a paragraph after its '# Title'" in log, log


def test_a_notebook_linking_to_a_page_the_site_lacks_fails_the_build_naming_notebook_and_cell(defective_build):
    """Notebooks link to the course site's pages by their absolute address (they are opened in
    Colab too); the build checks that each such page exists."""
    log, missing = defective_build["log"], defective_build["planted"]["missing page"]
    assert f"{missing['notebook']}: cell {missing['cell']}: the link {missing['url']} leads to no page of the " \
           "course site" in log, log


def test_links_to_the_course_sites_pages_stay_on_the_copy_of_the_site_being_read(built_site):
    """On the site, a notebook's links to the course's own pages are relative: a preview or a
    fork's site keeps the reader there, and the internal link check follows them to their anchors."""
    from notebook_rules import Course

    published = Course().site_url
    for notebook in NOTEBOOKS:
        wrapper = soup_of(notebook_page(built_site, notebook)).select_one(".jupyter-wrapper")
        absolute = [a["href"] for a in wrapper.select("a[href]") if a["href"].startswith(published)]
        assert not absolute, f"{notebook.name}: links leave for the published site: {absolute}"
    node = nbformat.read(NOTEBOOKS[0], as_version=4)
    assert any(published + "chapter-1/colab/" in cell.source for cell in node.cells), \
        f"{NOTEBOOKS[0].name} no longer links to the chapter by its address: the check above checks nothing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_pages_show_the_course_boxes_and_no_notebook_tool_leftovers(built_site, notebook):
    from notebook_rules import NOTEBOOK_BOXES

    soup = soup_of(notebook_page(built_site, notebook))
    wrapper = soup.select_one(".jupyter-wrapper")
    boxes = {box.select_one(".admonition-title").get_text(): box.get("class") for box in wrapper.select(".admonition")}
    assert boxes == {label: ["admonition", kind] for label, kind in NOTEBOOK_BOXES.items()}, boxes
    assert not wrapper.select("blockquote > p:first-child > strong:only-child"), "a course box left as a quote"
    leftovers = wrapper.select(".jp-InputPrompt, .jp-OutputPrompt, .celltoolbar, .cell-tag")
    assert not leftovers, f"{notebook.name}: {len(leftovers)} prompts or cell-tag boxes on the page"
    stops = wrapper.select(".jp-Cell-inputWrapper[tabindex], .jp-OutputArea-output[tabindex]")
    assert not stops, f"{notebook.name}: {len(stops)} cells or outputs are Tab stops in the page's HTML"
