"""Reading a course page as a student does: on a phone and on a desktop, in the
light and dark schemes, from the keyboard and on paper. Shared by
tests/test_browser_reading.py and its planted-defect pages.

`read_page()` opens one page in headless Chromium at one viewport and colour
scheme and records what the checks need (box widths, line breaks inside
outputs, wide elements, scrolling boxes, figures, the Tab order, print media).
Each `*_problems()` function turns that record into one line per problem,
naming the page, the viewport and scheme, the notebook cell (as nbformat
numbers it, from 0) and the element.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import nbformat

from browser_support import full_page_screenshot, open_page

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# (viewport, Material colour scheme, prefers-color-scheme to emulate)
CONFIGURATIONS = [(PHONE, "default", "light"), (PHONE, "slate", "dark"),
                  (DESKTOP, "default", "light"), (DESKTOP, "slate", "dark")]

MIN_BOX_SHARE = 0.90          # code and output boxes span >= 90 % of the text column
MAX_TAB_STOPS_TO_COLAB = 5    # Open in Colab within 5 Tab stops after the skip link
MAX_TAB_STOPS = 400           # a page's whole Tab order is walked up to this many stops
PHONE_LAUNCH_BAR_MAX_SHARE = 0.25  # the launch bar takes at most a quarter of a phone's screen
COMPARISON_COLUMNS = 5        # a table this wide may scroll on a desktop, keeping its first column
MIN_TABLE_TEXT_PX = 14        # table and box text next to 16 px body text
DARK_FIGURE_MAX_LUMINANCE = 0.35  # a figure in dark mode is not a bright panel
PAPER_WIDTH_PX = 718          # A4 in Chrome's print preview: 210 mm at 96 dpi, less its default margins
FIGURE_MIN_CONTRAST = 4.5     # ... and its labels still stand out from its background
COLAB_LINK = "a.launch-bar__link--colab"

# --------------------------------------------------------------------------
# What the browser measures
# --------------------------------------------------------------------------

_HELPERS_JS = r"""
const visible = e => !!e && e.getClientRects().length > 0 &&
  e.checkVisibility({visibilityProperty: true, opacityProperty: true});
const cellOf = e => { const c = e && e.closest && e.closest('[id^="cell-id="]');
                      return c ? c.id.slice('cell-id='.length) : null; };
