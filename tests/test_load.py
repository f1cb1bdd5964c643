from pathlib import Path

import pytest

from kb_tools.content.load import parse_yaml, read_yaml


def test_scalars_stay_text_and_empty_is_none():
    doc, problems = parse_yaml("a: NO\nb: 2023-12-06\nc: 1.5\nd:\ne: ''\n", "x.yml")
    assert problems == []
    assert doc.data == {"a": "NO", "b": "2023-12-06", "c": "1.5", "d": None, "e": ""}


def test_positions_of_values_and_keys():
    doc, _ = parse_yaml("title: Hello\nbody:\n  - heading: One\n    text: Two\n", "p.yml")
    assert (doc.values["body/0/text"].line, doc.values["body/0/text"].column) == (4, 11)
    assert (doc.keys["body/0/text"].line, doc.keys["body/0/text"].column) == (4, 5)
    assert doc.where("body/0/missing").line == 3  # falls back to the nearest written ancestor


def test_duplicate_keys_are_reported_at_the_second_key():
    doc, problems = parse_yaml("title: A\nsummary: B\ntitle: C\n", "p.yml")
    assert [str(p) for p in problems] == [
        "p.yml:3:1: duplicate key 'title' (first written at line 1): YAML would silently keep only the last"
    ]
    assert doc.data["title"] == "A"


def test_duplicate_keys_in_nested_mapping():
    _, problems = parse_yaml("body:\n  - heading: A\n    heading: B\n", "p.yml")
    assert [(p.line, p.column) for p in problems] == [(3, 5)]


def test_aliases_are_refused_before_they_expand():
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    doc, problems = parse_yaml(bomb, "bomb.yml")
    assert doc is None
    assert str(problems[0]) == "bomb.yml:2:8: aliases (*a) are not allowed: write the value out in full"


def test_deep_nesting_is_a_problem_not_a_crash():
    doc, problems = parse_yaml("a: " + "[" * 5000 + "]" * 5000, "deep.yml")
    assert doc is None
    assert "nesting is deeper than" in problems[0].message


def test_syntax_error_names_line_and_column():
    _, problems = parse_yaml("title: [unclosed\nsummary: x\n", "bad.yml")
    assert problems[0].path == "bad.yml"
    assert problems[0].line == 2
    assert problems[0].message.startswith("YAML syntax:")


def test_tab_indentation_is_a_syntax_error():
    _, problems = parse_yaml("body:\n\t- heading: x\n", "tab.yml")
    assert (problems[0].line, problems[0].column) == (2, 1)
    assert "tab" in problems[0].message


def test_empty_file(tmp_path: Path):
    file = tmp_path / "empty.yml"
    file.write_text("  \n")
    doc, problems = read_yaml(file, "empty.yml")
    assert doc is None and str(problems[0]) == "empty.yml:1:1: file is empty"


def test_non_utf8_bytes_are_located(tmp_path: Path):
    file = tmp_path / "latin.yml"
    file.write_bytes(b"title: ok\nsummary: caf\xe9\n")
    _, problems = read_yaml(file, "latin.yml")
    assert str(problems[0]) == "latin.yml:2:13: file is not valid UTF-8 (byte 0xe9): save it as UTF-8"


def test_very_large_file_is_refused(tmp_path: Path):
    file = tmp_path / "big.yml"
    file.write_text("a: " + "x" * 300_000)
    _, problems = read_yaml(file, "big.yml")
    assert "the limit is" in problems[0].message


def test_control_characters_are_a_problem_not_a_traceback():
    doc, problems = parse_yaml("title: a\x01b\n", "ctl.yml")
    assert (
        doc is None
        and str(problems[0])
        == "ctl.yml:1:9: a control character (U+0001) here: delete it (it often comes with pasted text)"
    )


