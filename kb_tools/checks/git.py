"""The little of git the checks need: where a branch left a revision, and what changed since."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kb_tools.errors import KbError


class GitError(KbError):
    """git could not answer (not a repository, unknown revision, git missing)."""


def git(folder: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)
    except OSError as err:
        raise GitError(f"cannot run git: {err.strerror}") from err
    if result.returncode != 0:
        raise GitError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"git {args[0]} failed")
    return result.stdout


@dataclass(frozen=True)
class Base:
    """The commit a change is compared with: where the branch left REF."""

    ref: str
    commit: str
    date: date
    root: Path  # the repository's top folder


def resolve_base(ref: str, folder: Path) -> Base:
    """The merge base of REF and HEAD (so a branch behind REF is compared with where it started)."""
    root = Path(git(folder, "rev-parse", "--show-toplevel").strip())
    git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    commit = git(root, "merge-base", ref, "HEAD").strip()
    committed = git(root, "show", "-s", "--format=%cs", commit).strip()
    return Base(ref, commit, date.fromisoformat(committed), root)


def changed_files(base: Base, folder: Path) -> set[Path]:
    """Files under folder that differ from the base: committed, staged, unstaged or new."""
    changed = git(base.root, "diff", "--name-only", "--no-renames", base.commit, "--", str(folder)).splitlines()
    new = git(base.root, "ls-files", "--others", "--exclude-standard", "--", str(folder)).splitlines()
    return {(base.root / name).resolve() for name in changed + new}