const name = e => {
  if (!e || !e.tagName) return String(e);
  let text = e.tagName.toLowerCase();
  if (e.id && !e.id.startsWith('cell-id=')) text += '#' + e.id;
  const classes = typeof e.className === 'string'
    ? e.className.trim().split(/\s+/).filter(c => c && c !== 'focus-visible') : [];
  if (classes.length) text += '.' + classes.slice(0, 2).join('.');
  return text;
};
const article = document.querySelector('article.md-content__inner') || document.querySelector('article') || document.body;
const columnBox = () => {
  const r = article.getBoundingClientRect(), s = getComputedStyle(article);
  const left = r.left + parseFloat(s.paddingLeft), right = r.right - parseFloat(s.paddingRight);
  return {left, right, width: right - left};
};
"""

MEASURE_JS = "(minTextPx) => {" + _HELPERS_JS + r"""
  const column = columnBox();
  const viewport = document.documentElement.clientWidth;
  const out = {column: column.width, viewport};

  // Code and output boxes against the text column.
  out.boxes = [];
  document.querySelectorAll('.jp-CodeCell .jp-InputArea-editor, .jp-OutputArea-output').forEach(box => {
    if (!visible(box)) return;
    out.boxes.push({cell: cellOf(box), kind: box.matches('.jp-InputArea-editor') ? 'code' : 'output',
                    what: name(box), width: Math.round(box.getBoundingClientRect().width)});
  });

  // Line breaks inside output and table text: a line that wraps between two
  // letters or digits cut a word or number in two (JupyterLab's word-break:
  // break-all does that, and inline code that may break anywhere in a narrow
  // table column). Wrapping at a space, after a hyphen or at punctuation is fine.
  out.breaks = [];
  const blockOf = n => n.parentElement.closest('pre, td, th, p, li, div');
  const texts = [...document.querySelectorAll('.jp-OutputArea-output')].map(box => ['output', box]).concat(
    [...article.querySelectorAll('td, th')].filter(c => !c.closest('.jp-OutputArea-output')).map(c => ['table', c]));
  texts.forEach(([kind, output]) => {
    if (!visible(output)) return;
    const walker = document.createTreeWalker(output, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let previous = null, line = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!visible(node.parentElement)) continue;
      const block = blockOf(node), text = node.textContent;
      if (previous && previous.block !== block) { previous = null; line = ''; }
      for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (ch === '\n') { previous = null; line = ''; continue; }
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) continue;
        const r = rects[0];
        if (previous && r.top >= previous.bottom - 1) {
          const inWord = /[\p{L}\p{N}_]/u.test(previous.ch) && /[\p{L}\p{N}_]/u.test(ch);
          if (inWord && out.breaks.length < 200)
            out.breaks.push({cell: cellOf(output), kind, text: line.slice(-14) + '|' + text.slice(i, i + 8)});
          line = '';
        }
        line += ch;
        previous = {ch, bottom: r.bottom, block};
      }
    }
  });

  // Elements reaching past the viewport that no scrolling box holds: either
  // an ancestor clips them (overflow hidden) or the page itself gets wider.
  // One line per clipping box (or per element when nothing clips it).
  out.wide = [];
  const held = new Set();
  const inView = r => r.right <= viewport + 1 && r.left >= -1;
  article.querySelectorAll('*').forEach(e => {
    if (!e.getClientRects().length) return;
    const r = e.getBoundingClientRect();
    if (!r.width || inView(r)) return;
    let holder = null, scrolls = false;
    for (let a = e.parentElement; a && a !== article.parentElement; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && inView(a.getBoundingClientRect())) { scrolls = true; break; }
      if (overflow === 'hidden' || overflow === 'clip') { holder = a; break; }
    }
    const hidden = holder && holder.getBoundingClientRect().width <= 1;  // visually hidden on purpose
    if (hidden) return;
    if (scrolls || held.has(holder || e) || [...held].some(h => h.contains(e))) return;
    held.add(holder || e);
    out.wide.push({cell: cellOf(e), what: name(e), clipped_by: holder ? name(holder) : null,
                   left: Math.round(r.left), right: Math.round(r.right)});
  });

  // Copy buttons drawn over the code they copy: a notebook cell's, and on a touch
  // screen (no hover to reveal or move them) a Markdown code block's too.
  out.covering = [];
  const touch = matchMedia('(hover: none)').matches;
  const buttons = [...document.querySelectorAll('.jp-CodeCell clipboard-copy, .jp-CodeCell .md-clipboard, .jp-CodeCell .md-code__button')]
    .concat(touch ? [...article.querySelectorAll('pre > .md-code__nav .md-code__button, pre > .md-clipboard')] : []);
  buttons.forEach(button => {
    if (!visible(button)) return;
    const b = button.getBoundingClientRect();
    const editor = button.closest('.jp-InputArea-editor');
    const pre = editor ? editor.querySelector('pre') : button.closest('pre') && button.closest('pre').querySelector(':scope > code');
    if (!pre) return;
    const range = document.createRange(); range.selectNodeContents(pre);
    const hit = Array.from(range.getClientRects()).some(t => t.width > 0 &&
      t.left < b.right && t.right > b.left && t.top < b.bottom && t.bottom > b.top);
    if (hit) out.covering.push({cell: cellOf(button), what: name(button)});
  });

  // Boxes that scroll sideways: reachable from the keyboard, with an edge cue.
  out.scrollers = [];
  article.querySelectorAll('*').forEach(e => {
    const s = getComputedStyle(e);
    if (!['auto', 'scroll'].includes(s.overflowX) || !visible(e)) return;
    if (e.scrollWidth <= e.clientWidth + 1) return;
    const focusable = (e.tabIndex >= 0 && e.hasAttribute('tabindex')) ||
      !!e.querySelector('a[href], button, input, select, textarea, [tabindex="0"]');
    const named = !!(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'));
    const layers = s.backgroundAttachment.split(',').map(x => x.trim());
    const cue = /gradient/.test(s.backgroundImage) && layers.includes('local') && layers.includes('scroll');
    out.scrollers.push({cell: cellOf(e), what: name(e), content: e.scrollWidth, box: e.clientWidth,
                        focusable, named, cue});
  });

  // Figures.
  out.figures = [];
  document.querySelectorAll('.jp-OutputArea-output img').forEach((img, index) => {
    if (!visible(img)) return;
    const r = img.getBoundingClientRect();
    const control = img.closest('button, a[href]');
    out.figures.push({index, cell: cellOf(img), width: Math.round(r.width), natural: img.naturalWidth,
                      enlargeable: !!control});
  });

  // Text size of tables and boxes (DataFrames, Markdown tables, admonitions).
  out.small_text = [];
  const body = parseFloat(getComputedStyle(article).fontSize);
  article.querySelectorAll('td, th, .admonition p, .admonition li, details p, details li, summary').forEach(e => {
    if (!visible(e) || !e.textContent.trim()) return;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (size < minTextPx && out.small_text.length < 50)
      out.small_text.push({cell: cellOf(e), what: name(e), size, body, text: e.textContent.trim().slice(0, 30)});
  });

  // Leftovers of the notebook tools: prompts and cell tags shown as text.
  out.prompts = [];
  document.querySelectorAll('.jp-InputPrompt, .jp-OutputPrompt').forEach(p => {
    if (visible(p) && p.textContent.trim()) out.prompts.push({cell: cellOf(p), text: p.textContent.trim()});
  });
  out.tags = [];
  document.querySelectorAll('[id^="cell-id="]').forEach(cell => {
    const tags = Array.from(cell.classList).filter(c => c.startsWith('celltag_')).map(c => c.slice(8));
    if (!tags.length) return;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (tags.includes(text) && visible(node.parentElement) &&
          !node.parentElement.closest('.jp-MarkdownOutput, .jp-OutputArea-output, pre'))
        out.tags.push({cell: cellOf(cell), text});
    }
  });

  // The page's title and the launch bar.
  const h1 = article.querySelector('h1');
  const bar = document.querySelector('nav.launch-bar');
  out.title_top = h1 ? Math.round(h1.getBoundingClientRect().top + scrollY) : null;
  out.launch_bar = bar ? {top: Math.round(bar.getBoundingClientRect().top + scrollY),
                          height: Math.round(bar.getBoundingClientRect().height),
                          before_title: !!(h1 && (bar.compareDocumentPosition(h1) & Node.DOCUMENT_POSITION_FOLLOWING))}
                       : null;

  // The boxes of the course's notebook style, as on the chapter pages.
  out.admonitions = Array.from(article.querySelectorAll('.admonition')).map(a => {
    const title = a.querySelector('.admonition-title');
    const s = getComputedStyle(a), t = title ? getComputedStyle(title) : null;
    return {classes: Array.from(a.classList).filter(c => c !== 'admonition').sort(),
            title: title ? title.textContent.trim() : '', cell: cellOf(a),
            style: [s.borderLeftColor, s.backgroundColor, s.fontSize, t ? t.backgroundColor : '', t ? t.fontWeight : '']};
  });
  return out;
}"""

# One Tab stop: what got focus, whether it is something to operate, and
# whether a keyboard user can see where the focus is.
FOCUS_JS = "() => {" + _HELPERS_JS + r"""
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const role = e.getAttribute('role') || '';
  const operable = e.matches('a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, iframe, [contenteditable=""], [contenteditable=true]') ||
    (e.matches('label') && !!e.control) ||
    /^(button|link|checkbox|radio|tab|menuitem|switch|option|slider|textbox|searchbox|combobox|spinbutton)$/.test(role);
  // Material's search results list is a scroll region by design (axe's
  // scrollable-region-focusable asks for its Tab stop), even while it is empty.
  const scrolls = ['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1 ||
                  ['auto', 'scroll'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 1 ||
                  e.matches('.md-search__scrollwrap');
  // The indicator may be drawn on the element or, for a hidden input, on the
  // visible label that stands for it: one of its own labels, or the label
  // right after it (Material's colour-scheme toggle labels the other option).
  const drawn = x => { const t = getComputedStyle(x);
    return x.getClientRects().length > 0 &&
      ((t.outlineStyle !== 'none' && parseFloat(t.outlineWidth) >= 1 && !/rgba\([^)]*,\s*0\)$/.test(t.outlineColor)) ||
       (t.boxShadow && t.boxShadow !== 'none')); };
  const next = e.nextElementSibling;
  const stand_ins = e.matches('input') ? [...(e.labels || []), ...(next && next.matches('label') ? [next] : [])] : [];
  const indicator = drawn(e) || stand_ins.some(drawn);
  // Where the focus is, on screen: the element or the label standing in for it
  // must meet the viewport (an off-canvas drawer's links do not).
  const box = e.getBoundingClientRect();
  const meets = x => { const r = x.getBoundingClientRect();
    return r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight; };   // an edge is not enough
  const on_screen = [e, ...stand_ins].some(meets);
  return {what: name(e), cell: cellOf(e), text: (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 40),
          operable, scrolls, indicator, on_screen, at: [Math.round(box.left), Math.round(box.top)], colab: e.matches('""" + COLAB_LINK + r"""'),
          skip: e.matches('.md-skip'), href: e.getAttribute('href') || ''};
}"""

# FOCUS_JS plus a key that names the focused element, to see the focus come round again.
WALK_JS = "() => { const stop = (" + FOCUS_JS + ")(); if (stop) { const e = document.activeElement; " \
          "if (!e.__readingKey) e.__readingKey = Math.random(); stop.key = e.__readingKey; } return stop; }"

PRINT_JS = "() => {" + _HELPERS_JS + r"""
  const out = {details: [], tabs: [], copy: [], links: []};
  // Exercise solutions stay folded on paper by design (hooks/exercises.py):
  // a printed exercise sheet does not give the answers away.
  article.querySelectorAll('details:not(.exercise-solution)').forEach(d => {
    const summary = d.querySelector(':scope > summary');
    const body = Array.from(d.children).filter(c => c !== summary);
    out.details.push({cell: cellOf(d), title: summary ? summary.textContent.trim() : '',
                      shown: body.length > 0 && body.every(c => visible(c))});
  });
  article.querySelectorAll('.tabbed-block').forEach((b, i) => out.tabs.push({index: i, shown: visible(b)}));
  document.querySelectorAll('.md-clipboard, clipboard-copy, .zeroclipboard-container, button.md-code__button').forEach(c => {
    if (visible(c)) out.copy.push({cell: cellOf(c), what: name(c)});
  });
  // A table on paper shows every column: nothing scrolls on a printed page.
  out.tables = [];
  article.querySelectorAll('table').forEach((t, i) => {
    if (!visible(t)) return;
    const box = t.closest('.md-typeset__scrollwrap') || t.parentElement;
    const cut = box.scrollWidth > box.clientWidth + 1 || t.scrollWidth > t.clientWidth + 1 ||
                t.getBoundingClientRect().right > document.documentElement.clientWidth + 1;
    const first = t.querySelector('th, td');
    out.tables.push({cell: cellOf(t), index: i + 1, first: first ? first.textContent.trim().slice(0, 30) : '',
                     width: Math.round(t.scrollWidth), cut});
  });
  article.querySelectorAll('a[href^="http://"], a[href^="https://"]').forEach(a => {
    if (!visible(a) || new URL(a.href).host === location.host) return;
    const after = getComputedStyle(a, '::after').content || '';
    const text = a.textContent.replace(/\s+/g, '');
    const href = a.getAttribute('href');
    out.links.push({cell: cellOf(a), href, shown: after.includes(href) || text === href.replace(/\s+/g, '')});
  });
  return out;
}"""

# The rendered figure's pixels (a PNG screenshot, as a data URL): mean
# luminance and the contrast between its darkest and lightest 2 %.
PIXELS_JS = r"""async (url) => {
  const img = new Image(); img.src = url; await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const lin = c => { c /= 255; return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const values = [];
  for (let i = 0; i < data.length; i += 4)
    values.push(0.2126 * lin(data[i]) + 0.7152 * lin(data[i + 1]) + 0.0722 * lin(data[i + 2]));
  values.sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const low = values[Math.floor(values.length * 0.02)], high = values[Math.floor(values.length * 0.98)];
  return {mean, contrast: (high + 0.05) / (low + 0.05)};
}"""

# The enlarged figure, and whether its Close button is still on screen once
# the dialog is scrolled to the figure's far corner.
ENLARGED_JS = r"""() => {
  const dialog = document.querySelector('dialog[open]');
  if (!dialog) return null;
  const img = dialog.querySelector('img');
  const seen = img ? {width: Math.round(img.getBoundingClientRect().width), natural: img.naturalWidth,
                      alt: img.getAttribute('alt') || ''} : {width: 0, natural: 0, alt: ''};
  dialog.scrollTo(dialog.scrollWidth, dialog.scrollHeight);
  const close = [...dialog.querySelectorAll('button')].find(b => /close/i.test(b.textContent + (b.getAttribute('aria-label') || '')));
  const r = close && close.getBoundingClientRect();
  seen.close_in_view = !!r && r.width > 0 && r.left >= 0 && r.top >= 0 &&
    r.right <= document.documentElement.clientWidth && r.bottom <= document.documentElement.clientHeight;
  dialog.scrollTo(0, 0);
  return seen;
}"""

TABLES_JS = "() => {" + _HELPERS_JS + r"""
  const out = [];
  article.querySelectorAll('table').forEach((table, index) => {
    const rows = Array.from(table.querySelectorAll('tbody tr'));
    const columns = table.querySelectorAll('thead th').length;
    if (columns < 2 || table.closest('.jp-OutputArea-output') || !visible(table)) return;
    let scroller = null;
    for (let a = table.parentElement; a && a !== article; a = a.parentElement)
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX) && a.scrollWidth > a.clientWidth + 1) { scroller = a; break; }
    const view = scroller ? scroller.getBoundingClientRect() : columnBox();
    const fits = rows.every(row => Array.from(row.cells).every(c => {
      const r = c.getBoundingClientRect();
      return r.left >= view.left - 1 && r.right <= (view.right || view.left + view.width) + 1;
    }));
    let keeps = false;
    if (scroller) {
      scroller.scrollLeft = scroller.scrollWidth;
      const v = scroller.getBoundingClientRect();
      keeps = rows.every(row => { const r = row.cells[0].getBoundingClientRect();
                                  return r.left >= v.left - 1 && r.right <= v.right + 1; });
      scroller.scrollLeft = 0;
    }
    out.push({index, columns, rows: rows.length, fits, first_column_kept: keeps,
              head: (table.querySelector('thead th') || {}).textContent || ''});
  });
  return out;
}"""


# --------------------------------------------------------------------------
# One reading of one page
# --------------------------------------------------------------------------

@dataclass
class Reading:
    page: str                      # /notebooks/05-de-identification/
    viewport: dict
    scheme: str                    # Material's: default or slate
    cells: dict = field(default_factory=dict)    # cell id -> index in the notebook
    layout: dict = field(default_factory=dict)
    stops: list = field(default_factory=list)    # the Tab order from the top of the page
    after_skip: list = field(default_factory=list)  # Tab stops after following the skip link
    skip_target: str = ""
    figures: list = field(default_factory=list)  # per figure: enlarged view and pixels
    printed: dict = field(default_factory=dict)
    tables: list = field(default_factory=list)
    shown_scheme: str = ""

    @property
    def label(self) -> str:
        scheme = "dark" if self.scheme == "slate" else "light"
        return f"{self.page} [{self.viewport['width']} px, {scheme}]"

    def place(self, item: dict) -> str:
        cell = item.get("cell")
        if cell is None:
            return ""
        index = self.cells.get(cell)
        return f"cell {index}: " if index is not None else f"cell id {cell}: "


def cell_indices(notebook: Path | None) -> dict[str, int]:
    if notebook is None:
        return {}
    cells = nbformat.read(notebook, as_version=4).cells
    return {cell.get("id"): index for index, cell in enumerate(cells) if cell.get("id")}


def read_page(browser, base_url: str, path: str, viewport: dict, scheme: str, *,
              notebook: Path | None = None, keyboard: bool = True, screenshot: Path | None = None) -> Reading:
    """Open `path` at `viewport` with the colour scheme `scheme` (Material's
    `default` or `slate`, chosen through prefers-color-scheme) and record it."""
    emulated = "dark" if scheme == "slate" else "light"
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, color_scheme=emulated, is_mobile=phone,
                                  has_touch=phone, device_scale_factor=1)
    page = context.new_page()
    reading = Reading(page="/" + path, viewport=viewport, scheme=scheme, cells=cell_indices(notebook))
    try:
        url = urljoin(base_url, path)
        open_page(page, url)
        reading.shown_scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme') || ''")
        reading.layout = page.evaluate(MEASURE_JS, MIN_TABLE_TEXT_PX)
        reading.tables = page.evaluate(TABLES_JS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            full_page_screenshot(page, screenshot)
        reading.figures = [inspect_figure(page, figure, scheme) for figure in reading.layout["figures"]]
        if keyboard:  # the walks start where nothing on the page has focus
            open_page(page, url)
            reading.stops, left_the_page = walk_tab_order(page)
            if not left_the_page:  # the focus never left the page (a trap?): start again from a fresh load
                open_page(page, url)
            reading.skip_target, reading.after_skip = follow_skip_link(page)
        page.set_viewport_size({"width": PAPER_WIDTH_PX, "height": viewport["height"]})
        page.emulate_media(media="print")
        reading.printed = page.evaluate(PRINT_JS)
    finally:
        context.close()
    return reading


def walk_tab_order(page) -> tuple[list[dict], bool]:
    """Every Tab stop from the top of a freshly loaded page until the focus
    leaves the page or comes round again; and whether it left the page (then,
    as on a fresh load, nothing has focus and the next Tab starts at the top)."""
    stops, seen = [], set()
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(WALK_JS)
        if stop is None:
            return stops, True
        key = stop.pop("key")
        if key in seen:
            break
        seen.add(key)
        stops.append(stop)
    return stops, False


def follow_skip_link(page, limit: int = 12) -> tuple[str, list[dict]]:
    """Tab to the skip link, follow it, then record the next `limit` Tab stops."""
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_JS)
    if not first or not first["skip"]:
        return "", []
    target = first["href"]
    page.keyboard.press("Enter")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_JS)
        if stop is None:
            break
        stops.append(stop)
    return target, stops


def inspect_figure(page, figure: dict, scheme: str) -> dict:
    """The figure's rendered pixels and, when it offers it, its enlarged view."""
    result = {"cell": figure["cell"], "enlarged": None, "closed": None, "pixels": None}
    image = page.locator(".jp-OutputArea-output img").nth(figure["index"])
    image.scroll_into_view_if_needed()
    png = image.screenshot(animations="disabled")
    result["pixels"] = page.evaluate(PIXELS_JS, "data:image/png;base64," + base64.b64encode(png).decode())
    if figure["enlargeable"]:
        control = image.locator("xpath=ancestor-or-self::*[self::button or self::a[@href]][1]")
        control.click()
        try:
            page.wait_for_selector("dialog[open] img", timeout=3_000)
        except Exception:
            pass
        result["enlarged"] = page.evaluate(ENLARGED_JS)
        page.keyboard.press("Escape")
        result["closed"] = page.evaluate("() => !document.querySelector('dialog[open]')")
    return result


