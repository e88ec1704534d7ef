"""The parsed HTML of a notebook page, shared by the hooks that read or edit it.

Several hooks (notebook_pages, notebook_styles, notebook_search) work on a
notebook page's content one after another. Parsing it once per hook cost
about half a second per build; instead each hook asks `parsed_content()` for
the tree and, when it changed it, returns `serialised()`. When the next hook
receives exactly that text, it gets the same tree back instead of a new parse.
"""
from __future__ import annotations

from bs4 import BeautifulSoup

_parsed: dict[str, tuple[str, BeautifulSoup]] = {}   # page -> (content text, its tree)


def parsed_content(page, content: str) -> BeautifulSoup:
    """The tree of `content`, reusing the one a previous hook serialised to it."""
    cached = _parsed.get(page.file.src_uri)
    if cached is not None and cached[0] == content:
        return cached[1]
    soup = BeautifulSoup(content, "html.parser")
    _parsed[page.file.src_uri] = (content, soup)
    return soup


def serialised(page, soup: BeautifulSoup) -> str:
    """`soup` as the page's new content, remembered for the next hook."""
    text = str(soup)
    _parsed[page.file.src_uri] = (text, soup)
    return text


def forget(page) -> None:
    """Drop the page's tree once no hook needs it any more."""
    _parsed.pop(page.file.src_uri, None)
