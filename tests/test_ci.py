"""The maintainers' workflow: the CI workflow passes real linters and runs the commands the
README promises; the pre-commit hook stops a commit that breaks the content rules."""

import shlex
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from kb_tools.cli import make_parser

from conftest import REPO

WORKFLOW = REPO / ".github/workflows/ci.yml"
BIN = Path(sys.executable).parent


def lint(workflow: Path) -> list[subprocess.CompletedProcess]:
    """GitHub's workflow schema (check-jsonschema's vendored copy) and zizmor's audits, offline."""
    return [
        subprocess.run(
            [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow],
            capture_output=True,
            text=True,
        ),
        subprocess.run([BIN / "zizmor", "--offline", "--no-progress", workflow], capture_output=True, text=True),
    ]


def test_the_workflow_passes_the_workflow_linters():
    for result in lint(WORKFLOW):
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "breakage, linter",
    [
        pytest.param(
            lambda text: text.replace("runs-on: ubuntu-24.04\n    # Debian", "run-on: ubuntu-24.04\n    # Debian"),
            0,
            id="misspelt key",
        ),
        pytest.param(
            lambda text: text.replace("deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e", "deploy-pages@v4"),
            1,
            id="unpinned action",
        ),
        pytest.param(
            lambda text: text.replace(
                'run: .venv/bin/kb check --changed-since "$BASE_SHA"',
                "run: kb check --changed-since ${{ github.head_ref }}",
            ),
            1,
            id="script injection",
        ),
    ],
)
def test_the_linters_catch_a_broken_workflow(tmp_path, breakage, linter):
    """So a passing lint means something: a misspelt key, an unpinned action, a script
    injection (a branch name pasted into a shell command) each fail."""
    broken = tmp_path / "ci.yml"
    broken.write_text(breakage(WORKFLOW.read_text()))
    assert broken.read_text() != WORKFLOW.read_text()
    assert lint(broken)[linter].returncode != 0


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def kb_commands(job: str) -> list[list[str]]:
    runs = [step["run"] for step in workflow()["jobs"][job]["steps"] if "run" in step]
    return [shlex.split(run.replace('"$BASE_SHA"', "BASE"))[1:] for run in runs if run.startswith(".venv/bin/kb ")]


def test_every_kb_command_in_the_workflow_exists():
    parser = make_parser()
    commands = kb_commands("check") + kb_commands("build")
    assert ["check", "--changed-since", "BASE"] in commands and ["build"] in commands
    for command in commands:
        parser.parse_args(command)  # exits 2 (fails the test) on an unknown command or option


def test_pull_requests_run_checks_and_tests_and_main_publishes_both_editions_and_the_index():
    jobs = workflow()["jobs"]
    check_runs = [step.get("run", "") for step in jobs["check"]["steps"]]
    assert ".venv/bin/python -m pytest -q" in check_runs
    assert jobs["build"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    uploads = {
        step["uses"].split("@")[0]: step["with"]["path"]
        for step in jobs["build"]["steps"]
        if "upload" in step.get("uses", "")
    }
    assert uploads == {"actions/upload-pages-artifact": "site/", "actions/upload-artifact": "search_index/"}
    assert jobs["deploy"]["needs"] == "build" and jobs["build"]["needs"] == "check"


# --- the pre-commit hook, run for real in a scratch repository ------------------------------


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    identity = ["-c", "user.name=Maintainer", "-c", "user.email=maintainer@example.invalid"]
    return subprocess.run(["git", "-C", str(repo), *identity, *args], capture_output=True, text=True)


@pytest.fixture
def clone(content, tmp_path, monkeypatch) -> Path:
    """A maintainer's clone: content, the project's hook configuration and .venv, hooks installed."""
    repo = content.root.parent
    shutil.copy(REPO / ".pre-commit-config.yaml", repo)
    shutil.copy(REPO / ".gitignore", repo)  # build output and caches are never committed
    (repo / "mkdocs.yml").symlink_to(REPO / "mkdocs.yml")
    (repo / ".venv").symlink_to(BIN.parent)  # the hook runs .venv/bin/kb
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "Content as published")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))  # pre-commit's own files
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True)
    return repo