# --------------------------------------------------------------------------
# Problems, one line each
# --------------------------------------------------------------------------

def box_problems(r: Reading) -> list[str]:
    column = r.layout["column"]
    return [f"{r.label}: {r.place(b)}{b['kind']} box {b['what']} is {b['width']} px, "
            f"{b['width'] / column:.0%} of the {column:.0f} px text column (needs >= {MIN_BOX_SHARE:.0%})"
            for b in r.layout["boxes"] if b["width"] < MIN_BOX_SHARE * column]


def break_problems(r: Reading) -> list[str]:
    return [f"{r.label}: {r.place(b)}{b['kind']} text breaks mid-word: {b['text']!r}" for b in r.layout["breaks"]]


def overflow_problems(r: Reading) -> list[str]:
    width = r.layout["viewport"]
    problems = []
    for w in r.layout["wide"]:
        where = f"{r.label}: {r.place(w)}{w['what']} spans {w['left']}..{w['right']} px, past the {width} px viewport"
        problems.append(f"{where}, cut off by {w['clipped_by']} (overflow hidden) instead of scrolling in it"
                        if w["clipped_by"] else f"{where}, and no scrolling box holds it (the page scrolls sideways)")
    return problems


def covering_problems(r: Reading) -> list[str]:
    return [f"{r.label}: {r.place(c)}the copy button {c['what']} covers the code it copies"
            for c in r.layout["covering"]]


