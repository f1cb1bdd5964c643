"""A failed or interrupted build leaves the published site and search index byte-identical."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb_tools import config
from kb_tools.config import Paths
from kb_tools.model import Problem
from kb_tools.pipeline import build as build_module
from kb_tools.pipeline import publish
from kb_tools.pipeline.build import BuildError, build
from kb_tools.site.checks import SiteRule

from conftest import REPO, SITE_YML, TERMINOLOGY_YML, ContentTree


def make_project(root: Path) -> Paths:
    """A project folder the CLI can run in: its own content and outputs, the repository's code."""
    (root / "mkdocs.yml").symlink_to(REPO / "mkdocs.yml")
    (root / "kb_tools").symlink_to(REPO / "kb_tools")
    tree = ContentTree(root / "content")
    tree.write("site.yml", SITE_YML)
    tree.write("terminology.yml", TERMINOLOGY_YML)
    tree.page("first", related=("other",))
    tree.page("other", related=("first",))
    return Paths.for_project(root=root)


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("published")
    paths = make_project(root)
    assert build(paths).ok
    assert published(paths) == [paths.site, paths.search_index / "gb", paths.search_index / "ni"]
    return root


@pytest.fixture
def project(built_project, tmp_path) -> Paths:
    """A copy of the built project, with one page changed so the next build runs MkDocs."""
    root = tmp_path / "project"
    shutil.copytree(built_project, root, symlinks=True)
    paths = Paths.for_project(root=root)
    ContentTree(paths.content).page("first", related=("other",), text="Changed text, so MkDocs runs again.")
    return paths


def published(paths: Paths) -> list[Path]:
    """The published links: the site and each edition's search index."""
    return [paths.site, *sorted(p for p in paths.search_index.glob("*") if p.is_symlink())]


def snapshot(paths: Paths) -> dict:
    """Every published byte, read through the links, and where each link points."""
    links = published(paths)
    files = {p: p.read_bytes() for link in links for p in link.rglob("*") if p.is_file()}
    return {"links": {link: os.readlink(link) for link in links}, "files": files}


def leftovers(paths: Paths) -> list[str]:
    return sorted(
        p.name for link in published(paths) for p in publish.versions_folder(link).glob(publish.STAGING_PREFIX + "*")
    )


def disk_full(*args, **kwargs):
    raise OSError(28, "No space left on device")


def failing_site_check(site_dir, library, cache):
    return [Problem("site/gb/index.html", 1, 1, "a broken link")]


FAILING_SITE_RULES = (SiteRule("failing", failing_site_check, "always finds a broken link"),)

FAILURES = {
    "render": (lambda mp: mp.setattr(build_module, "render_all", disk_full), "writing the Markdown into docs/ failed"),
    "search index": (
        lambda mp: mp.setattr(build_module.index, "prepare", disk_full),
        "writing the search index failed",
    ),
    "site check": (lambda mp: None, None),
    "publish": (lambda mp: mp.setattr(publish.os, "symlink", disk_full), "publishing the new site failed"),
}


@pytest.mark.parametrize("step", FAILURES)
def test_a_failure_at_any_step_leaves_the_published_output_byte_identical(project, monkeypatch, step):
    before = snapshot(project)
    inject, message = FAILURES[step]
    inject(monkeypatch)
    if message is None:
        result = build(project, site_rules=FAILING_SITE_RULES)
        assert not result.ok and "a broken link" in str(result.problems)
    else:
        with pytest.raises(BuildError, match=message):
            build(project)
    assert snapshot(project) == before
    assert leftovers(project) == []


def test_a_missing_thesaurus_names_the_file_and_the_package_and_publishes_nothing(project, monkeypatch, tmp_path):
    before = snapshot(project)
    monkeypatch.setattr(config, "THESAURUS", tmp_path / "th_en_US_v2.dat")
    with pytest.raises(BuildError, match=r"writing the search index failed: .*th_en_US_v2\.dat.*mythes-en-us"):
        build(project)
    assert snapshot(project) == before
    assert leftovers(project) == []


