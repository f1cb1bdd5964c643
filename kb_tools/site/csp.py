"""A Content-Security-Policy on every built page, written into the page itself.

The site is often opened from files or a static host that sends no headers, so the policy
is a `<meta http-equiv>` as the first thing in `<head>` (it applies to what follows it). It
allows scripts from the site's own files and, by their SHA-256, the few inline scripts
Material writes (no 'unsafe-inline' for scripts), so a planted inline script or event
handler does not run; `base-uri 'self'` stops a planted `<base>` from sending the page's
scripts elsewhere; `object-src 'none'`; fetches only to the site (and the search service,
when site.yml names one). Styles may be inline (Material sets some; a style cannot run
script). The union of every page's policy is also written to `kb-csp.txt` at the site root,
so a server can send the same policy as a header (with `frame-ancestors`, which a meta
element cannot carry).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

CSP_FILE = "kb-csp.txt"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
_EXISTING = re.compile(r'\n?<meta http-equiv="Content-Security-Policy"[^>]*>', re.IGNORECASE)


def script_hashes(html: str) -> list[str]:
    """CSP sources for the page's inline scripts (JSON data blocks are never run)."""
    hashes = []
    for match in _INLINE_SCRIPT.finditer(html):
        if "application/json" in match.group("attrs"):
            continue
        digest = base64.b64encode(hashlib.sha256(match.group("body").encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def policy(hashes: list[str], connect: tuple[str, ...] = ()) -> str:
    scripts = " ".join(["'self'", *hashes])
    fetches = " ".join(["'self'", *connect])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self'; connect-src {fetches}; worker-src 'none'; frame-src 'none'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def protect_page(html: str, connect: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """The page with its policy first in <head>, and the page's script hashes."""
    hashes = script_hashes(html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(hashes, connect)}">'
    if "content-security-policy" in html.lower():  # the regex alone scans every position: 1 ms a page
        html = _EXISTING.sub("", html)
    head = _HEAD.search(html)
    if head is None:
        return html, hashes
    return f"{html[: head.end()]}\n{meta}{html[head.end() :]}", hashes


def protect_site(folder: Path, connect: tuple[str, ...] = (), only: tuple[str, ...] | None = None) -> list[str]:
    """Write the policy into every HTML page below folder (or below its `only` subfolders, the
    editions MkDocs just built: the others are hard links to published pages, which already
    have it). Returns every script hash seen. Pages are replaced, never written in place."""
    roots = [folder / name for name in only] if only is not None else [folder]
    seen: set[str] = set()
    for root in roots:
        for file in root.rglob("*.html"):
            text = file.read_text(encoding="utf-8")
            protected, hashes = protect_page(text, connect)
            seen.update(hashes)
            if protected != text:
                tmp = file.with_name(f".{file.name}.csp.tmp")
                tmp.write_text(protected, encoding="utf-8")
                os.replace(tmp, file)
    return sorted(seen)


def write_policy_file(folder: Path, connect: tuple[str, ...] = ()) -> None:
    """The union of the pages' policies, for a server to send as a header."""
    hashes = sorted({h for file in folder.rglob("*.html") for h in script_hashes(file.read_text(encoding="utf-8"))})
    (folder / CSP_FILE).write_text(policy(hashes, connect) + "; frame-ancestors 'none'\n", encoding="utf-8")
