"""The CLI: exit codes 0 ok, 1 content errors, 2 usage errors; messages, never tracebacks."""

import subprocess
import sys

from kb_tools.cli import main

from conftest import REPO


def run_kb(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb_tools.cli", *args], cwd=cwd, capture_output=True, text=True)


def test_check_ok(content, capsys):
    assert main(["check", "--content", str(content.root)]) == 0
    assert "OK: 2 pages checked" in capsys.readouterr().err


def test_check_reports_each_defect_and_exits_1(content, capsys):
    content.page("first", extra="colour: blue\n", related=("nowhere",))
    content.page("other", "id: other\ntitle: x\ntitle: y\n")
    assert main(["check", "--content", str(content.root)]) == 1
    out = capsys.readouterr().out
    assert "first.yml:12:1: unknown key 'colour'" in out
    assert "first.yml:11:5: related page 'nowhere' does not exist" in out
    assert "other.yml:3:1: duplicate key 'title'" in out


def test_usage_errors_exit_2(tmp_path):
    assert run_kb("frobnicate").returncode == 2
    missing = run_kb("check", "--content", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert "content folder not found" in missing.stderr


def test_broken_content_never_prints_a_traceback(content):
    content.page("first", "a: &a [1]\nb: *a\n")
    content.write("pages/bin.yml", "")
    (content.root / "pages/latin.yml").write_bytes(b"title: caf\xe9\n")
    result = run_kb("check", "--content", str(content.root))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "aliases (*a) are not allowed" in result.stdout
    assert "file is empty" in result.stdout
    assert "not valid UTF-8" in result.stdout


def test_content_folder_without_site_yml(tmp_path, capsys):
    assert main(["check", "--content", str(tmp_path)]) == 1
    assert "no site.yml here" in capsys.readouterr().out
