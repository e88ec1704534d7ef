"""Every page of the built site on a phone-sized screen (375x740): the
navigation drawer opens and nothing makes the page scroll sideways."""
from __future__ import annotations

from urllib.parse import urljoin

import pytest

from browser_support import PHONE_VIEWPORT, open_page, report, site_pages

pytestmark = pytest.mark.browser

# Elements sticking out past the right edge, widest first (for the failure message).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');
  const out = [];
  document.querySelectorAll('body *').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > width + 1) out.push([Math.round(r.right), name(e)]);
  });
  out.sort((a, b) => b[0] - a[0]);
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width,
          culprits: out.slice(0, 3).map(([right, n]) => n + ' (right edge ' + right + 'px)')};
}"""

DRAWER_OPEN_JS = """() => {
  const nav = document.querySelector('.md-sidebar--primary');
  if (!nav || !document.getElementById('__drawer').checked) return false;
  const r = nav.getBoundingClientRect();
  return r.left >= -1 && r.width > 0 && r.left < window.innerWidth;
}"""

# The drawer shows the panel of the page's section; links of the panels it covers are hidden.
DRAWER_LINK_SHOWN_JS = """() => Array.from(document.querySelectorAll('.md-sidebar--primary .md-nav__link'))
  .some(link => link.checkVisibility({visibilityProperty: true}) && link.getClientRects().length > 0)"""


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    yield context
    context.close()


@pytest.fixture(scope="module")
def phone_visits(phone, built_site, site_url):
    """Each page at phone size: its overflow and whether the drawer opened."""
    visits = {}
    page = phone.new_page()
    for path in site_pages(built_site):
        open_page(page, urljoin(site_url, path))
        overflow = page.evaluate(OVERFLOW_JS)
        menu = page.locator(".md-header label[for='__drawer']")
        drawer_opened = False
        if menu.is_visible():
            menu.click()
            try:
                page.wait_for_function(DRAWER_OPEN_JS, timeout=3_000)
                drawer_opened = page.evaluate(DRAWER_LINK_SHOWN_JS)
            except Exception:
                drawer_opened = False
        visits["/" + path] = {"overflow": overflow, "menu": menu.is_visible() or drawer_opened,
                              "drawer_opened": drawer_opened}
    page.close()
    return visits


def test_every_page_fits_a_phone_screen_without_sideways_scrolling(phone_visits):
    problems = [
        f"{page}: scrollWidth {v['overflow']['scrollWidth']} > clientWidth "
        f"{v['overflow']['clientWidth']}; wide: {', '.join(v['overflow']['culprits'])}"
        for page, v in phone_visits.items()
        if v["overflow"]["scrollWidth"] > v["overflow"]["clientWidth"]
    ]
    assert not problems, report(problems, f"at {PHONE_VIEWPORT['width']}x{PHONE_VIEWPORT['height']} "
                                          "no page scrolls sideways")


def test_every_page_opens_its_navigation_drawer_on_a_phone(phone_visits):
    problems = [f"{page}: " + ("no menu button in the header" if not v["menu"]
                               else "the menu button did not open the navigation drawer")
                for page, v in phone_visits.items() if not v["drawer_opened"]]
    assert not problems, report(problems, "on a phone the menu button opens the navigation")


# The focused element: where it is, whether it is in the drawer and drawn, and the drawer's state.
FOCUS_JS = """() => {
  // Something else drawn over the element's middle (another drawer panel, say).
  const covered = (e, r) => {
    const x = Math.min(Math.max((r.left + r.right) / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max((r.top + r.bottom) / 2, 0), innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    return !top || !(top === e || e.contains(top) || top.contains(e));
  };
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const drawer = document.querySelector('.md-sidebar--primary');
  return {what: e.tagName.toLowerCase() + ' ' + JSON.stringify((e.textContent || '').trim().slice(0, 30)),
          menu: e.matches('.md-header label[for="__drawer"]'), in_drawer: !!drawer && drawer.contains(e),
          seen: e.checkVisibility({visibilityProperty: true, opacityProperty: true}) &&
                r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight && !covered(e, r),
          at: [Math.round(r.left), Math.round(r.top)], open: document.getElementById('__drawer').checked};
}"""
KEYBOARD_DRAWER_PAGES = ["chapter-1/colab/notebook-options/", "notebooks/04-gpus-and-tpus/"]


def drawer_from_the_keyboard(page, url: str) -> list[str]:
    """Problems a keyboard user meets with the navigation drawer on `url`."""
    open_page(page, url)
    problems, where = [], url.split("/course", 1)[-1]
    for _ in range(6):
        page.keyboard.press("Tab")
        if (page.evaluate(FOCUS_JS) or {}).get("menu"):
            break
    else:
        return [f"{where}: the menu button is not among the first 6 Tab stops"]
    page.keyboard.press("Enter")
    try:
        page.wait_for_function(DRAWER_OPEN_JS, timeout=3_000)   # slid in
    except Exception:
        pass
    focus = page.evaluate(FOCUS_JS)
    if not (focus and focus["open"] and focus["in_drawer"]):
        return [f"{where}: Enter on the menu button did not open the drawer and move the focus into it ({focus})"]
    for number in range(1, 60):
        if not focus["seen"]:
            problems.append(f"{where}: drawer Tab stop {number}, {focus['what']} at {focus['at']}, is not seen")
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        if not focus or not focus["in_drawer"]:
            break
    if focus and focus["open"]:
        problems.append(f"{where}: the focus left the drawer ({focus['what']}) and the drawer stayed open over it")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Escape")
    focus = page.evaluate(FOCUS_JS)
    if focus and focus["open"]:
        problems.append(f"{where}: Escape did not close the drawer")
    return problems


def test_the_navigation_drawer_works_from_the_keyboard_showing_every_stop_in_it(phone, site_url):
    page = phone.new_page()
    problems = [p for path in KEYBOARD_DRAWER_PAGES for p in drawer_from_the_keyboard(page, urljoin(site_url, path))]
    page.close()
    assert not problems, report(problems, "on a phone the drawer opens with Enter on the menu button, shows "
                                          "each Tab stop in it, and closes with Escape or when the focus leaves")
