"""The CLI: exit codes 0 ok, 1 content errors, 2 usage errors; messages, never tracebacks."""

import subprocess
import sys

from kb_tools.cli import main

from conftest import REPO


def run_kb(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb_tools", *args], cwd=cwd, capture_output=True, text=True)


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


# --- kb search / kb serve -------------------------------------------------------------------


def test_search_prints_readable_results(content, tmp_path):
    from test_index import build_index

    build_index(content, tmp_path / "search_index")
    result = run_kb("search", "summary of page frist", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == 'Showing results for "summary of page first" (you typed "summary of page frist").'
    assert lines[1] == "1. Page first [GB]"
    assert lines[2] == "   /gb/guidance/first/"
    assert "*summary* of *page* *first*" in lines[3]


def test_search_json_is_an_array_of_results(content, tmp_path):
    import json

    from test_index import build_index

    build_index(content, tmp_path / "search_index")
    result = run_kb("search", "plain text", "--json", "--limit", "1", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    [hit] = json.loads(result.stdout)
    assert set(hit) >= {"id", "title", "url", "edition", "score", "snippet"}
    assert hit["snippet"].count("<mark>") == 2


def test_search_usage_errors_and_missing_index(tmp_path):
    assert run_kb("search", "x", "--limit", "0").returncode == 2
    assert run_kb("search", "x", "--edition", "fr").returncode == 2
    empty = run_kb("search", "   ")
    assert (empty.returncode, empty.stderr.strip()) == (
        2,
        "kb search: the query is empty: type some words to search for",
    )
    missing = run_kb("search", "x", "--root", str(tmp_path))
    assert missing.returncode == 1
    assert "no search index for the GB edition" in missing.stderr and "Traceback" not in missing.stderr


def test_serve_without_a_site_says_to_build(tmp_path):
    result = run_kb("serve", "--root", str(tmp_path))
    assert result.returncode == 1
    assert "run `kb build` first" in result.stderr


# --- bad input: each gets its own clear message at path:line:column and exit 1 ---------------

import pytest  # noqa: E402

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)

BAD_INPUT = {
    "non-UTF-8 bytes": (
        b"id: first\ntitle: Caf\xe9\n",
        "first.yml:2:11: file is not valid UTF-8 (byte 0xe9): save it as UTF-8",
    ),
    "tabs": (
        b"id: first\nbody:\n\t- heading: x\n",
        "first.yml:3:1: YAML syntax: a tab character here: indent YAML with spaces, never tabs",
    ),
    "alias bomb": (BILLION_LAUGHS.encode(), "first.yml:2:8: aliases (*a) are not allowed: write the value out in full"),
    "very large file": (
        b"id: first\ntext: " + b"x" * 300_000 + b"\n",
        "first.yml:1:1: file is 300,017 bytes; the limit is 262,144: split the page",
    ),
    "deep nesting": (b"a: " + b"[" * 100 + b"]" * 100 + b"\n", "first.yml:1:23: nesting is deeper than 20 levels"),
    "control character": (b"id: first\ntitle: A\x07B\n", "first.yml:2:9: a control character (U+0007) here: delete it"),
    "empty file": (b"", "first.yml:1:1: file is empty"),
    "only a byte-order mark": (b"\xef\xbb\xbf\n", "first.yml:1:1: file is empty"),
    "a list, not a page": (b"- id: first\n", "first.yml:1:1: the file must be a mapping of keys, not a list"),
    "id with a path separator": (
        b"id: ../../etc/first\n",
        "first.yml:1:5: 'id' must be a lower-case slug (letters, digits and single hyphens): '../../etc/first'",
    ),
    "id with dots": (
        b"id: first.v2\n",
        "first.yml:1:5: 'id' must be a lower-case slug (letters, digits and single hyphens): 'first.v2'",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_each_bad_input_gets_its_own_message_and_exit_1(content, capsys, case):
    raw, message = BAD_INPUT[case]
    (content.root / "pages/first.yml").write_bytes(raw)
    assert main(["check", "--content", str(content.root)]) == 1
    out = capsys.readouterr().out
    assert message in out, out


def test_every_bad_input_at_once_through_the_command_line(content, tmp_path):
    for i, (raw, _) in enumerate(BAD_INPUT.values()):
        (content.root / f"pages/bad-{i}.yml").write_bytes(raw)
    result = run_kb("check", "--content", str(content.root))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    for _, message in BAD_INPUT.values():
        assert message.split(": ", 1)[1] in result.stdout


def test_search_says_when_a_result_holds_few_of_the_words(content, tmp_path):
    from test_index import build_index

    build_index(content, tmp_path / "search_index")
    result = run_kb("search", "xylophone parking summary", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "(weak match: holds few of your words)" in result.stdout.splitlines()[0]
    plain = run_kb("search", "summary of page first", "--root", str(tmp_path))
    assert "weak match" not in plain.stdout