def scroller_problems(r: Reading) -> list[str]:
    problems = []
    for s in r.layout["scrollers"]:
        missing = [what for what, ok in (("keyboard focus (tabindex)", s["focusable"]),
                                         ("an accessible name", s["named"] or not s["focusable"]),
                                         ("an edge shadow showing more to scroll", s["cue"])) if not ok]
        if missing:
            problems.append(f"{r.label}: {r.place(s)}{s['what']} scrolls sideways ({s['content']} px of content "
                            f"in {s['box']} px) without {', '.join(missing)}")
    return problems


def figure_problems(r: Reading) -> list[str]:
    column = r.layout["column"]
    problems = []
    for figure, seen in zip(r.layout["figures"], r.figures):
        where = f"{r.label}: {r.place(figure)}figure {figure['index'] + 1}"
        if figure["width"] > column + 1:
            problems.append(f"{where} is {figure['width']} px, wider than the {column:.0f} px column")
        phone = r.viewport["width"] < 600
        if phone and figure["width"] < MIN_BOX_SHARE * column and not figure["enlargeable"]:
            problems.append(f"{where} is {figure['width']} px on a {column:.0f} px phone column "
                            "and cannot be enlarged")
    return problems


def enlarge_problems(r: Reading) -> list[str]:
    problems = []
    for figure, seen in zip(r.layout["figures"], r.figures):
        where = f"{r.label}: {r.place(figure)}figure {figure['index'] + 1}"
        if not figure["enlargeable"]:
            problems.append(f"{where} does not open full size on tap (it is not a button or link)")
            continue
        enlarged = seen["enlarged"]
        if not enlarged:
            problems.append(f"{where}: tapping it opened no dialog with the image")
            continue
        wanted = min(figure["natural"], max(figure["width"] + 1, 0))
        if enlarged["width"] < min(figure["natural"], r.viewport["width"]) * 0.95 or enlarged["width"] < wanted:
            problems.append(f"{where}: the enlarged view is {enlarged['width']} px "
                            f"(the image is {figure['natural']} px wide)")
        if not enlarged["alt"]:
            problems.append(f"{where}: the enlarged image has no alt text")
        if not enlarged["close_in_view"]:
            problems.append(f"{where}: scrolled to the enlarged figure's far corner, the dialog's Close "
                            "button is off screen")
        if not seen["closed"]:
            problems.append(f"{where}: Escape did not close the enlarged view")
    return problems


