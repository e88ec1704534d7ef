"""What makes a page load something, and from which host: the course's one list.

The site makes no third-party requests. The notebook page step (the build),
the built-site test (every page and stylesheet) and the browser tests (what
Chromium sees) all ask the same question with these rules: which attributes
of which elements make a browser fetch a URL when the page loads.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# Element -> the attributes through which a browser fetches something on load.
LOADING_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
    "embed": ("src",), "object": ("data",), "input": ("src",), "track": ("src",),
}
# <link rel=...> values that fetch their href (or open a connection to its host).
LOADING_LINK_RELS = frozenset({
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload",
    "prefetch", "preconnect", "dns-prefetch", "manifest",
})
# url(...) and @import in CSS with an absolute or protocol-relative address.
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])(https?:)?//([^'")\s]+)""", re.I)
# A script that imports a module from another site (MathJax, Mermaid loaders).
SCRIPT_IMPORT = re.compile(r"""import\(\s*["'](https?://[^"']+)""")


def loaded_urls(tag: str, attributes: dict) -> list[str]:
    """The URLs an element `tag` with `attributes` makes the browser fetch on load."""
    tag = tag.lower()
    names = LOADING_ATTRIBUTES.get(tag, ())
    if tag == "link" and LOADING_LINK_RELS & set((attributes.get("rel") or "").lower().split()):
        names = ("href",)
    urls = []
    for name in names:
        value = (attributes.get(name) or "").strip()
        if name == "srcset":
            urls += [part.split()[0] for part in value.split(",") if part.strip()]
        elif value:
            urls.append(value)
    urls += css_urls(attributes.get("style") or "")
    return urls


def css_urls(css: str) -> list[str]:
    """The absolute addresses in CSS text (url(...), @import), as //host/path."""
    return ["//" + match.group(2) for match in CSS_URL.finditer(css)]


def is_remote(url: str, own_host: str = "") -> bool:
    """Whether `url` is absolute (or protocol-relative) and names a host other than `own_host`."""
    if not url.startswith(("http:", "https:", "//")):
        return False
    host = urlsplit(url).netloc
    return bool(host) and host != own_host
