"""What caseworkers searched for and what they said of pages: the service's one store.

SQLite, one file beside the index (`search_index/analytics.sqlite3`), in WAL mode so that
several worker processes write and `kb report` reads at once. Writes never happen on a
request's path: each worker hands records to a queue that one thread of its own writes in
batches. This module is the only code that knows the database: to move to PostgreSQL, give
`Store` a connection from a PostgreSQL driver (the SQL is standard, with `?` placeholders
turned into `%s`) and point `KB_ANALYTICS` at it.

What is stored, and what never is:
- per search: when, the edition, the query normalised (lower case, single spaces), how many
  results, and whether a result was opened. A query in which the personal-data check finds
  anything (a phone number, an NI number, an email…) is never stored.
- per "Is this page useful?" answer: when, the edition, the page id, yes or no, and one
  reason from a fixed list. No free text, no address, no identifier of the caseworker.
Records older than the retention period (default 90 days) are deleted.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kb_tools.checks.personal_data import find_personal_data

DEFAULT_RETENTION_DAYS = 90
FEEDBACK_REASONS = ("missing-information", "wrong-or-out-of-date", "hard-to-understand", "broken-link")

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    edition TEXT NOT NULL,
    query TEXT NOT NULL,
    results INTEGER NOT NULL,
    opened INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS searches_at ON searches (at);
CREATE TABLE IF NOT EXISTS feedback (
    at TEXT NOT NULL,
    edition TEXT NOT NULL,
    page TEXT NOT NULL,
    useful INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);
"""


def normalise(query: str) -> str:
    return " ".join(query.lower().split())


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class QueryStat:
    edition: str
    query: str
    searches: int
    results: int  # results of the latest search of it
    opened: int  # searches after which a result was opened


@dataclass(frozen=True)
class PageFeedback:
    edition: str
    page: str
    yes: int
    no: int
    reasons: dict[str, int]


class Store:
    """One SQLite file; `record_*` calls queue, a background thread writes."""

    def __init__(self, path: Path, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.path = path
        self.retention_days = retention_days
        self._queue: queue.Queue[tuple[str, tuple] | None] = queue.Queue(maxsize=10_000)
        self._writer: threading.Thread | None = None
        with self.connect() as connection:
            connection.executescript(SCHEMA)
        self.prune()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            with connection:  # one transaction, committed on leaving
                yield connection

    # --- writing, off the request path --------------------------------------------------

    def start(self) -> None:
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_forever, name="kb-analytics", daemon=True)
            self._writer.start()

    def stop(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(timeout=10)
            self._writer = None

    def _put(self, sql: str, values: tuple) -> None:
        with contextlib.suppress(queue.Full):  # never worth slowing a search: dropped under overload
            self._queue.put_nowait((sql, values))

    def _write_forever(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while not self._queue.empty() and len(batch) < 500:
                batch.append(self._queue.get_nowait())
            writes = [entry for entry in batch if entry is not None]
            if writes:
                self._write(writes)
            if None in batch:
                return

    def _write(self, writes: list[tuple[str, tuple]]) -> None:
        try:
            with self.connect() as connection:
                for sql, values in writes:
                    connection.execute(sql, values)
        except sqlite3.Error:
            pass  # a locked or full database loses these records, never a search

    def flush(self) -> None:
        """Write everything queued now (tests, and a worker shutting down)."""
        writes = []
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is not None:
                writes.append(item)
        if writes:
            self._write(writes)

    def record_search(self, query: str, edition: str, results: int) -> str | None:
        """Queue one search; its id (for the opened-result beacon), or None when not stored."""
        if find_personal_data(query):
            return None
        search_id = uuid.uuid4().hex
        self._put(
            "INSERT INTO searches (id, at, edition, query, results) VALUES (?, ?, ?, ?, ?)",
            (search_id, now(), edition, normalise(query), results),
        )
        return search_id

    def record_opened(self, search_id: str) -> None:
        self._put("UPDATE searches SET opened = 1 WHERE id = ?", (search_id,))

    def record_feedback(self, edition: str, page: str, useful: bool, reason: str | None) -> None:
        self._put(
            "INSERT INTO feedback (at, edition, page, useful, reason) VALUES (?, ?, ?, ?, ?)",
            (now(), edition, page, int(useful), reason),
        )

    def prune(self) -> None:
        cutoff = (datetime.now(UTC) - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        with self.connect() as connection:
            connection.execute("DELETE FROM searches WHERE at < ?", (cutoff,))
            connection.execute("DELETE FROM feedback WHERE at < ?", (cutoff,))

    # --- reading, for `kb report` -------------------------------------------------------

    def query_stats(self, since: str = "") -> list[QueryStat]:
        with self.connect() as connection:
            rows = connection.execute(
                """SELECT edition, query, COUNT(*), MIN(results), SUM(opened) FROM searches
                   WHERE at >= ? GROUP BY edition, query ORDER BY COUNT(*) DESC, query""",
                (since,),
            ).fetchall()
        return [QueryStat(*row) for row in rows]

    def page_feedback(self, since: str = "") -> list[PageFeedback]:
        with self.connect() as connection:
            rows = connection.execute(
                """SELECT edition, page, SUM(useful), SUM(1 - useful) FROM feedback
                   WHERE at >= ? GROUP BY edition, page ORDER BY SUM(1 - useful) DESC, page""",
                (since,),
            ).fetchall()
            reasons = connection.execute(
                "SELECT edition, page, reason, COUNT(*) FROM feedback WHERE at >= ? AND reason IS NOT NULL "
                "GROUP BY edition, page, reason",
                (since,),
            ).fetchall()
        by_page: dict[tuple[str, str], dict[str, int]] = {}
        for edition, page, reason, count in reasons:
            by_page.setdefault((edition, page), {})[reason] = count
        return [PageFeedback(e, p, yes, no, by_page.get((e, p), {})) for e, p, yes, no in rows]
