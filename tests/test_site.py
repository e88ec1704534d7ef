"""The built site: strict build, derived URLs and no third-party loads."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

from course_links import configured_repository, repository_being_built

# Elements and attributes through which a browser fetches something on load.
LOADING_ATTRIBUTES = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
    "embed": ("src",), "object": ("data",), "input": ("src",), "track": ("src",),
}
LOADING_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload",
                     "modulepreload", "prefetch", "preconnect", "dns-prefetch", "manifest"}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])(https?:)?//([^'")\s]+)""", re.I)


class _LoadedURLs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        names = LOADING_ATTRIBUTES.get(tag, ())
        if tag == "link" and LOADING_LINK_RELS & set((attrs.get("rel") or "").lower().split()):
            names = ("href",)
        for name in names:
            for value in (attrs.get(name) or "").split(","):
                url = value.strip().split(" ")[0]
                if url:
                    self.urls.append((self.getpos()[0], url))
        if attrs.get("style"):
            self.urls += [(self.getpos()[0], "//" + m.group(2)) for m in CSS_URL.finditer(attrs["style"])]


def third_party_loads(site: Path) -> list[str]:
    """'page:line: url' for everything the built site would load from another host."""
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = _LoadedURLs()
        text = page.read_text(encoding="utf-8")
        parser.feed(text)
        for style in re.findall(r"<style[^>]*>(.*?)</style>", text, re.S):
            parser.urls += [(0, "//" + m.group(2)) for m in CSS_URL.finditer(style)]
        for line, url in parser.urls:
            if urlparse(url).netloc:
                found.append(f"{page.relative_to(site)}:{line}: {url}")
    for sheet in sorted(site.rglob("*.css")):
        for number, text in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{sheet.relative_to(site)}:{number}: //{m.group(2)}" for m in CSS_URL.finditer(text)]
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
    pages_url = repository_being_built(configured_repository()).pages_url
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