def dark_figure_problems(r: Reading) -> list[str]:
    if r.scheme != "slate":
        return []
    problems = []
    for figure, seen in zip(r.layout["figures"], r.figures):
        pixels = seen["pixels"]
        where = f"{r.label}: {r.place(figure)}figure {figure['index'] + 1}"
        if pixels["mean"] > DARK_FIGURE_MAX_LUMINANCE:
            problems.append(f"{where} is a bright panel in dark mode (mean luminance {pixels['mean']:.2f}, "
                            f"needs <= {DARK_FIGURE_MAX_LUMINANCE})")
        if pixels["contrast"] < FIGURE_MIN_CONTRAST:
            problems.append(f"{where}: its lines and labels have contrast {pixels['contrast']:.1f}:1 "
                            f"against its background (needs >= {FIGURE_MIN_CONTRAST}:1)")
    return problems


def skip_link_problems(r: Reading, title_id: str | None) -> list[str]:
    if not r.skip_target:
        return [f"{r.label}: the first Tab stop is not a skip link"]
    problems = []
    if title_id and r.skip_target != f"#{title_id}":
        problems.append(f"{r.label}: the skip link goes to {r.skip_target}, not the page title #{title_id}")
    colab = next((n for n, stop in enumerate(r.after_skip, 1) if stop["colab"]), None)
    if colab is None or colab > MAX_TAB_STOPS_TO_COLAB:
        found = next((n for n, stop in enumerate(r.stops, 1) if stop["colab"]), None)
        problems.append(f"{r.label}: Open in Colab is not within {MAX_TAB_STOPS_TO_COLAB} Tab stops after the "
                        f"skip link (after it: {[s['what'] for s in r.after_skip[:MAX_TAB_STOPS_TO_COLAB]]}; "
                        f"from the top of the page it is Tab stop {found})")
    return problems