def test_fast_and_pure_python_parsers_read_the_same(tmp_path: Path):
    """libyaml (C) is used when available; PyYAML's parser must give identical data and positions."""
    import yaml

    from kb_tools.content.load import _build

    from conftest import REAL_CONTENT

    texts = [p.read_text(encoding="utf-8") for p in sorted(REAL_CONTENT.rglob("*.yml"))]
    texts.append("a: null\nb: 'null'\nd: ~\ne: |\n  block\n? [k]\n: v\nf: x\nf: y\n")
    for text in texts:
        fast, slow = _build(yaml.CSafeLoader, text, "p.yml"), _build(yaml.SafeLoader, text, "p.yml")
        assert fast[0] is not None and slow[0] is not None
        assert (fast[0].data, fast[0].values, fast[0].keys, fast[1]) == (
            slow[0].data,
            slow[0].values,
            slow[0].keys,
            slow[1],
        )


# --- positions inside text values: plain, quoted and block scalars ---------------------------

import yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kb_tools.content.load import text_location  # noqa: E402


def where(text: str, pointer: str, needle: str) -> tuple[int, int]:
    """Line and column reported for the first occurrence of needle in the loaded value."""
    doc, problems = parse_yaml(text, "p.yml")
    assert problems == []
    location = text_location(doc.source_text, pointer, doc.source_text.scalars[pointer].value.index(needle))
    return location.line, location.column


def test_position_in_plain_scalars_folded_over_lines():
    text = "id: x\ntext: Call the\n  parent  back\n\n  on 0800 000 0000 today\n"
    assert where(text, "text", "back") == (3, 11)
    assert where(text, "text", "0800") == (5, 6)


def test_position_in_quoted_scalars_with_escapes_and_doubled_quotes():
    assert where("t: 'it''s AB 12 34 56 C'\n", "t", "AB") == (1, 11)
    text = 't: "tab\\there, caf\\u00e9 \\\n     joined \\"AB 12\\" x"\n'
    assert where(text, "t", "joined") == (2, 6)
    assert where(text, "t", "AB") == (2, 15)


def test_position_in_literal_and_folded_blocks():
    text = "body:\n  - text: |\n      First line.\n        Indented SW1A 1AA.\n\n      Last.\n"
    assert where(text, "body/0/text", "SW1A") == (4, 18)
    folded = "body:\n  - text: >-\n      One\n      two\n\n      three <b>\n"
    assert where(folded, "body/0/text", "<b>") == (6, 13)
    explicit = "- |2\n   leading space x@y.uk\n"
    assert where(explicit, "0", "x@y.uk") == (2, 18)


def test_position_with_windows_line_endings_and_wide_characters():
    assert where("a: é😀\r\nt: one\r\n  two 020\r\n", "t", "020") == (3, 7)


WORDS = st.text(alphabet=st.sampled_from(list("ab  \n'\"\\-é😀.,:#\t")), max_size=50)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WORDS, st.sampled_from([None, "'", '"', "|", ">"]), st.integers(5, 30), st.booleans())
def test_every_character_maps_to_where_it_was_written(value, style, width, nested):
    """Whatever the emitter writes (folded, escaped, indented), each non-space character of
    the value points at itself in the file (or at the backslash or quote that escapes it)."""
    data, pointer = ({"a": [{"x": "y", "k": value}]}, "a/0/k") if nested else ({"k": value}, "k")
    text = yaml.dump(data, default_style=style, allow_unicode=True, width=width)
    doc, problems = parse_yaml(text, "p.yml")
    assert problems == []
    escaped = doc.source_text.scalars[pointer].style == '"'
    lines = text.split("\n")
    for offset, char in enumerate(value):
        if char.isspace():
            continue
        location = text_location(doc.source_text, pointer, offset)
        written = lines[location.line - 1][location.column - 1]
        assert written == char or (escaped and written == "\\"), (text, offset)


# --- fuzzing: no input makes the loader raise ---------------------------------------------------

from kb_tools.content.load import _decode  # noqa: E402

