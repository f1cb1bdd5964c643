"""What the theme (Material with our overrides) and our renderer write into a built page:
every element, the attributes each may carry, the URL schemes, and the inline scripts.

Derived from what they write, not from a list of known-bad markup: built from the real
content and a synthetic library (every page feature `kb synth` makes), then the elements our
renderer can write that neither happened to use (`code` from backticks). Anything else in a
built page was not written by them, so it came from text that got through: the built-site
check (site/built_html.py) refuses it and nothing is published. After upgrading Material or
changing a template, build both sites and compare with `kb_tools.site.built_html.inventory`.
"""

from __future__ import annotations

_COMMON = frozenset({"class", "id", "role", "hidden", "tabindex", "title", "dir", "lang"})
_ARIA = frozenset({"aria-label", "aria-labelledby", "aria-hidden", "aria-live", "aria-expanded", "aria-controls", "aria-current", "aria-describedby"})

ELEMENTS: dict[str, frozenset[str]] = {
    "html": frozenset(),
    "head": frozenset(),
    "title": frozenset(),
    "meta": frozenset({"charset", "content", "name", "http-equiv"}),
    "link": frozenset({"href", "rel", "type"}),
    "script": frozenset({"src", "type", "data-api"}),
    "noscript": frozenset(),
    "body": frozenset({"data-md-color-accent", "data-md-color-primary", "data-md-color-scheme"}),
    "header": frozenset({"data-md-component"}),
    "main": frozenset({"data-md-component"}),
    "footer": frozenset(),
    "nav": frozenset({"data-md-component", "data-md-level"}),
    "aside": frozenset(),
    "article": frozenset(),
    "div": frozenset({"data-md-component", "data-md-scrollfix", "data-md-type", "data-kb-feedback", "data-page", "data-edition", "data-kb-search", "data-label"}),
    "span": frozenset(),
    "p": frozenset(),
    "strong": frozenset(),
    "code": frozenset(),
    "a": frozenset({"href", "data-md-component", "data-kb-edition-switch"}),
    "h1": frozenset(),
    "h2": frozenset(),
    "h3": frozenset(),
    "ul": frozenset({"data-md-component", "data-md-scrollfix"}),
    "ol": frozenset(),
    "li": frozenset(),
    "form": frozenset({"action", "name"}),
    "fieldset": frozenset(),
    "legend": frozenset(),
    "label": frozenset({"for"}),
    "input": frozenset(
        {"autocapitalize", "autocomplete", "autocorrect", "checked", "data-md-component", "data-md-toggle", "maxlength", "name", "placeholder", "required", "spellcheck", "type", "value"}
    ),
    "button": frozenset({"data-md-component", "type", "name", "value", "data-kb-print", "data-kb-feedback-no"}),
    "svg": frozenset({"viewbox", "xmlns"}),
    "path": frozenset({"d"}),
}
ALLOWED_ATTRIBUTES = {tag: names | _COMMON | _ARIA for tag, names in ELEMENTS.items()}

# Where a URL may be, and the schemes it may have (none: a relative link).
URL_ATTRIBUTES = ("href", "src", "action")
URL_SCHEMES = ("http", "https", "mailto")

# The inline scripts Material writes, by the SHA-256 of their text with every string literal
# emptied (the literals hold the page's relative path, so the text differs page by page).
# Script elements of type application/json are data (Material's __config), never run.
INLINE_SCRIPT_SHAPES = frozenset(
    {
        "236a3d4e2f7e2c53f1d4fa04e431adcbd8a9b407b9d409976c884157dffcb6d3",  # __md_scope, __md_get, __md_set (Material 9)
        "ce44b8b7494dbe92c40e7d707a8c0d6f2815ecb0948371f227b6c51c02e34f5f",  # opens the toggle a URL fragment names
    }
)