def test_a_real_mkdocs_failure_names_the_edition_and_publishes_nothing(project, tmp_path):
    before = snapshot(project)
    broken = tmp_path / "mkdocs.yml"
    broken.write_text((REPO / "mkdocs.yml").read_text().replace("name: material", "name: no-such-theme"))
    paths = Paths(project.content, project.docs, project.site, project.search_index, broken)
    with pytest.raises(BuildError, match="MkDocs failed for the GB edition"):
        build(paths)
    assert snapshot(project) == before
    assert leftovers(project) == []


def test_content_errors_stop_the_build_before_anything_is_written(project):
    before = snapshot(project)
    ContentTree(project.content).page("first", related=("missing",))
    assert not build(project).ok
    assert snapshot(project) == before


# --- interrupted builds: the CLI in a subprocess, signalled while MkDocs runs ---------------


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def start_build_and_wait_for_mkdocs(paths: Paths) -> tuple[subprocess.Popen, list[int]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kb_tools", "build"],
        cwd=paths.site.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(mkdocs := children(process.pid)) < 2:  # one MkDocs per edition
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "MkDocs did not start"
        time.sleep(0.02)
    time.sleep(0.3)  # MkDocs is now writing into the staging folder
    return process, mkdocs


def gone(pid: int) -> bool:
    """Not running: no such process, or a zombie waiting for its new parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_build_interrupted_midway_leaves_the_old_output_and_no_leftovers(project, signum):
    before = snapshot(project)
    process, mkdocs = start_build_and_wait_for_mkdocs(project)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert "Interrupted: nothing half-built was published." in err
    assert "Traceback" not in out + err
    assert all(gone(pid) for pid in mkdocs), "MkDocs processes were left running"
    assert snapshot(project) == before
    assert leftovers(project) == []


def test_a_killed_build_takes_mkdocs_with_it_and_the_next_build_leaves_no_leftovers(project):
    # MkDocs made to outlive the test by far unless it dies with the build: a hook that waits.
    (project.mkdocs_yml.parent / "slow_hook.py").write_text(
        "import time\n\ndef on_config(config):\n    time.sleep(60)\n"
    )
    config = (
        (REPO / "mkdocs.yml")
        .read_text()
        .replace("custom_dir: kb_tools/site/theme", f"custom_dir: {REPO / 'kb_tools/site/theme'}")
    )
    project.mkdocs_yml.unlink()
    hook_line = f"\nhooks:\n  - {project.mkdocs_yml.parent / 'slow_hook.py'}\n"
    project.mkdocs_yml.write_text(config + hook_line)
    before = snapshot(project)
    process, mkdocs = start_build_and_wait_for_mkdocs(project)
    process.kill()  # SIGKILL: no clean-up of the build's own can run
    process.communicate()
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in mkdocs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(pid) for pid in mkdocs), "MkDocs outlived the build that started it"
    assert snapshot(project) == before
    assert leftovers(project)
    project.mkdocs_yml.write_text(project.mkdocs_yml.read_text().replace(hook_line, "\n"))
    assert build(project).ok
    assert leftovers(project) == []
    assert snapshot(project)["links"] != before["links"]
    assert "Changed text" in (project.site / "gb/guidance/first/index.html").read_text()


def test_a_build_removes_the_versions_before_last_and_its_switch_keeps_the_one_it_replaced(project):
    builds = publish.versions_folder(project.site)
    live = publish.current(project.site)
    older = [builds / f"{publish.VERSION_PREFIX}0000000{i}T000000-000000000" for i in range(2)]
    for folder in older:
        folder.mkdir()
        (folder / "index.html").write_text("an old version")
    assert build(project).ok
    assert not older[0].exists()  # outdated when the build started: removed while it worked
    assert older[1].exists() and live.exists()  # the one before last, and the one just replaced, stay
    assert publish.current(project.site) not in (live, *older)
