"""`kb`: a thin command line over the library. Exit codes: 0 ok, 1 content errors, 2 usage errors."""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from kb_tools import config
from kb_tools.checks import git
from kb_tools.checks.options import CheckOptions
from kb_tools.checks.registry import check_all
from kb_tools.config import CACHE_DIR_NAME, EDITIONS, Paths
from kb_tools.content import scaffold
from kb_tools.dev import synth
from kb_tools.model import Problem
from kb_tools.pipeline.build import BuildError, build
from kb_tools.pipeline.publish import Interrupted, PublishError
from kb_tools.search.query import DEFAULT_LIMIT, MAX_LIMIT, IndexNotBuilt, SearchResponse, SearchService, request_errors

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if problems:
        _say(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")


def _content_path(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"content folder not found: {value}")
    return path


def _options(args: argparse.Namespace) -> CheckOptions:
    return CheckOptions(
        strict=args.strict,
        external=getattr(args, "external", False),
        changed_since=getattr(args, "changed_since", None),
    )


def cmd_check(args: argparse.Namespace) -> int:
    paths = Paths.for_project(content=args.content)
    if args.changed_since is not None:
        try:
            git.resolve_base(args.changed_since, paths.content)
        except git.GitError as err:
            _say(f"kb check: cannot compare with '{args.changed_since}': {err}")
            return EXIT_USAGE
    result = check_all(paths.content, _options(args), paths.cache)
    print_problems(result.problems)
    if not result.ok:
        return EXIT_CONTENT
    assert result.library is not None
    _say(f"OK: {len(result.library.pages)} pages checked in {paths.content}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    paths = Paths.for_project(content=args.content)
    title = args.title if args.title is not None else _ask_title()
    try:
        created = scaffold.new_page(paths.content, args.id, args.section, title=title, owner=args.owner)
    except scaffold.ScaffoldError as err:
        _say(f"kb new: {err}")
        return EXIT_USAGE
    _say(f"Created {created}: replace every value that starts with '{scaffold.TODO}', then run `kb check`.")
    return EXIT_OK


def _ask_title() -> str:
    """The title, asked for at a terminal (a script must pass --title: nothing is guessed from the id)."""
    if not sys.stdin.isatty():
        return ""
    try:
        return input("Title, as readers should see it (abbreviations as written, for example MP hotlines): ")
    except EOFError:
        return ""


def cmd_build(args: argparse.Namespace) -> int:
    paths = Paths.for_project(content=args.content)
    try:
        result = build(paths, progress=lambda message: _say(f"… {message}"), options=_options(args))
    except (BuildError, PublishError) as err:
        _say(f"Build failed; the published site was not changed.\n{err}")
        return EXIT_CONTENT
    print_problems(result.check.problems + result.problems)
    if not result.ok:
        _say("Build stopped: fix the errors above. The published site was not changed.")
        return EXIT_CONTENT
    pages = len(result.check.library.pages) if result.check.library else 0
    seconds = result.timings.get("total", 0)
    if result.rebuilt:
        _say(f"Built {pages} pages in each edition in {seconds:.1f} s (MkDocs ran for: {', '.join(result.rebuilt)}).")
    else:
        _say(
            f"Nothing changed since the last build ({pages} pages checked in {seconds:.1f} s): the published site is kept."
        )
    _say(f"Open {paths.site / 'index.html'} in a browser, or run: kb serve")
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    from kb_tools.pipeline import preview

    paths = Paths.for_project(content=args.content)
    folder = (paths.cache or paths.docs.parent / CACHE_DIR_NAME) / "preview"
    viewer = preview.Preview(paths, folder, say=_say, first_edition=args.edition)
    try:
        running = preview.start(viewer, args.host, args.port)
    except OSError as err:
        _say(f"kb preview: cannot listen on {args.host}:{args.port}: {err.strerror or err}")
        return EXIT_USAGE
    _say(f"Previewing {paths.content} at {running.url}/{args.edition}/index.html (Ctrl-C to stop)")
    _say("Save a page file and the open page reloads; errors show on the page and here.")
    try:
        running.stop.wait()
    finally:
        running.close()
    return EXIT_OK


def _limit(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(value)


def _project(value: str | None) -> Paths:
    return Paths.for_project(root=Path(value).resolve() if value else None)


def cmd_search(args: argparse.Namespace) -> int:
    errors = request_errors(args.query, args.edition, args.limit)
    if errors:
        _say(f"kb search: {'; '.join(errors)}")
        return EXIT_USAGE
    service = SearchService(_project(args.root).search_index)
    try:
        response = service.search(args.query, args.edition, args.limit)
    except IndexNotBuilt as err:
        _say(str(err))
        return EXIT_CONTENT
    finally:
        service.close()
    if args.json:
        print(json.dumps([r.to_json() for r in response.results], ensure_ascii=False, indent=2))
    else:
        print(format_results(response, bold=sys.stdout.isatty()))
    return EXIT_OK


def format_results(response: SearchResponse, bold: bool = False) -> str:
    """Results for a terminal: title, link, section and snippet, matched words marked."""
    start, end = ("\033[1m", "\033[0m") if bold else ("*", "*")
    lines = []
    if response.corrected:
        lines.append(f'Showing results for "{response.searched_for}" (you typed "{response.query}").')
    if not response.results:
        lines.append(
            f'No procedure matched "{response.searched_for}". If nothing answers the question, '
            "ask your team leader, then raise a service request (SR) to Advice and Guidance (A&G)."
        )
    for number, result in enumerate(response.results, 1):
        snippet = html.unescape(
            re.sub(r"</?mark>", lambda m: end if m.group(0) == "</mark>" else start, result.snippet)
        )
        section = f" > {result.section}" if result.section else ""
        weak = " (weak match: holds few of your words)" if result.weak else ""
        lines += [
            f"{number}. {result.title}{section} [{result.edition.upper()}]{weak}",
            f"   {result.url}",
            f"   {snippet}",
            "",
        ]
    return "\n".join(lines).rstrip()


def cmd_serve(args: argparse.Namespace) -> int:
    from kb_tools.search.service import ServiceSettings, serve, server_url

    paths = _project(args.root)
    if not (paths.site / "index.html").is_file():
        _say(f"No site in {paths.site}: run `kb build` first.")
        return EXIT_CONTENT
    settings = ServiceSettings.for_project(paths.site.parent, site=paths.site, search_index=paths.search_index)
    settings = _with_environment(settings)
    url = server_url(args.host, args.port)
    _say(
        f"Serving {paths.site} at {url} with {args.workers} worker(s) (search API: {url}api/search?q=…). Ctrl+C stops."
    )
    try:
        serve(settings, args.host, args.port, args.workers)
    except OSError as err:
        _say(f"kb serve: cannot listen on {args.host}:{args.port}: {err.strerror}")
        return EXIT_USAGE
    return EXIT_OK


def _with_environment(settings):
    """Settings a department gives in the environment win over the project's defaults."""
    import os
    from dataclasses import replace

    from kb_tools.search.service import ServiceSettings

    from_environment = ServiceSettings.from_environment()
    overrides = {
        name: getattr(from_environment, name)
        for name, variable in (
            ("analytics", "KB_ANALYTICS"),
            ("retention_days", "KB_ANALYTICS_RETENTION_DAYS"),
            ("cors_origins", "KB_CORS_ORIGINS"),
            ("feedback_per_minute", "KB_FEEDBACK_PER_MINUTE"),
        )
        if variable in os.environ
    }
    return replace(settings, **overrides)


def cmd_report(args: argparse.Namespace) -> int:
    from kb_tools.search.service import ServiceSettings
    from kb_tools.search.store import Store

    paths = _project(args.root)
    # The same file the service writes: KB_ANALYTICS, when a department sets it, wins.
    settings = _with_environment(ServiceSettings.for_project(paths.site.parent, search_index=paths.search_index))
    analytics = settings.analytics or paths.search_index / "analytics.sqlite3"
    if not analytics.is_file():
        _say(f"No answers stored yet ({analytics} does not exist): run `kb serve` and let caseworkers search.")
        return EXIT_CONTENT
    store = Store(analytics)
    since = args.since.isoformat() if args.since else ""
    if args.what == "searches":
        rows = [s for s in store.query_stats(since) if s.results == 0 or not s.opened]
        if args.json:
            print(json.dumps([s.__dict__ for s in rows], indent=2))
        else:
            print(format_search_report(rows))
    else:
        pages = store.page_feedback(since)
        if args.json:
            print(json.dumps([p.__dict__ for p in pages], indent=2))
        else:
            print(format_feedback_report(pages))
    return EXIT_OK


def format_search_report(rows) -> str:
    if not rows:
        return "Every search found something that was opened."
    lines = ["Searches that found nothing, or found pages nobody opened (most asked first):", ""]
    for edition in EDITIONS:
        mine = [r for r in rows if r.edition == edition]
        if mine:
            lines.append(f"{edition.upper()} edition")
            lines += [
                f"  {r.searches:>4} × {r.query!r}: "
                + ("no results" if r.results == 0 else f"{r.results} results, none opened")
                for r in mine
            ]
    return "\n".join(lines)


def format_feedback_report(pages) -> str:
    if not pages:
        return 'No answers to "Is this page useful?" yet.'
    lines = ['Is this page useful? (pages with the most "no" first)', ""]
    for page in pages:
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(page.reasons.items()))
        lines.append(
            f"  {page.edition.upper()} {page.page}: yes {page.yes}, no {page.no}" + (f" ({reasons})" if reasons else "")
        )
    return "\n".join(lines)


def cmd_synth(args: argparse.Namespace) -> int:
    corpus = synth.generate(args.target, args.pages, args.seed)
    _say(f"Wrote {len(corpus.pages)} pages in {len(corpus.sections)} sections to {corpus.root}")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from kb_tools.dev.bench import run_benchmark  # imported only here: it is not needed to check or build

    report = run_benchmark(
        args.pages, args.runs, args.json, args.workdir, args.seed, progress=lambda message: _say(f"… {message}")
    )
    print(report["table"])
    if args.json:
        _say(f"Figures written to {args.json}")
    return EXIT_OK


def _page_count(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 2:
        raise argparse.ArgumentTypeError(f"expected a number of pages of at least 2 (got '{value}')")
    return int(value)


def _page_counts(value: str) -> list[int]:
    return [_page_count(part) for part in value.split(",")]


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535 (got '{value}')")
    return int(value)


def _date(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date written YYYY-MM-DD (got '{value}')") from None


def _at_least_one(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1 (got '{value}')")
    return int(value)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kb", description="Caseworker Procedures: check, build and search the knowledge base."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    content = argparse.ArgumentParser(add_help=False)
    content.add_argument(
        "--content", type=_content_path, metavar="PATH", help="content folder to use (default: ./content)"
    )
    content.add_argument("--strict", action="store_true", help="treat warnings (such as overdue reviews) as errors")
    content.add_argument(
        "--external",
        action="store_true",
        help="also check that http(s) links answer (needs the network; results cached)",
    )

    check = commands.add_parser("check", parents=[content], help="validate the content and report every problem")
    check.add_argument(
        "--changed-since",
        metavar="REF",
        help="also require a new change note on every page changed since this git revision (CI passes the pull request's base)",
    )
    check.set_defaults(handler=cmd_check)
    new = commands.add_parser("new", help="create a page file from the template, ready to fill in")
    new.add_argument("id", help="the new page's id: lower-case letters, digits and hyphens (the file name)")
    new.add_argument("--section", required=True, help="the id of the section in site.yml the page belongs to")
    new.add_argument("--title", help="the page's title, kept exactly as typed (asked for at a terminal when not given)")
    new.add_argument(
        "--owner",
        required=True,
        help=f"the team that owns the procedure (no default; '{config.OWNER_TO_BE_CONFIRMED}' is reported until named)",
    )
    new.add_argument("--content", type=_content_path, metavar="PATH", help="content folder to use (default: ./content)")
    new.set_defaults(handler=cmd_new)
    build_cmd = commands.add_parser(
        "build", parents=[content], help="check, render both editions and build the site into site/"
    )
    build_cmd.set_defaults(handler=cmd_build)
    preview_cmd = commands.add_parser(
        "preview",
        help="live preview: rebuild on save and reload the open page (errors shown on the page)",
    )
    preview_cmd.add_argument(
        "--content", type=_content_path, metavar="PATH", help="content folder to use (default: ./content)"
    )
    preview_cmd.add_argument("--edition", choices=EDITIONS, default="gb", help="edition to open first (default: gb)")
    preview_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    preview_cmd.add_argument("--port", type=_port, default=8001, metavar="N", help="port to listen on (default: 8001)")
    preview_cmd.set_defaults(handler=cmd_preview)

    built = argparse.ArgumentParser(add_help=False)
    built.add_argument(
        "--root", metavar="PATH", help="project folder holding site/ and search_index/ (default: this one)"
    )
    search = commands.add_parser("search", parents=[built], help="search the built index for procedures")
    search.add_argument("query", help='what to search for, e.g. "A&G service request"')
    search.add_argument("--edition", choices=EDITIONS, default="gb", help="edition to search (default: gb)")
    search.add_argument(
        "--limit",
        type=_limit,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N results, 1 to {MAX_LIMIT} (default: {DEFAULT_LIMIT})",
    )
    search.add_argument("--json", action="store_true", help="print a JSON array of results")
    search.set_defaults(handler=cmd_search)
    serve = commands.add_parser("serve", parents=[built], help="serve the built site and the search API")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=_port, default=8000, metavar="N", help="port to listen on (default: 8000)")
    serve.add_argument(
        "--workers",
        type=_at_least_one,
        default=1,
        metavar="N",
        help="worker processes, each with its own searcher (default: 1)",
    )
    serve.set_defaults(handler=cmd_serve)
    report = commands.add_parser(
        "report", parents=[built], help="what caseworkers searched for, and what they said of pages"
    )
    report.add_argument(
        "what",
        choices=("searches", "feedback"),
        help="searches: queries that found nothing or nothing opened; feedback: answers to 'Is this page useful?'",
    )
    report.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="only answers from this date on")
    report.add_argument("--json", action="store_true", help="print JSON")
    report.set_defaults(handler=cmd_report)

    synth_cmd = commands.add_parser("synth", help="write a synthetic content folder of N pages (for benchmarks)")
    synth_cmd.add_argument("target", type=Path, help="content folder to write (replaced if it exists)")
    synth_cmd.add_argument(
        "--pages", type=_page_count, default=1000, metavar="N", help="number of pages (default 1000)"
    )
    synth_cmd.add_argument("--seed", type=int, default=1, help="same seed, same files (default 1)")
    synth_cmd.set_defaults(handler=cmd_synth)

    bench = commands.add_parser("bench", help="measure every stage on synthetic libraries; print a table, write JSON")
    bench.add_argument(
        "--pages", type=_page_counts, default=[1000], metavar="N[,N…]", help="library sizes (default 1000)"
    )
    bench.add_argument(
        "--runs", type=_at_least_one, default=3, metavar="N", help="runs per figure; the median is reported (default 3)"
    )
    bench.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON here")
    bench.add_argument(
        "--workdir",
        type=Path,
        metavar="PATH",
        help="keep the synthetic libraries and sites here (default: a temporary folder)",
    )
    bench.add_argument("--seed", type=int, default=1, help="seed of the synthetic libraries (default 1)")
    bench.set_defaults(handler=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)  # exits 2 on usage errors
        code = args.handler(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below
        return code
    except KeyboardInterrupt as interrupt:
        _say("Interrupted: nothing half-built was published.")
        return 128 + (interrupt.signum if isinstance(interrupt, Interrupted) else signal.SIGINT)
    except BrokenPipeError:
        # The reader went away (`kb search … | head`): stop quietly, as other commands do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
