"""External http(s) links, checked only when asked (`kb check --external`, for the publishing CI).

Each address is checked once however many pages use it, concurrently but politely (a few
requests at a time per host), with a timeout and retries with back-off for the failures
that pass (timeouts, dropped connections, 429 and 5xx). Addresses that answered well are
cached for some days, so repeated runs are cheap. A redirect is a warning (update the
link); a 4xx or 5xx answer, or no answer at all, is an error.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from kb_tools import config
from kb_tools.cache import atomic_write, warn
from kb_tools.checks.links import external_links
from kb_tools.model import Library, Problem

if TYPE_CHECKING:
    import httpx  # imported where used: only --external needs it (a no-change build should not pay for it)

    from kb_tools.checks.options import CheckOptions

USER_AGENT = "kb-tools link checker (Caseworker Procedures)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Settings:
    timeout: float = config.EXTERNAL_TIMEOUT_SECONDS
    retries: int = config.EXTERNAL_RETRIES
    backoff: float = config.EXTERNAL_BACKOFF_SECONDS
    per_host: int = config.EXTERNAL_PER_HOST
    total: int = config.EXTERNAL_TOTAL
    max_redirects: int = config.EXTERNAL_MAX_REDIRECTS
    cache_days: float = config.EXTERNAL_CACHE_DAYS


@dataclass(frozen=True)
class Outcome:
    """What one address answered."""

    url: str
    status: int | None = None  # the final HTTP status, None when nothing answered
    redirected_to: str | None = None
    error: str | None = None
    checked: float = 0.0  # time.time() of the check

    @property
    def ok(self) -> bool:
        return self.error is None


# --- one address ----------------------------------------------------------------------------


async def _request(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """HEAD first (no body); some servers refuse or mishandle HEAD, so a failure is asked again with GET."""
    response = await client.head(url)
    if response.status_code >= 400:
        async with client.stream("GET", url) as streamed:  # the body is never read
            return streamed
    return response


async def _follow(client: httpx.AsyncClient, url: str, settings: Settings) -> Outcome:
    """Follows redirects ourselves, so the first new address can be reported."""
    current, redirected_to = url, None
    for _ in range(settings.max_redirects + 1):
        response = await _request(client, current)
        location = response.headers.get("location")
        if response.is_redirect and location:
            current = urljoin(current, location)
            redirected_to = redirected_to or current
            continue
        error = None if response.status_code < 400 else f"HTTP {response.status_code} {response.reason_phrase}".strip()
        return Outcome(url, response.status_code, redirected_to, error, time.time())
    return Outcome(url, None, redirected_to, f"more than {settings.max_redirects} redirects", time.time())


async def check_url(client: httpx.AsyncClient, url: str, settings: Settings, host_limit: asyncio.Semaphore) -> Outcome:
    """One address, with retries and back-off for failures that may pass."""
    import httpx

    outcome = Outcome(url)
    for attempt in range(settings.retries + 1):
        if attempt:
            await asyncio.sleep(settings.backoff * 2 ** (attempt - 1))
        async with host_limit:
            try:
                outcome = await _follow(client, _without_fragment(url), settings)
            except httpx.TimeoutException:
                outcome = Outcome(url, error=f"no answer within {settings.timeout:g} s", checked=time.time())
            except httpx.TransportError as err:
                outcome = Outcome(url, error=f"connection failed ({_reason(err)})", checked=time.time())
        if outcome.ok or (outcome.status is not None and outcome.status not in RETRY_STATUSES):
            return outcome
    tries = settings.retries + 1
    return Outcome(url, outcome.status, outcome.redirected_to, f"{outcome.error} ({tries} tries)", outcome.checked)


def _without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def _reason(err: Exception) -> str:
    return str(err) or type(err).__name__


async def _check_all(urls: list[str], settings: Settings) -> dict[str, Outcome]:
    import httpx

    limits = httpx.Limits(max_connections=settings.total, max_keepalive_connections=settings.total)
    hosts: dict[str, asyncio.Semaphore] = {}
    async with httpx.AsyncClient(
        timeout=settings.timeout, limits=limits, headers={"User-Agent": USER_AGENT}, follow_redirects=False
    ) as client:
        tasks = []
        for url in urls:
            host = hosts.setdefault(urlsplit(url).netloc.lower(), asyncio.Semaphore(settings.per_host))
            tasks.append(check_url(client, url, settings, host))
        return {o.url: o for o in await asyncio.gather(*tasks)}


# --- the cache --------------------------------------------------------------------------------


class Cache:
    """Addresses that answered well, with when: JSON, so it can be read and deleted by hand."""

    VERSION = 1

    def __init__(self, file: Path | None, max_age_days: float):
        self.file = file
        self.max_age = max_age_days * 86400
        self.entries: dict[str, Outcome] = {}
        if file is not None and file.is_file():
            self.entries = self._read(file)

    def _read(self, file: Path) -> dict[str, Outcome]:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            if data.get("version") != self.VERSION:
                return {}
            fresh = time.time() - self.max_age
            return {url: Outcome(**entry) for url, entry in data["links"].items() if entry["checked"] >= fresh}
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # a damaged cache is only a slower run

    def get(self, url: str) -> Outcome | None:
        return self.entries.get(url)

    def save(self, outcomes: Iterable[Outcome]) -> None:
        self.entries.update((o.url, o) for o in outcomes if o.ok)
        if self.file is None:
            return
        data = {"version": self.VERSION, "links": {url: asdict(o) for url, o in sorted(self.entries.items())}}
        try:
            atomic_write(self.file, json.dumps(data, indent=1).encode("utf-8"))
        except OSError as err:
            warn(f"could not save the external link cache ({self.file}): {err.strerror}; the next run asks again")


def check_urls(
    urls: Iterable[str], settings: Settings = Settings(), cache_file: Path | None = None
) -> dict[str, Outcome]:
    """Every distinct address checked once (or taken from the cache): url → Outcome."""
    cache = Cache(cache_file, settings.cache_days)
    wanted = sorted(set(urls))
    outcomes = {url: cached for url in wanted if (cached := cache.get(url)) is not None}
    to_check = [url for url in wanted if url not in outcomes]
    if to_check:
        checked = asyncio.run(_check_all(to_check, settings))
        cache.save(checked.values())
        outcomes.update(checked)
    return outcomes


# --- the check kb runs ------------------------------------------------------------------------


def external_link_problems(library: Library, options: CheckOptions | None = None) -> list[Problem]:
    """With --external: every http(s) link in the content answers, reported where it was written."""
    if options is None or not options.external:
        return []
    written = external_links(library)
    outcomes = check_urls((url for url, _ in written), Settings(), config.external_cache_file())
    problems = []
    for url, where in written:
        outcome = outcomes[url]
        if not outcome.ok:
            problems.append(where.problem(f"external link '{url}' is broken: {outcome.error}"))
        elif outcome.redirected_to:
            problems.append(
                where.problem(
                    f"external link '{url}' redirects to '{outcome.redirected_to}': link to that instead", "warning"
                )
            )
    return problems