YAML_PIECES = st.sampled_from(
    [
        "a",
        "key",
        ":",
        ": ",
        " ",
        "  ",
        "\n",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a",
        "!!str ",
        "!x ",
        "'",
        '"',
        "''",
        "|",
        ">",
        "|2-",
        ">+",
        "#",
        "\t",
        "? ",
        "---",
        "...",
        "%YAML 1.1\n",
        "\\",
        "\\x4",
        "\\u00e9",
        "\ufeff",
        "\x00",
        "\x07",
        "\r",
        "\r\n",
        "\x85",
        "\u2028",
        "é",
        "😀",
        "AB 12 34 56 C",
        "<b>",
    ]
)
YAML_LIKE = st.lists(YAML_PIECES, max_size=60).map("".join)


def assert_loads_or_explains(text: str) -> None:
    doc, problems = parse_yaml(text, "f.yml")
    if doc is None:
        assert problems, "a document that did not load must say why"
    for problem in problems:
        assert problem.line >= 1 and problem.column >= 1 and problem.message
    if doc is not None:
        lines = len(text.splitlines()) + 1
        for pointer, scalar in doc.source_text.scalars.items():
            for offset in range(len(scalar.value)):
                location = text_location(doc.source_text, pointer, offset)
                assert 1 <= location.line <= lines and location.column >= 1


@settings(max_examples=400, deadline=None)
@given(st.one_of(YAML_LIKE, st.text(max_size=300)))
def test_no_text_makes_the_loader_raise(text):
    assert_loads_or_explains(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_no_bytes_make_the_loader_raise(raw):
    text, problem = _decode("f.yml", raw)
    if text is None:
        assert problem.line >= 1 and "not valid UTF-8" in problem.message
    else:
        assert_loads_or_explains(text)


@pytest.mark.parametrize(
    "source",
    [
        "t: See [x](page:a) and [y](page:b).\n",
        "t: 'See [x](page:a), ''quoted'', [y](page:b).'\n",
        "t: |\n  See [x](page:a)\n  and [y](page:b).\n",
        "t: >\n  See [x](page:a)\n\n    and [y](page:b)\n  here.\n",
        't: "See [x](page:a)\\\n  and [y](page:b)."\n',
        "t: See [x](page:b) and\n  [y](page:b).\n",
    ],
)
def test_positions_inside_any_kind_of_scalar(source):
    """The file position of text inside a scalar, whatever the style that folds or escapes it."""
    doc, _ = parse_yaml(source, "p.yml")
    where = text_location(doc.source_text, "t", doc.data["t"].rindex("page:b"))
    index = source.rindex("page:b")
    assert (where.line, where.column) == (source.count("\n", 0, index) + 1, index - source.rfind("\n", 0, index))


# --- gaps a mutation pass found: each of these changes once went unnoticed ---------------------


def test_null_in_any_spelling_yaml_knows_is_none_and_quoted_is_text():
    doc, problems = parse_yaml("a: NULL\nb: Null\nc: ~\nd: null\ne: 'NULL'\n", "x.yml")
    assert problems == []
    assert doc.data == {"a": None, "b": None, "c": None, "d": None, "e": "NULL"}


def test_a_byte_order_mark_does_not_shift_positions_on_line_one(tmp_path: Path):
    file = tmp_path / "p.yml"
    file.write_bytes("\ufefftitle: AB 12 34 56 C\n".encode())
    doc, problems = read_yaml(file)
    assert problems == []
    assert (doc.values["title"].line, doc.values["title"].column) == (1, 8)
    location = text_location(doc.source_text, "title", doc.source_text.scalars["title"].value.index("AB"))
    assert (location.line, location.column) == (1, 8)


def test_trailing_blanks_on_a_folded_line_do_not_shift_columns():
    text = "text: first part   \n  second AB 12 34 56 C\n"
    assert where(text, "text", "second") == (2, 3)
    assert where(text, "text", "AB") == (2, 10)
    block = "text: >\n  first part   \n  second AB 12\n"
    assert where(block, "text", "AB") == (3, 10)