def tab_stop_problems(r: Reading) -> list[str]:
    problems = []
    for number, stop in enumerate(r.stops, 1):
        where = f"{r.label}: Tab stop {number}: {r.place(stop)}{stop['what']}"
        if not stop["operable"] and not stop["scrolls"]:
            problems.append(f"{where} takes focus but is neither a control nor a scrolling box")
        if not stop["indicator"]:
            problems.append(f"{where} shows no focus indicator (no outline or ring)")
        if not stop["on_screen"]:
            problems.append(f"{where} is off screen when focused (at x={stop['at'][0]}, y={stop['at'][1]} px): "
                            "the focus disappears")
    return problems


def print_problems(r: Reading) -> list[str]:
    p = r.printed
    problems = [f"{r.label}: print: {r.place(d)}the body of details {d['title']!r} is hidden"
                for d in p["details"] if not d["shown"]]
    problems += [f"{r.label}: print: tab {t['index'] + 1}'s content is hidden" for t in p["tabs"] if not t["shown"]]
    problems += [f"{r.label}: print: {r.place(c)}copy button {c['what']} is printed" for c in p["copy"]]
    problems += [f"{r.label}: print: {r.place(link)}the link to {link['href']} prints without its address"
                 for link in p["links"] if not link["shown"]]
    problems += [f"{r.label}: print: {r.place(t)}table {t['index']} (first heading {t['first']!r}, {t['width']} px) "
                 f"is cut off on paper ({PAPER_WIDTH_PX} px wide)" for t in p["tables"] if t["cut"]]
    return problems


