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

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PROCEDURE = "assurance-and-guidance/advice-and-guidance-create-request/index.html"
# One page of each type (the NI edition has the same templates; axe sees all of its pages),
# and the NI procedure, whose words (and so line lengths) differ.
PAGE_TYPES = {
    "home": "gb/index.html",
    "section overview": "gb/assurance-and-guidance/index.html",
    "procedure": f"gb/{PROCEDURE}",
    "procedure (NI)": f"ni/{PROCEDURE}",
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

# Where the focused element is, and what is wrong with where it is: what a person sees a
# moment after the key press. So first wait until the page is still: Material's script
# answers a scroll a frame or two later (it resizes the sticky sidebars, shows the tabs again
# near the top), and transitions that move or show things (the skip link sliding in, the tabs
# fading in, the search overlay fading out) run their course. Colour fades (every link's
# focus colour) and the header swapping its title for the page's move nothing a focused
# element could be under, and waiting for them made the walk of a long page ten times slower.
FOCUS_PROBLEMS = """async () => {
  const paintOnly = new Set(["color", "background-color", "border-color", "box-shadow", "outline-color", "text-decoration-color", "fill"]);
  const moving = () => document.getAnimations().filter(a =>
    a.effect && a.effect.getComputedTiming().endTime !== Infinity && a.playState !== "finished"
    && !paintOnly.has(a.transitionProperty)
    && !(a.effect.target && a.effect.target.closest && a.effect.target.closest(".md-header__title")));
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
  const layout = () => JSON.stringify([scrollX, scrollY, document.activeElement && document.activeElement.getBoundingClientRect(),
    [...document.querySelectorAll(".md-sidebar, .md-sidebar__scrollwrap")].map(e => [e.getBoundingClientRect(), e.scrollTop])]);
  let before = layout();
  const started = performance.now();
  for (let i = 0; i < 40 && performance.now() - started < 2000; i++) {
    await frame();
    const running = moving();
    if (running.length) {
      await Promise.race([
        Promise.all(running.map(a => a.finished.catch(() => null))),
        new Promise(resolve => setTimeout(resolve, 600)),
      ]);
    } else if (layout() === before) {
      break;
    }
    before = layout();
  }
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


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_feedback_question_as_served_passes_axe_and_the_keyboard_walk(page, kb_server, width):
    """The question "Is this page useful?" shows only with the search service, so the static runs above
    never see it: here it is served by `kb serve`, its reasons opened (no answer sent)."""
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    page.goto(f"{kb_server}/gb/{PROCEDURE}")
    question = page.get_by_role("region", name="Is this page useful?")
    question.wait_for()
    question.get_by_role("button", name="No this page is not useful").click()
    assert question.get_by_role("radio").count() == 4
    assert axe_findings(page) == []
    page.evaluate("document.activeElement.blur()")
    start_at_the_end(page)
    stops = walk(page, "Shift+Tab")
    in_question = [stop for stop in stops if "kb-feedback" in stop["name"] or "reason" in stop["name"]]
    assert in_question, "the walk never reached the question"
    assert [f"{stop['name']} is {', '.join(stop['problems'])}" for stop in stops if stop["problems"]] == []


def test_focus_moved_back_up_the_page_is_not_under_the_header(page, static_server):
    """The case the issue measured: Shift+Tab from the bottom of a procedure at 1,280×800."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    start_at_the_end(page)
    covered = [stop["name"] for stop in walk(page, "Shift+Tab") if any("covered" in p for p in stop["problems"])]
    assert covered == []


# --- forced colours --------------------------------------------------------------------------

# The contrast of an element's paint (its colour, or for an icon drawn through a mask its
# background colour) against what lies behind it: the backgrounds of its ancestors composited
# until one is opaque. Forced colours keep an author colour's alpha, so comparing colour
# strings is not enough: black at 10% over black is still black.
CONTRAST = """([element, pseudo, property]) => {
  const rgba = text => {
    const [r, g, b, a = 1] = text.match(/[\\d.]+/g).map(Number);
    return { r, g, b, a: text.startsWith("rgba") ? a : 1 };
  };
  const over = (top, bottom) => {
    const a = top.a + bottom.a * (1 - top.a);
    const mix = k => (top[k] * top.a + bottom[k] * bottom.a * (1 - top.a)) / (a || 1);
    return { r: mix("r"), g: mix("g"), b: mix("b"), a };
  };
  const layers = [];
  for (let n = element; n && n.nodeType === 1; n = n.parentElement) {
    const colour = rgba(getComputedStyle(n).backgroundColor);
    if (colour.a > 0) layers.push(colour);
    if (colour.a >= 1) break;
  }
  const canvas = rgba(getComputedStyle(document.documentElement).backgroundColor);
  let behind = canvas.a >= 1 ? canvas : { r: 255, g: 255, b: 255, a: 1 };
  for (const layer of layers.reverse()) behind = over(layer, behind);
  const paint = over(rgba(getComputedStyle(element, pseudo)[property]), behind);
  const luminance = c => {
    const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  const [l1, l2] = [luminance(paint), luminance(behind)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}"""


def pages_by_admonition_type(built_site) -> dict[str, str]:
    """For each kind of box (note, tip, warning, ...) on the GB pages, one page that has it."""
    found: dict[str, str] = {}
    gb = built_site.site / "gb"
    for html in sorted(gb.rglob("*.html")):
        for kind in re.findall(r'class="admonition ([a-z]+)', html.read_text(encoding="utf-8")):
            found.setdefault(kind, html.relative_to(built_site.site).as_posix())
    return found


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_forced_colours_keep_admonition_icons_visible(page, static_server, built_site, scheme):
    """Windows high contrast: each kind of box keeps its icon at 3:1 against the box (WCAG
    1.4.11); Material paints it with a background colour, which forced colours replace by
    the background's own."""
    kinds = pages_by_admonition_type(built_site)
    assert len(kinds) >= 2
    page.emulate_media(forced_colors="active", color_scheme=scheme)
    faint = {}
    for kind, path in kinds.items():
        page.goto(f"{static_server}/{path}")
        title = page.locator(f".admonition.{kind} > .admonition-title").first
        contrast = title.evaluate(f"(e) => ({CONTRAST})([e, '::before', 'backgroundColor'])")
        if contrast < 3:
            faint[kind] = round(contrast, 2)
    assert faint == {}


def test_forced_colours_keep_marks_and_focus_visible(page, static_server):
    page.emulate_media(forced_colors="active", color_scheme="dark")
    page.goto(f"{static_server}/gb/{PROCEDURE}")
    page.keyboard.press("/")
    page.keyboard.type("service request")
    marks = page.locator("#kb-search-header-results mark")
    marks.first.wait_for()  # the words found, marked in the search results
    assert marks.first.evaluate(f"(m) => ({CONTRAST})([m, null, 'color'])") >= 4.5
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
