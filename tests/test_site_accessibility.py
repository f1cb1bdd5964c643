"""Accessibility of the built site beyond what a default axe run sees (issue 15).

- axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules plus target-size, on every built
  page of both editions (and the edition picker) at 1,280 and 320 px;
- a keyboard walk (Tab forwards, Shift+Tab backwards) of each page type at 320, 1,024 and
  1,280 px that fails when a focused element is off-screen, invisible or under the sticky
  header (or anything else fixed to the screen);
- forced colours (Windows high contrast): admonition icons, marks and focus stay visible;
- 200% text size: every tab and breadcrumb link stays on screen, none clipped;
- the edition picker in the site's own look with large targets; the tags page compact and
  sorted as a reader expects.

One real build (conftest's `built_site`, shared by the session) and one browser; the axe runs
reuse one page per width.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PROCEDURE = "assurance-and-guidance/advice-and-guidance-create-request/index.html"
# One page of each type (the NI edition has the same templates; axe sees all of its pages).
PAGE_TYPES = {
    "home": "gb/index.html",
    "section overview": "gb/assurance-and-guidance/index.html",
    "procedure": f"gb/{PROCEDURE}",
    "glossary": "gb/glossary.html",
    "SR check": "gb/check-before-you-raise-an-sr.html",
    "what's changed": "gb/whats-changed.html",
    "tags": "gb/tags.html",
    "edition picker": "index.html",
}
WIDTHS = {"phone": (320, 640), "tablet": (1024, 768), "desktop": (1280, 800)}
DRAWER = ".md-sidebar--primary"


@pytest.fixture(autouse=True)
def nothing_leaves_the_machine(page):
    yield
    assert page.request_log.external() == []


def every_page(built_site) -> list[str]:
    """Every built HTML page, relative to the site root: both editions and the picker."""
    site = built_site.site
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


# --- axe on every page -----------------------------------------------------------------------

AXE = Axe()
# WCAG 2.0, 2.1 and 2.2 at levels A and AA; target-size (WCAG 2.2's 2.5.8) named as well, so
# it runs whichever way a later axe tags it.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}


def axe_findings(page) -> list[str]:
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in violations
    ]


def test_axe_runs_the_target_size_rule(page, static_server):
    """The options above really run target-size (axe leaves it out by default)."""
    page.goto(f"{static_server}/gb/index.html")
    results = AXE.run(page, options={**AXE_OPTIONS, "resultTypes": ["passes", "violations", "incomplete"]}).response
    ran = {rule["id"] for kind in ("passes", "violations", "incomplete") for rule in results[kind]}
    assert "target-size" in ran


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_axe_finds_nothing_on_any_page(page, static_server, built_site, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    pages = every_page(built_site)
    assert len(pages) > 40  # both editions, every page
    findings = {}
    for path in pages:
        page.goto(f"{static_server}/{path}")
        found = axe_findings(page)
        if found:
            findings[path] = found
    assert findings == {}


# --- keyboard walk ---------------------------------------------------------------------------

# Where the focused element is, and what is wrong with where it is. Called after each key
# press, once running transitions (the skip link sliding in, the tabs fading in, the search
# overlay fading out) have finished: what a person sees a moment later.
FOCUS_PROBLEMS = """async () => {
  const finite = document.getAnimations().filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.race([
    Promise.all(finite.map(a => a.finished.catch(() => null))),
    new Promise(resolve => setTimeout(resolve, 600)),
  ]);
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const name = el.outerHTML.slice(0, 140).replace(/\\s+/g, " ");
  const r = el.getBoundingClientRect();
  const problems = [];
  let opacity = 1;
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
  if (getComputedStyle(el).visibility !== "visible") problems.push("invisible (visibility)");
  if (opacity < 0.2) problems.push("invisible (opacity " + opacity.toFixed(2) + ")");
  if (r.width < 1 || r.height < 1) problems.push("has no size");
  const onScreen = r.right > 0 && r.left < innerWidth && r.bottom > 0 && r.top < innerHeight;
  if (!onScreen) {
    problems.push(`off-screen at x=${Math.round(r.left)}, y=${Math.round(r.top)}`);
  } else if (r.height < innerHeight) {
    if (r.top < 0 || r.bottom > innerHeight) problems.push(`partly off-screen at y=${Math.round(r.top)}`);
    // Anything fixed or sticky (the header, the back-to-top button) over the element?
    const x = Math.min(Math.max(r.left + Math.min(r.width / 2, 8), 0), innerWidth - 1);
    for (const y of [r.top + 2, r.top + r.height / 2, r.bottom - 2]) {
      if (y < 0 || y >= innerHeight) continue;
      const hit = document.elementFromPoint(x, y);
      if (!hit || el.contains(hit) || hit.contains(el)) continue;
      for (let n = hit; n && n.nodeType === 1; n = n.parentElement) {
        const position = getComputedStyle(n).position;
        if ((position === "fixed" || position === "sticky") && !n.contains(el)) {
          problems.push(`covered by ${n.tagName.toLowerCase()}.${n.className}`);
          break;
        }
      }
    }
  }
  return { name, problems, inDrawer: !!el.closest(".md-sidebar--primary") };
}"""
MAX_STOPS = 300


def walk(page, key: str) -> list[dict]:
    """Press key (Tab or Shift+Tab) until focus leaves the page or comes back round; what each
    stop reported."""
    stops: list[dict] = []
    first = None
    for _ in range(MAX_STOPS):
        page.keyboard.press(key)
        stop = page.evaluate(FOCUS_PROBLEMS)
        if stop is None:
            break
        if first is None:
            first = stop["name"]
        elif stop["name"] == first:
            break
        stops.append(stop)
    return stops


def start_at_the_end(page) -> None:
    """Focus on the page's last stop, scrolled to the bottom, ready to Shift+Tab back up."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.evaluate(
        """() => {
          const focusable = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
            .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length && getComputedStyle(e).visibility === 'visible' && !e.closest('[inert]'));
          focusable[focusable.length - 1].focus();
        }"""
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_every_tab_stop_is_visible_on_screen_and_uncovered(page, static_server, page_type, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    page.goto(f"{static_server}/{PAGE_TYPES[page_type]}")
    forwards = walk(page, "Tab")
    assert len(forwards) >= 2, "the walk found almost no Tab stops"
    start_at_the_end(page)
    backwards = walk(page, "Shift+Tab")
    assert len(backwards) >= 2
    bad = [
        f"{direction}: {stop['name']} is {', '.join(stop['problems'])}"
        for direction, stops in (("Tab", forwards), ("Shift+Tab", backwards))
        for stop in stops
        if stop["problems"]
    ]
    assert bad == []


def test_closed_navigation_drawer_takes_no_tab_stops_and_opens_by_keyboard(page, static_server):
    """Below 1,220 px the navigation is a drawer: closed, Tab skips it; the menu button opens it."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    assert [stop["name"] for stop in walk(page, "Tab") if stop["inDrawer"]] == []

    page.goto(f"{static_server}/gb/{PROCEDURE}")
    menu = page.locator('.md-header label[for="__drawer"]')
    for _ in range(10):
        page.keyboard.press("Tab")
        if menu.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the menu button is not a Tab stop")
    assert menu.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    in_drawer = [stop for stop in walk(page, "Tab") if stop["inDrawer"]]
    assert in_drawer, "the open drawer's links are not Tab stops"
    assert [stop for stop in in_drawer if stop["problems"]] == []
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert menu.evaluate("element => element === document.activeElement")  # focus back on the button
    page.keyboard.press(" ")
    assert menu.get_attribute("aria-expanded") == "true"


def test_focus_moved_back_up_the_page_is_not_under_the_header(page, static_server):
    """The case the issue measured: Shift+Tab from the bottom of a procedure at 1,280×800."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    start_at_the_end(page)
    covered = [stop["name"] for stop in walk(page, "Shift+Tab") if any("covered" in p for p in stop["problems"])]
    assert covered == []


# --- forced colours --------------------------------------------------------------------------

VISIBLE_AGAINST_BACKGROUND = """(element, pseudo) => {
  const own = getComputedStyle(element, pseudo);
  let n = element;
  let background = "rgba(0, 0, 0, 0)";
  while (n && (background === "rgba(0, 0, 0, 0)" || background === "transparent")) {
    background = getComputedStyle(n).backgroundColor;
    n = n.parentElement;
  }
  return { paint: own.backgroundColor, background };
}"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_forced_colours_keep_admonition_icons_visible(page, static_server, scheme):
    page.emulate_media(forced_colors="active", color_scheme=scheme)
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    titles = page.locator(".admonition-title")
    assert titles.count() > 0
    for i in range(titles.count()):
        colours = titles.nth(i).evaluate(VISIBLE_AGAINST_BACKGROUND, "::before")
        assert colours["paint"] != colours["background"], colours  # the icon is painted in the background colour


def test_forced_colours_keep_marks_and_focus_visible(page, static_server):
    page.emulate_media(forced_colors="active", color_scheme="dark")
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    page.keyboard.press("/")
    page.keyboard.type("service request")
    marks = page.locator("#kb-search-header-results mark")
    marks.first.wait_for()  # the words found, marked in the search results
    style = marks.first.evaluate("m => { const s = getComputedStyle(m); return [s.color, s.backgroundColor]; }")
    assert style[0] != style[1]
    page.goto(f"{static_server}/gb/{PROCEDURE}")  # to Tab from the top of the page
    badge = page.locator(".kb-edition__badge").evaluate("b => getComputedStyle(b).borderTopStyle")
    assert badge == "solid"  # the edition badge keeps its box
    for _ in range(4):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
        )
        assert outline[0] == "solid" and outline[1] >= 2, page.evaluate("document.activeElement.outerHTML")


# --- 200% text --------------------------------------------------------------------------------

CLIPPED = """element => {
  const r = element.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return "has no size";
  if (r.left < 0 || r.right > innerWidth) return `off-screen: x=${Math.round(r.left)}..${Math.round(r.right)}`;
  for (let n = element.parentElement; n && n !== document.body; n = n.parentElement) {
    if (getComputedStyle(n).overflowX === "visible") continue;
    const box = n.getBoundingClientRect();
    if (r.left < box.left - 1 || r.right > box.right + 1) return `clipped by ${n.className}`;
  }
  return null;
}"""


@pytest.mark.parametrize("edition", ["gb", "ni"])
def test_at_200_percent_text_every_tab_and_breadcrumb_is_reachable(page, static_server, edition):
    """Text twice its size (Material's root is 125%), as a browser's text-only zoom does."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{static_server}/{edition}/{PROCEDURE}")
    page.add_style_tag(content="html { font-size: 250% !important; }")
    links = page.locator(".md-tabs__link").all() + page.locator(".md-path__link").all()
    assert len(links) > 5
    clipped = {link.inner_text(): link.evaluate(CLIPPED) for link in links}
    assert {text: problem for text, problem in clipped.items() if problem} == {}


# --- the edition picker and the tags page ---------------------------------------------------


def test_edition_picker_is_styled_with_large_targets(page, static_server):
    page.goto(f"{static_server}/")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Times" not in font and font != "serif"
    links = page.locator("main a")
    assert links.count() == 2
    for link in links.all():
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    links.first.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"


def test_edition_picker_is_styled_from_files(page, built_site):
    page.goto((built_site.site / "index.html").as_uri())
    assert page.locator("main a").first.bounding_box()["height"] >= 44


@pytest.mark.parametrize("edition", ["gb", "ni"])
def test_tags_page_is_sorted_as_a_reader_expects_and_set_in_columns(page, static_server, edition):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{static_server}/{edition}/tags.html")
    headings = page.locator('article h2[id^="tag:"]')
    names = [name.strip() for name in headings.all_inner_texts()]
    assert len(names) > 5
    assert names == sorted(names, key=str.casefold)
    lefts = {round(headings.nth(i).bounding_box()["x"]) for i in range(headings.count())}
    assert len(lefts) >= 2, "the tags are one long column"
