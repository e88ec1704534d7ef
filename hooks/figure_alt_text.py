"""Give every notebook figure on the site the alt text its notebook stores.

nbconvert's lab template ignores alt text and writes a placeholder. A course
notebook shows a figure with

    display(fig, metadata={"image/png": {"alt": "What the figure shows"}})

which stores the description in the output's metadata (where Jupyter's
classic template and screen-reader-aware tools look for it). This hook copies
it onto the page's <img>. A figure without one is a warning, so the strict
build fails and names the notebook and cell.
"""
from __future__ import annotations

import html
import logging
import re

import nbformat

log = logging.getLogger("mkdocs.hooks.figure_alt_text")

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
DATA_IMAGE = re.compile(r'<img\b[^>]*?src="data:image/(?:png|jpeg|svg\+xml)[^"]*"[^>]*>')
ALT_ATTRIBUTE = re.compile(r'\salt="[^"]*"')


def figure_alt_texts(notebook_path: str) -> list[tuple[int, str | None]]:
    """(cell index, alt text or None) for each figure output, in page order."""
    notebook = nbformat.read(notebook_path, as_version=4)
    figures = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            image_type = next((t for t in IMAGE_TYPES if t in output.get("data", {})), None)
            if image_type:
                alt = (output.get("metadata", {}).get(image_type) or {}).get("alt")
                figures.append((index, alt.strip() if isinstance(alt, str) and alt.strip() else None))
    return figures


def with_alt_text(image_tag: str, alt: str) -> str:
    """The <img> tag with its alt attribute replaced by `alt`."""
    tag = ALT_ATTRIBUTE.sub("", image_tag)
    return tag[:4] + f' alt="{html.escape(alt, quote=True)}"' + tag[4:]


def on_post_page(output, page, config):
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    figures = figure_alt_texts(page.file.abs_src_path)
    images = DATA_IMAGE.findall(output)
    if len(images) != len(figures):
        log.warning("%s: %d figure outputs in the notebook but %d images on the page",
                    page.file.src_uri, len(figures), len(images))
        return output
    for (cell, alt), image in zip(figures, images):
        if alt is None:
            log.warning("%s: cell %d shows a figure without alt text; display it with "
                        "display(fig, metadata={'image/png': {'alt': '...'}})", page.file.src_uri, cell)
            continue
        output = output.replace(image, with_alt_text(image, alt), 1)
    return output
