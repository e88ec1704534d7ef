"""The chapter page's suggested path comes from one source, the nav (hooks/suggested_path.py):
every page and notebook of the section is on it, and a new notebook appears there without
anyone editing the chapter page."""
from __future__ import annotations

from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from mkdocs.utils.yaml import yaml_load

from local_site import build_site, copy_course
from new_notebook import build_notebook, nav_insertion

CHAPTER = "chapter-1/colab/index.md"
SECTION = "1.8 Google Colab"


def nav_section(mkdocs_yml: Path, title: str = SECTION) -> list[str]:
    """The docs-relative paths listed under a nav section, depth first."""
    with open(mkdocs_yml, encoding="utf-8") as handle:
        config = yaml_load(handle)

    def find(items):
        for item in items:
            if isinstance(item, dict):
                for key, value in item.items():
                    if key == title:
                        return value
                    if isinstance(value, list) and (found := find(value)) is not None:
                        return found
        return None

    def flatten(items):
        for item in items:
            if isinstance(item, str):
                yield item
            else:
                for value in item.values():
                    yield from ([value] if isinstance(value, str) else flatten(value))

    section = find(config["nav"])
    assert section is not None, f"mkdocs.yml: no nav section {title!r}"
    return list(flatten(section))


def path_rows(site: Path) -> list[tuple[str, str, str]]:
    """(kind, title, target path in the site) for each row of the chapter page's path table."""
    page = site / CHAPTER.replace("index.md", "index.html")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    heading = soup.find(id="a-suggested-path")
    assert heading is not None, "the chapter page has no 'A suggested path' section"
    table = heading.find_next("table")
    rows = []
    for row in table.select("tbody tr"):
        step, what = row.find_all("td")
        link = what.find("a")
        kind = what.get_text(" ", strip=True).split(":", 1)[0]
        target = (page.parent / link["href"]).resolve().relative_to(site.resolve()).as_posix()
        rows.append((kind, link.get_text(strip=True), target))
        assert step.get_text(strip=True) == str(len(rows))
    return rows


def site_path(source: str) -> str:
    """Where a page or notebook of docs (or notebooks/) is published."""
    return source.removesuffix(".md").removesuffix(".ipynb").removesuffix("/index")


def test_the_chapter_path_lists_every_page_and_notebook_of_its_nav_section_once(root, built_site):
    listed = [entry for entry in nav_section(root / "mkdocs.yml") if entry != CHAPTER]
    rows = path_rows(built_site)
    assert sorted(target for _, _, target in rows) == sorted(site_path(entry) for entry in listed), rows
    # Pages keep their nav order; each notebook follows the page that points to it.
    pages = [target for kind, _, target in rows if kind == "Page"]
    assert pages == [site_path(e) for e in listed if e.endswith(".md")], rows
    kinds = {target: kind for kind, _, target in rows}
    assert all(kinds[site_path(e)] == "Notebook" for e in listed if e.endswith(".ipynb")), rows
    order = [target for _, _, target in rows]
    assert order.index("notebooks/05-de-identification") > order.index("chapter-1/colab/health-data-caution")
    titles = {target: title for _, title, target in rows}
    assert titles["notebooks/01-colab-quick-start"] == "Colab quick start"      # the notebook's own title


def test_a_new_notebook_appears_on_the_chapter_page_without_editing_it(tmp_path):
    course = copy_course(tmp_path / "course")
    relative = "notebooks/06-reading-csv-files.ipynb"
    nbformat.write(build_notebook(relative, "Reading CSV files"), course / relative)
    mkdocs_yml = course / "mkdocs.yml"
    mkdocs_yml.write_text(nav_insertion(mkdocs_yml.read_text(encoding="utf-8"), relative), encoding="utf-8")
    chapter = (course / "docs" / CHAPTER).read_bytes()

    result = build_site(course, tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = path_rows(tmp_path / "site")
    assert rows[-1] == ("Notebook", "Reading CSV files", "notebooks/06-reading-csv-files"), rows
    assert len(rows) == len(nav_section(mkdocs_yml)) - 1
    assert (course / "docs" / CHAPTER).read_bytes() == chapter


def test_the_path_marker_outside_a_section_index_fails_the_build_naming_the_page(tmp_path):
    course = copy_course(tmp_path / "course")
    about = course / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n<!-- suggested-path -->\n", encoding="utf-8")
    result = build_site(course, tmp_path / "site")
    assert result.returncode != 0
    assert "about.md: the suggested-path marker belongs on a section's index page" in result.stdout + result.stderr
