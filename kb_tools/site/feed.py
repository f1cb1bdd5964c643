"""An Atom feed (RFC 4287) of "What's changed", so caseworkers can follow updates in a reader.

Written with the standard library. Links are relative to the feed (it sits at the edition
root beside the pages), so the same file works on any host and from files. Entry ids are
stable UUIDs made from the edition, page, date and note, so readers do not show an entry twice
after a rebuild, and the output is the same bytes for the same input.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

ATOM = "http://www.w3.org/2005/Atom"
FEED_FILE = "feed.xml"
MAX_ENTRIES = 50  # the newest changes; the What's changed page lists them all
_NAMESPACE = uuid.UUID("6f1c2b0e-6c1f-4f55-9a59-4c0a2b7e5d10")  # this project's id space


@dataclass(frozen=True)
class FeedEntry:
    when: date
    title: str  # plain text
    href: str  # relative to the feed
    summary: str  # plain text


def stable_id(*parts: str) -> str:
    return uuid.uuid5(_NAMESPACE, "\x1f".join(parts)).urn


def _timestamp(when: date) -> str:
    return f"{when.isoformat()}T00:00:00Z"


def atom_feed(feed_id: str, title: str, page_href: str, entries: list[FeedEntry], author: str) -> str:
    """The feed as text; `entries` newest first, `page_href` the What's changed page."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", stable_id(feed_id))
    _text(feed, "title", title)
    newest = entries[0].when if entries else date(2000, 1, 1)  # deterministic, never "now"
    _text(feed, "updated", _timestamp(newest))
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = author
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=FEED_FILE)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_href)
    for entry in entries[:MAX_ENTRIES]:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "id", stable_id(feed_id, entry.href, entry.when.isoformat(), entry.summary))
        _text(item, "title", entry.title)
        _text(item, "updated", _timestamp(entry.when))
        ET.SubElement(item, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=entry.href)
        _text(item, "summary", entry.summary)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text
