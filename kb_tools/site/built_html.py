"""The built-site allow-list check: every element, attribute, URL scheme and inline script in
every built page is one the theme or our renderer writes (kb_tools/site/allowed_html.py).

It runs after MkDocs, on the staging folder, before anything is published, so whatever a
YAML file says (and whatever slipped past `kb check`), a page that holds markup nobody meant
to write is never published. A finding names the page's YAML file when the page is a
procedure, else the built file.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kb_tools.cache import Store
from kb_tools.content.validate import display_path
from kb_tools.layout import built_page
from kb_tools.model import Library, Location, Problem
from kb_tools.site.allowed_html import ALLOWED_ATTRIBUTES, INLINE_SCRIPT_SHAPES, URL_ATTRIBUTES, URL_SCHEMES

_STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"' + r"|'(?:[^'\\\n]|\\.)*'")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*)\s*:")
_INVISIBLE = re.compile(r"[\x00-\x20]+")


def script_shape(body: str) -> str:
    """An inline script's text with its string literals emptied, hashed."""
    return hashlib.sha256(_STRING_LITERAL.sub('""', body).encode()).hexdigest()


def page_findings(html: str) -> list[str]:
    """What in one built page the theme and renderer do not write."""
    found: list[str] = []
    for node in _elements(html):
        found.extend(_node_findings(node))
    return found


def bytes_findings(data: bytes) -> list[str]:
    """page_findings of a file's bytes, decoded as Path.read_text would (newlines made \\n)."""
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return page_findings(text)


def _elements(html: str) -> list[LexborNode]:
    root = LexborHTMLParser(html).root
    return list(root.traverse(include_text=False)) if root is not None else []


def _node_findings(node: LexborNode) -> list[str]:
    tag = node.tag or ""
    allowed = ALLOWED_ATTRIBUTES.get(tag)
    if allowed is None:
        return [f"the element <{tag}>"]
    found = [f"the attribute '{name}' on <{tag}>" for name in node.attributes if name.lower() not in allowed]
    for name in URL_ATTRIBUTES:
        value = node.attributes.get(name)
        scheme = _SCHEME.match(_INVISIBLE.sub("", value)) if value else None
        if scheme and scheme.group(1).lower() not in URL_SCHEMES:
            found.append(f"a '{scheme.group(1)}:' address in {name} on <{tag}>")
    if tag == "meta" and (node.attributes.get("http-equiv") or "").lower() not in ("", "content-security-policy"):
        found.append(f"<meta http-equiv=\"{node.attributes.get('http-equiv')}\">")
    if tag == "script" and "src" not in node.attributes and node.attributes.get("type") != "application/json":
        if script_shape(node.text(deep=True)) not in INLINE_SCRIPT_SHAPES:
            found.append("an inline script the theme does not write")
    return found


def built_html_problems(staging: Path, library: Library, cache: Path | None = None) -> list[Problem]:
    """Every page of the staged site checked against the allow-list.

    A page's findings are kept in the cache under its exact bytes (and the tool's version,
    which covers the allow-list): after a one-page change MkDocs writes every page of the
    edition again, but almost all of them byte for byte as before, and parsing them is most
    of this check's time."""
    sources = {built_page(e.id, p): p for e in library.site.editions for p in library.pages}
    store = Store(cache, "built-html", "the built-site allow-list check")
    problems = []
    for file in sorted(staging.rglob("*.html")):
        relative = file.relative_to(staging).as_posix()
        data = file.read_bytes()
        findings = store.get_or_compute(functools.partial(bytes_findings, data), data)
        if not findings:
            continue
        page = sources.get(relative)
        where = page.location() if page else Location(display_path(file, staging), 1, 1)
        listed = "; ".join(sorted(set(findings))[:5])
        problems.append(
            where.problem(f"the built page {relative} holds what neither the theme nor the renderer writes ({listed}): nothing was published")
        )
    store.save()
    return problems


def inventory(site: Path) -> dict[str, set[str]]:
    """Every element and its attributes in a built site, and the inline script shapes: what to
    compare with allowed_html.py after a theme upgrade."""
    seen: dict[str, set[str]] = defaultdict(set)
    for file in site.rglob("*.html"):
        for node in _elements(file.read_text(encoding="utf-8")):
            seen[node.tag or ""].update(node.attributes)
            if node.tag == "script" and "src" not in node.attributes and node.attributes.get("type") != "application/json":
                seen["inline script shapes"].add(script_shape(node.text(deep=True)))
    return dict(seen)
