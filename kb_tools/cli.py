"""`kb`: a thin command line over the library. Exit codes: 0 ok, 1 content errors, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .build import BuildError, build
from .config import Paths
from .model import Problem
from .checks import CheckOptions, check_all

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
    return CheckOptions(strict=args.strict, external=getattr(args, "external", False))


def cmd_check(args: argparse.Namespace) -> int:
    paths = Paths.for_project(content=args.content)
    result = check_all(paths.content, _options(args))
    print_problems(result.problems)
    if not result.ok:
        return EXIT_CONTENT
    assert result.library is not None
    _say(f"OK: {len(result.library.pages)} pages checked in {paths.content}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    paths = Paths.for_project(content=args.content)
    try:
        result = build(paths, progress=lambda message: _say(f"… {message}"), options=_options(args))
    except BuildError as err:
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
        _say(f"Nothing changed since the last build ({pages} pages checked in {seconds:.1f} s): the published site is kept.")
    _say(f"Open {paths.site / 'index.html'} in a browser, or run: kb serve")
    return EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Caseworker Procedures: check, build and search the knowledge base.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    content = argparse.ArgumentParser(add_help=False)
    content.add_argument("--content", type=_content_path, metavar="PATH", help="content folder to use (default: ./content)")
    content.add_argument("--strict", action="store_true", help="treat warnings (such as overdue reviews) as errors")

    check = commands.add_parser("check", parents=[content], help="validate the content and report every problem")
    check.set_defaults(handler=cmd_check)
    build_cmd = commands.add_parser("build", parents=[content], help="check, render both editions and build the site into site/")
    build_cmd.set_defaults(handler=cmd_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        _say("Interrupted; the published site was not changed.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
