"""Change notes: with `kb check --changed-since REF`, every page changed since REF carries a
new change note, dated between where the branch left REF and today."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kb_tools.checks.git import Base, GitError, changed_files, git, resolve_base
from kb_tools.checks.options import CheckOptions
from kb_tools.content.load import parse_yaml
from kb_tools.model import Library, Page, Problem


def change_note_problems(library: Library, options: CheckOptions) -> list[Problem]:
    """With --changed-since REF: each page file that differs from REF must carry a new change
    note, an entry of `changes` that REF's version of the file does not have, dated between
    the base commit's date and today. CI passes the pull request's base branch."""
    if options.changed_since is None or not library.pages:
        return []
    first = Path(library.pages[0].source_path).resolve()
    try:
        base = resolve_base(options.changed_since, first.parent)
        changed = changed_files(base, _pages_folder(first))
    except GitError as err:
        return [Problem(library.pages[0].source_path, 1, 1, f"cannot compare with '{options.changed_since}': {err}")]
    today = options.today or date.today()
    problems = []
    for page in library.pages:
        if Path(page.source_path).resolve() in changed:
            problems.extend(_page_change_note_problems(page, base, today))
    return problems


def _pages_folder(file: Path) -> Path:
    for folder in file.parents:
        if folder.name == "pages":
            return folder
    return file.parent


def _page_change_note_problems(page: Page, base: Base, today: date) -> list[Problem]:
    old_notes = _notes_at(base, Path(page.source_path).resolve())
    new = [(i, change) for i, change in enumerate(page.changes) if (change.date, change.note) not in old_notes]
    if not new:
        return [
            page.location("changes" if page.changes else "id").problem(
                f"this page changed since {base.ref} but has no new change note: add one at the top of 'changes' "
                f"(date: {today.isoformat()}, note: one line saying what changed)"
            )
        ]
    problems = []
    for i, change in new:
        if not base.date <= change.date <= today:
            problems.append(
                page.location("changes", i, "date").problem(
                    f"the new change note is dated {change.date.isoformat()}: date it between {base.date.isoformat()} "
                    f"(when this branch left {base.ref}) and today, {today.isoformat()}"
                )
            )
    return problems


def _notes_at(base: Base, file: Path) -> set[tuple[date, str]]:
    """The change notes of the base commit's version of the file (none when it is new there)."""
    try:
        text = git(base.root, "show", f"{base.commit}:{file.relative_to(base.root).as_posix()}")
    except (GitError, ValueError):
        return set()
    doc, _ = parse_yaml(text, str(file))
    changes = doc.data.get("changes") if doc is not None and isinstance(doc.data, dict) else None
    notes = set()
    for change in changes if isinstance(changes, list) else ():
        if isinstance(change, dict):
            try:
                notes.add((date.fromisoformat(str(change.get("date"))), str(change.get("note"))))
            except ValueError:
                continue
    return notes