def test_pre_commit_stops_a_changed_page_without_a_change_note(content, clone):
    content.page("first", related=("other",), text="A reworded first step.")
    git(clone, "add", "-A")
    refused = git(clone, "commit", "-m", "Reword")
    assert refused.returncode != 0
    assert "has no new change note" in refused.stdout + refused.stderr

    note = f"changes:\n  - date: {date.today().isoformat()}\n    note: Reworded the first step.\n"
    content.page("first", related=("other",), text="A reworded first step.", extra=note)
    git(clone, "add", "-A")
    accepted = git(clone, "commit", "-m", "Reword, with a change note")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_pre_commit_stops_personal_data(content, clone):
    note = f"changes:\n  - date: {date.today().isoformat()}\n    note: Added a phone number.\n"
    content.page("first", related=("other",), text="Ring 020 7946 0000.", extra=note)
    git(clone, "add", "-A")
    refused = git(clone, "commit", "-m", "Phone")
    assert refused.returncode != 0
    assert "first.yml:9:16: looks like a UK phone number" in refused.stdout + refused.stderr


def test_pre_commit_stops_python_that_ruff_would_reformat(clone):
    (clone / "tool.py").write_text("x=[1,\n  2]\n")
    git(clone, "add", "-A")
    refused = git(clone, "commit", "-m", "Add a script")
    assert refused.returncode != 0 and "ruff (format check)" in refused.stdout + refused.stderr
    (clone / "tool.py").write_text("x = [1, 2]\n")
    git(clone, "add", "-A")
    assert git(clone, "commit", "-m", "Add a script").returncode == 0


def test_ci_runs_the_linters_and_the_type_checker_before_the_tests():
    run = (REPO / ".ci/run").read_text().split()
    assert run.index(".ci/lint") < run.index(".ci/test")
    lint = (REPO / ".ci/lint").read_text()
    assert all(command in lint for command in ("ruff check .", "ruff format --check .", "mypy"))
    steps = [step.get("run", "") for step in workflow()["jobs"]["check"]["steps"]]
    assert steps.index("bash .ci/lint") < steps.index(".venv/bin/python -m pytest -q")


# --- the Zensical canary: reported after the tests, never failing CI --------------------------


@pytest.mark.parametrize("canary_exit", [0, 3])
def test_ci_runs_the_zensical_canary_after_the_tests_and_never_fails_for_it(tmp_path, canary_exit):
    (tmp_path / ".ci").mkdir()
    shutil.copy(REPO / ".ci/run", tmp_path / ".ci/run")
    for name, body in (
        ("lint", "exit 0"),
        ("test", "echo tests ran"),
        ("zensical-canary", f"echo canary ran; exit {canary_exit}"),
    ):
        (tmp_path / ".ci" / name).write_text(f"#!/usr/bin/env bash\n{body}\n")
    done = subprocess.run(["bash", str(tmp_path / ".ci/run")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("tests ran") < done.stdout.index("canary ran")
    if canary_exit:
        assert f"the canary itself is broken (exit {canary_exit})" in done.stderr


def test_failing_tests_fail_ci_before_the_canary_runs(tmp_path):
    (tmp_path / ".ci").mkdir()
    shutil.copy(REPO / ".ci/run", tmp_path / ".ci/run")
    for name, body in (("lint", "exit 0"), ("test", "exit 1"), ("zensical-canary", "echo canary ran")):
        (tmp_path / ".ci" / name).write_text(f"#!/usr/bin/env bash\n{body}\n")
    done = subprocess.run(["bash", str(tmp_path / ".ci/run")], capture_output=True, text=True)
    assert done.returncode == 1 and "canary ran" not in done.stdout


def test_the_workflow_reports_the_zensical_canary_without_failing():
    job = workflow()["jobs"]["zensical-canary"]
    assert job["continue-on-error"] is True and job["needs"] == "check"
    runs = [step.get("run", "") for step in job["steps"]]
    assert "bash .ci/zensical-canary" in runs and "bash .ci/setup test" in runs  # chromium for the search box check
