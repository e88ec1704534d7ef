"""The built site: strict build, derived URLs and no third-party loads."""
from __future__ import annotations

import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from course_links import configured_course, configured_repository, published_site_url, repository_being_built
from third_party import css_urls, is_remote, loaded_urls

class _LoadedURLs(HTMLParser):
    """(line, URL) of everything a page loads, by the course's one list (hooks/third_party.py)."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [(self.getpos()[0], url) for url in loaded_urls(tag, dict(attrs))]


def third_party_loads(site: Path) -> list[str]:
    """'page:line: url' for everything the built site would load from another host."""
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = _LoadedURLs()
        text = page.read_text(encoding="utf-8")
        parser.feed(text)
        for style in re.findall(r"<style[^>]*>(.*?)</style>", text, re.S):
            parser.urls += [(0, url) for url in css_urls(style)]
        for line, url in parser.urls:
            if is_remote(url):
                found.append(f"{page.relative_to(site)}:{line}: {url}")
    for sheet in sorted(site.rglob("*.css")):
        for number, text in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{sheet.relative_to(site)}:{number}: {url}" for url in css_urls(text)]
    return found


def test_site_builds_strictly(built_site):
    assert (built_site / "index.html").is_file()
    assert (built_site / "404.html").is_file()


def test_built_site_loads_nothing_from_third_party_hosts(built_site):
    loads = third_party_loads(built_site)
    assert not loads, "the site would contact third-party hosts:\n" + "\n".join(loads)


def test_third_party_check_names_page_and_url(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<html><head><link rel="stylesheet" href="https://fonts.example.com/css">\n'
        '<link rel="canonical" href="https://course.example.org/a/"></head>\n'
        '<body><img src="https://cdn.example.net/x.png"><a href="https://example.org/">ok</a>'
        '<img src="../local.png"></body></html>')
    (tmp_path / "extra.css").write_text("body{}\n@import 'https://cdn.example.net/y.css';\n")
    assert third_party_loads(tmp_path) == [
        "a/index.html:1: https://fonts.example.com/css",
        "a/index.html:3: https://cdn.example.net/x.png",
        "extra.css:2: //cdn.example.net/y.css",
    ]


def test_site_url_canonical_links_and_sitemap_follow_the_repository_setting(built_site):
    pages_url = published_site_url(configured_course())
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert locations, "sitemap.xml lists no pages"
    strays = [url for url in locations if not url.startswith(pages_url)]
    assert not strays, f"sitemap URLs outside {pages_url}: {strays}"
    index = (built_site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{pages_url}">' in index


def test_edit_links_name_the_configured_repository_and_branch(built_site):
    repository = repository_being_built(configured_repository())
    page = (built_site / "chapter-1" / "colab" / "index.html").read_text(encoding="utf-8")
    expected = f"{repository.url}/edit/{repository.branch}/docs/chapter-1/colab/index.md"
    assert f'href="{expected}"' in page


def test_a_broken_internal_link_or_anchor_fails_the_build_naming_page_and_link(defective_build):
    log, planted = defective_build["log"], defective_build["planted"]
    assert defective_build["returncode"] != 0, "the strict build accepted a broken link"
    assert planted["page"] in log and all(link in log for link in planted["links"]), log


def test_make_builds_in_the_environment_the_tests_and_the_benchmark_build_in(root):
    """`make build`/`serve` and the tests' and `make bench`'s builds run with the same variables."""
    from local_site import BUILD_ENVIRONMENT

    exported = dict(re.findall(r"^export (\w+) := (.*)$", (root / "Makefile").read_text(encoding="utf-8"), re.M))
    differing = {name: (value, exported.get(name)) for name, value in BUILD_ENVIRONMENT.items()
                 if exported.get(name) != value}
    assert not differing, f"Makefile exports differ from local_site.BUILD_ENVIRONMENT (wanted, exported): {differing}"


def test_the_local_server_stays_quiet_when_a_client_hangs_up_early(tmp_path, capfd):
    """A link checker that reads a page's headers and closes the connection is not an
    error: no traceback in the check's output."""
    import socket
    from local_site import serve
    (tmp_path / "big.ipynb").write_bytes(b"x" * 8_000_000)
    server, url = serve(tmp_path)
    try:
        host, port = server.server_address
        for _ in range(3):
            with socket.create_connection((host, port)) as client:
                client.sendall(b"GET /big.ipynb HTTP/1.1\r\nHost: x\r\n\r\n")
                client.recv(1024)
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        with urllib.request.urlopen(url + "big.ipynb") as response:   # still serving
            assert response.status == 200
    finally:
        server.shutdown()
    assert "Traceback" not in capfd.readouterr().err


def test_the_benchmarks_jupyter_book_holds_the_same_pages_and_notebooks_with_code_named_python(root, tmp_path):
    """`make bench` compares the course with Jupyter Book on the same content rendered alike:
    every page of the nav in order, the same notebook cells, and Python named as the notebooks'
    language so that Jupyter Book highlights their code as mkdocs-jupyter does."""
    import nbformat
    from bench import jupyter_book_copy, nav_files
    from course_support import mkdocs_settings

    nav = nav_files(mkdocs_settings(root)["nav"])
    book = jupyter_book_copy(root, tmp_path / "book")

    toc = (book / "_toc.yml").read_text(encoding="utf-8")
    listed = re.findall(r"^(?:root|  - file): (.+)$", toc, re.M)
    assert listed == [re.sub(r"\.(md|ipynb)$", "", page) for page in nav], toc
    for original in sorted((root / "notebooks").glob("*.ipynb")):
        copy = nbformat.read(book / "notebooks" / original.name, as_version=4)
        assert copy.cells == nbformat.read(original, as_version=4).cells, f"{original.name}: cells differ"
        lexer = copy.metadata.get("language_info", {}).get("pygments_lexer")
        assert lexer == "ipython3", f"{original.name}: Jupyter Book would not highlight its code ({copy.metadata})"