def launch_bar_problems(r: Reading) -> list[str]:
    bar, title = r.layout["launch_bar"], r.layout["title_top"]
    if bar is None or title is None:
        return [f"{r.label}: no launch bar (nav.launch-bar) or no h1 title"]
    problems = []
    if bar["before_title"] or bar["top"] < title:
        problems.append(f"{r.label}: the launch bar (top {bar['top']} px) comes before the title "
                        f"(top {title} px); the title comes first")
    most = PHONE_LAUNCH_BAR_MAX_SHARE * r.viewport["height"]
    if r.viewport["width"] < 600 and bar["height"] > most:
        problems.append(f"{r.label}: the launch bar is {bar['height']} px tall on a phone "
                        f"(compact: at most a quarter of the {r.viewport['height']} px screen, {most:.0f} px)")
    return problems


def leftover_problems(r: Reading) -> list[str]:
    problems = [f"{r.label}: {r.place(p)}notebook prompt {p['text']!r} is shown" for p in r.layout["prompts"]]
    problems += [f"{r.label}: {r.place(t)}test-tool tag {t['text']!r} is shown" for t in r.layout["tags"]]
    return problems


def text_size_problems(r: Reading) -> list[str]:
    return [f"{r.label}: {r.place(s)}{s['what']} {s['text']!r} is set at {s['size']:.1f} px "
            f"against {s['body']:.0f} px body text (needs >= {MIN_TABLE_TEXT_PX} px)"
            for s in r.layout["small_text"]]


def table_problems(r: Reading) -> list[str]:
    """On a phone every table fits the column (stacked as cards when it must);
    on a desktop a comparison table (COMPARISON_COLUMNS or more columns) may
    scroll if it keeps its first column in view, and any other table fits."""
    phone = r.viewport["width"] < 600
    problems = []
    for t in r.tables:
        if t["fits"]:
            continue
        where = f"{r.label}: table {t['index'] + 1} ({t['columns']} columns, first {t['head']!r})"
        if phone:
            problems.append(f"{where} is wider than the phone's column: its last columns are cut off "
                            "until scrolled (stack it as one card per row)")
        elif t["columns"] < COMPARISON_COLUMNS:
            problems.append(f"{where} does not fit its column")
        elif not t["first_column_kept"]:
            problems.append(f"{where} does not fit its column and does not keep its first column in view "
                            "when scrolled")
    return problems
