from pathlib import Path

import pytest

from kb_tools.load import parse_yaml, read_yaml


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
    assert doc is None and "special characters are not allowed" in problems[0].message


def test_fast_and_pure_python_parsers_read_the_same(tmp_path: Path):
    """libyaml (C) is used when available; PyYAML's parser must give identical data and positions."""
    import yaml

    from kb_tools.load import _build

    from conftest import REAL_CONTENT

    texts = [p.read_text(encoding="utf-8") for p in sorted(REAL_CONTENT.rglob("*.yml"))]
    texts.append("a: null\nb: 'null'\nc: !!null x\nd: ~\ne: |\n  block\n? [k]\n: v\nf: x\nf: y\n")
    for text in texts:
        fast, slow = _build(yaml.CSafeLoader, text, "p.yml"), _build(yaml.SafeLoader, text, "p.yml")
        assert (fast[0].data, fast[0].values, fast[0].keys, fast[1]) == (slow[0].data, slow[0].values, slow[0].keys, slow[1])


@pytest.mark.parametrize(
    "source",
    [
        "t: See [x](page:a) and [y](page:b).\n",
        "t: 'See [x](page:a), ''quoted'', [y](page:b).'\n",
        "t: |\n  See [x](page:a)\n  and [y](page:b).\n",
        "t: >\n  See [x](page:a)\n\n    and [y](page:b)\n  here.\n",
        "t: \"See [x](page:a)\\\n  and [y](page:b).\"\n",
        "t: See [x](page:b) and\n  [y](page:b).\n",
    ],
)
def test_positions_inside_any_kind_of_scalar(source):
    """The file position of text inside a scalar, whatever the style that folds or escapes it."""
    from kb_tools.load import position_in_scalar

    doc, _ = parse_yaml(source, "p.yml")
    value = doc.data["t"]
    offset = value.rindex("page:b")
    where = position_in_scalar(source, doc.values["t"], value, offset, "page:b")
    index = source.rindex("page:b")
    assert (where.line, where.column) == (source.count("\n", 0, index) + 1, index - source.rfind("\n", 0, index))


def test_position_falls_back_to_the_scalar_start():
    from kb_tools.load import position_in_scalar

    doc, _ = parse_yaml('t: "escaped \\x41"\n', "p.yml")
    assert position_in_scalar(doc.text, doc.values["t"], doc.data["t"], 8, "A") == doc.values["t"]
