"""Edition text and NI substitution: examples, properties (hypothesis), and the term checks."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kb_tools.checks.registry import check_all
from kb_tools.checks.terms import check_table
from kb_tools.content.text import Code, Literal, for_edition, links, parse
from kb_tools.content.validate import check_content
from kb_tools.dev.synth import generate
from kb_tools.editions.terminology import Substituter, edition_pages, edition_text, starts_sentence
from kb_tools.model import Term, Terminology
from kb_tools.site.render import render_edition

from conftest import REAL_CONTENT

REAL = check_content(REAL_CONTENT).library.terminology
NI = Substituter(REAL.ni_terms)


def ni(text: str) -> str:
    return edition_text(text, "ni", NI)


def table(*rows: tuple[str, str]) -> Substituter:
    return Substituter(Term(gb, ni_form) for gb, ni_form in rows)


# --- examples --------------------------------------------------------------------------------


def test_the_long_form_goes_first_so_no_division_in_brackets():
    assert ni("The Child Maintenance Group (CMG) decides. The CMG and the Child Maintenance Group agree.") == (
        "The Division decides. The Division and the Division agree."
    )
    assert ni("Child Maintenance Group (CMG)'s role") == "Division's role"


def test_whole_words_only():
    assert ni("CMGs, CMG-wide, ex-CMG, CMG2 and XCMG stay") == "CMGs, CMG-wide, ex-CMG, CMG2 and XCMG stay"
    assert (
        ni("(CMG), CMG. CMG: CMG's and CMGs' - CMG")
        == "(Division), Division. Division: Division's and CMGs' - Division"
    )


def test_case_first_letter_either_way_the_rest_as_written():
    sub = table(("the Secretary of State", "the Department"))
    assert sub("The Secretary of State decides.") == "The Department decides."
    assert sub("Ask the Secretary of State.") == "Ask the Department."
    assert sub("Ask the secretary of state.") == "Ask the secretary of state."
    assert ni("cmg and Cmg stay; cMG is the abbreviation") == "cmg and Cmg stay; Division is the abbreviation"


def test_a_replacement_is_capitalised_at_the_start_of_a_sentence():
    sub = table(("HMRC", "the tax office"))
    assert sub("HMRC decides. Then HMRC writes! HMRC? (HMRC checks.) “HMRC agrees.”") == (
        "The tax office decides. Then the tax office writes! The tax office? (The tax office checks.) “The tax office agrees.”"
    )
    assert sub("Ask, e.g. HMRC or i.e. HMRC: HMRC") == "Ask, e.g. the tax office or i.e. the tax office: the tax office"
    assert sub("First paragraph\n\nHMRC decides") == "First paragraph\n\nThe tax office decides"
    assert sub("HMRC decides", preceding="Ask ") == "the tax office decides"


def test_sentence_starts_are_seen_across_links_and_literals():
    sub = table(("HMRC", "the tax office"))
    assert (
        edition_text("See [the guide](page:x). HMRC decides", "ni", sub)
        == "See [the guide](page:x). The tax office decides"
    )
    assert edition_text("Read this. [HMRC guidance](https://example.org/HMRC)", "ni", sub) == (
        "Read this. [The tax office guidance](https://example.org/HMRC)"
    )
    assert (
        edition_text("{literal: It is done.} HMRC decides", "ni", sub)
        == "{literal: It is done.} The tax office decides"
    )
    assert edition_text("Ask {literal: the} HMRC", "ni", sub) == "Ask {literal: the} the tax office"


def test_links_code_literals_and_addresses_are_never_touched():
    text = (
        "[CMG guidance](https://example.org/CMG/page) and [the CMG](page:cmg-page#cmg) use `CMG` and {literal: CMG}; "
        "see https://www.gov.uk/CMG, www.example.org/CMG or write to CMG@example.org. CMG replies."
    )
    assert ni(text) == (
        "[Division guidance](https://example.org/CMG/page) and [the Division](page:cmg-page#cmg) use `CMG` and {literal: CMG}; "
        "see https://www.gov.uk/CMG, www.example.org/CMG or write to CMG@example.org. Division replies."
    )


def test_edition_only_text():
    text = "{gb: Write to the CMG.}{ni: Write to the CMG in Belfast.} Both editions see this."
    assert edition_text(text, "gb", None) == "Write to the CMG. Both editions see this."
    assert ni(text) == "Write to the Division in Belfast. Both editions see this."


def test_legislation_names_from_the_public_facts():
    assert ni("under the Child Support Act 1991 and the Child Support Fees Regulations 2014 (SI 2014/612)") == (
        "under the Child Support (Northern Ireland) Order 1991 and the Child Support Fees Regulations (Northern Ireland) 2014 (NISR 2014/182)"
    )
    assert ni("The DWP and the Department for Work and Pensions (DWP) appeal to the First-tier Tribunal") == (
        "The DfC and the Department for Communities (DfC) appeal to the Appeals Service"
    )


def test_sentence_start_rules():
    assert starts_sentence("") and starts_sentence("Done. ") and starts_sentence('He said "yes." ')
    assert not starts_sentence("Note: ") and not starts_sentence("for example, e.g. ")


def test_edition_pages_keep_ids_anchors_targets_and_keywords(content):
    content.page(
        "first",
        text='"Ask the CMG: see [CMG](page:other#what-to-do)."',
        extra="keywords: [CMG]\ntags: [CMG]\n",
    )
    library = check_all(content.root).library
    gb, ni_page = (next(p for p in edition_pages(library, e) if p.id == "first") for e in ("gb", "ni"))
    assert ni_page.body[0].text == "Ask the Division: see [Division](page:other#what-to-do)."
    assert (ni_page.id, ni_page.body[0].anchor, ni_page.keywords, ni_page.tags) == (
        "first",
        "what-to-do",
        ("CMG",),
        ("Division",),
    )
    assert gb.body[0].text == "Ask the CMG: see [CMG](page:other#what-to-do)."


def test_gb_edition_is_the_same_with_or_without_the_ni_table(tmp_path):
    corpus = generate(tmp_path / "content", 30)
    for root in (REAL_CONTENT, corpus.root):
        library = check_all(root).library
        without = replace(library, terminology=replace(library.terminology, ni_terms=()))
        with_table, without_table = (render_edition(lib, lib.site.edition("gb")) for lib in (library, without))
        assert with_table.files == without_table.files
    ni_files = render_edition(library, library.site.edition("ni")).files
    assert ni_files != render_edition(without, without.site.edition("ni")).files  # the table does act on NI


# --- properties --------------------------------------------------------------------------------

GB_TERMS = [t.gb for t in REAL.ni_terms]
NI_FORMS = [t.ni for t in REAL.ni_terms]
FILLER = [
    "the",
    "caseworker",
    "calls",
    "a",
    "parent",
    "paying",
    "receiving",
    "Northern",
    "Group",
    "Act",
    "1991",
    "(",
    ")",
    "X",
]
SEPARATORS = [" ", ". ", ", ", "! ", "? ", " (", ") ", "\n\n", "-", "'s ", ": ", ""]

words = st.lists(st.sampled_from(FILLER + GB_TERMS + NI_FORMS), min_size=1, max_size=12)
seps = st.lists(st.sampled_from(SEPARATORS), min_size=12, max_size=12)


def joined(parts: list[str], separators: list[str]) -> str:
    return "".join(part + sep for part, sep in zip(parts, separators))


@st.composite
def marked_text(draw) -> str:
    """Prose with links, code, literals and edition-only text, all with GB terms inside."""
    term = st.sampled_from(GB_TERMS + ["page", "CMG-guide"])
    pieces = st.one_of(
        st.sampled_from(FILLER + GB_TERMS),
        st.builds(lambda a, b: f"[{a}](page:{b.lower().replace(' ', '-').strip('()')}#{b.lower()[:3]})", term, term),
        st.builds(lambda a, b: f"[{a}](https://example.org/{b.replace(' ', '%20')})", term, term),
        st.builds(lambda a: f"`{a}`", term),
        st.builds(lambda a: f"{{literal: {a}}}", term),
        st.builds(lambda e, a: f"{{{e}: {a}}}", st.sampled_from(["gb", "ni"]), term),
    )
    return joined(draw(st.lists(pieces, min_size=1, max_size=10)), draw(seps))


def protected(text: str, edition: str) -> tuple[list, list, list]:
    segments = parse(text)
    shown = for_edition(segments, edition)

    def of(kind):
        return [s.text for s in shown if isinstance(s, kind)]

    return [link.target for link in links(shown)], of(Code), of(Literal)


@settings(max_examples=300, deadline=None)
@given(marked_text())
def test_link_targets_code_and_literals_never_change(text):
    out = ni(text)
    assert protected(out, "ni") == protected(text, "ni")


@settings(max_examples=300, deadline=None)
@given(words, seps)
def test_substituting_ni_text_again_changes_nothing(parts, separators):
    once = NI(joined(parts, separators))
    assert NI(once) == once


@settings(max_examples=200, deadline=None)
@given(marked_text())
def test_edition_text_is_idempotent(text):
    once = ni(text)
    assert ni(once) == once
    assert edition_text(edition_text(text, "gb", None), "gb", None) == edition_text(text, "gb", None)


VOCABULARY = ["alpha", "beta", "Gamma", "AB", "delta", "(AB)", "beta's"]
phrase = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(phrase, phrase), min_size=1, max_size=4),
    st.lists(st.sampled_from(VOCABULARY), max_size=10),
    seps,
)
# Found by this test: "(AB)" matches glued to a word ("alpha(AB)"), where the row protecting
# "alpha alpha (AB)" cannot match, so its NI form was replaced again.
@example(
    rows=[("(AB)", "alpha alpha (AB)"), ("alpha alpha (AB)", "alpha alpha (AB)")],
    parts=["alpha", "(AB)"],
    separators=[""] * 12,
)
def test_any_table_kb_check_accepts_gives_idempotent_substitution(rows, parts, separators):
    terms = tuple(Term(gb, ni_form) for gb, ni_form in rows)
    assume(check_table(Terminology(ni_terms=terms)) == [])
    sub = Substituter(terms)
    once = sub(joined(parts + [gb for gb, _ in rows], separators))
    assert sub(once) == once


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(FILLER[:8]), st.booleans(), st.sampled_from(REAL.ni_terms)), min_size=1, max_size=8
    ),
    seps,
)
def test_the_text_between_terms_is_unchanged(pieces, separators):
    """Prose around whole-word terms comes out exactly as written; each term becomes its NI
    form (its first letter may be capitalised), in the same place."""
    sep = [s for s in separators if s not in ("", "-", "'s ")] + [" "] * 12
    text, expected = "", ""
    for (filler, with_term, term), gap in zip(pieces, sep):
        text += filler + " "
        expected += re.escape(filler + " ")
        if with_term:
            text += term.gb + gap
            first = term.ni[0]
            expected += f"[{re.escape(first)}{re.escape(first.upper())}]{re.escape(term.ni[1:] + gap)}"
    assert re.fullmatch(expected, NI(text)), (text, NI(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="CMG() ivsoaX.-'", max_size=40), st.text(alphabet="CMG() ivsoaX.-'", max_size=40))
def test_never_division_in_brackets(before, after):
    assert "Division (Division)" not in NI(f"{before} Child Maintenance Group (CMG) {after}".replace("Division", ""))


# --- the checks ---------------------------------------------------------------------------------


def problems(tree) -> list[str]:
    return [str(p) for p in check_all(tree.root).problems]


PAGE = """\
id: first
title: Page first
summary: A short summary.
section: guidance
owner: Test team
last_reviewed: 2026-01-01
keywords: [NRP, non-resident parent]
body:
  - heading: What the non-resident parent does
    text: |
      The paying parent pays.
      Then the Non-Resident Parents and the NRP's partner,
      but not {literal: the non-resident parent} in `NRP` or [the act](page:other#nrp) or nrp.
    steps:
      - 'It''s the parent with care: tell them.'
      - "Tell the \\u00e9 person with care."
    notes:
      - kind: note
        text: >-
          A folded note about
          a maintenance assessment.
    edition: gb
related: [other]
"""


def test_legacy_terms_are_reported_where_they_were_written(content):
    content.write("terminology.yml", (REAL_CONTENT / "terminology.yml").read_text())
    path = content.page("first", PAGE)
    found = [m for m in problems(content) if "legacy term" in m]
    assert [m.split(": '")[0] for m in found] == [
        f"{path}:9:23",
        f"{path}:12:16",
        f"{path}:12:45",
        f"{path}:15:20",
        f"{path}:16:26",
        f"{path}:21:13",
    ]
    assert found[0].endswith(
        "'non-resident parent' is a legacy term: write 'paying parent', or {literal: non-resident parent} "
        "where the old term must stay (quoting legislation, for example)"
    )
    assert "'Non-Resident Parents' is a legacy term" in found[1] and "'NRP' is a legacy term" in found[2]
    assert check_all(content.root).library is None  # an error: the build stops


def test_gb_terms_that_would_reach_ni_readers_are_reported(content):
    path = content.page(
        "first",
        text='"CMGs, the cmg, ex-CMG and {literal: CMGs} and {gb: the CMGs} and https://example.org/CMGs. The CMG is fine."',
    )
    found = [m for m in problems(content) if "Northern Ireland readers" in m]
    assert [m.split(": '")[0] for m in found] == [f"{path}:9:12", f"{path}:9:22", f"{path}:9:27"]
    assert found[0].endswith(
        "'CMGs' would reach Northern Ireland readers unchanged: only 'CMG' as a whole word, written as in "
        "terminology.yml, becomes 'Division'. Reword it, add a row to terminology.yml, or write {literal: CMGs} "
        "if NI readers should see it"
    )


def test_a_gb_law_linked_in_both_editions_is_reported(content):
    content.write(
        "terminology.yml",
        "northern_ireland:\n  - gb: Child Support Act 1991\n    ni: Child Support (Northern Ireland) Order 1991\n",
    )
    legislation = (
        "legislation:\n"
        "  - title: Child Support Act 1991\n    url: https://www.legislation.gov.uk/ukpga/1991/48\n"
        "  - title: Child Support Act 1991\n    url: https://www.legislation.gov.uk/ukpga/1991/48\n    edition: gb\n"
        "  - title: Child Support (Northern Ireland) Order 1991\n    url: https://www.legislation.gov.uk/nisi/1991/2628\n    edition: ni\n"
    )
    path = content.page("first", extra=legislation)
    assert [m for m in problems(content) if "legislation" in m] == [
        f"{path}:13:12: the NI edition shows this as 'Child Support (Northern Ireland) Order 1991' but the link still "
        "opens https://www.legislation.gov.uk/ukpga/1991/48: mark this entry 'edition: gb' and add an 'edition: ni' "
        "entry with the Northern Ireland law's address"
    ]


def test_table_rows_that_would_substitute_twice_are_reported(content):
    content.write(
        "terminology.yml",
        "northern_ireland:\n"
        "  - gb: Members of Parliament (MPs)\n    ni: MLAs and Members of Parliament (MPs)\n"
        "  - gb: CMG\n    ni: Division\n"
        "  - gb: Division staff\n    ni: staff\n"
        "  - gb: cMG\n    ni: Division\n"
        "  - gb: DWP\n    ni: DfC (the NRP's department)\n"
        "legacy:\n  - term: NRP\n    use: paying parent\n",
    )
    path = content.root / "terminology.yml"
    assert [m for m in problems(content) if "terminology.yml" in m] == [
        f"{path}:2:5: the NI form 'MLAs and Members of Parliament (MPs)' holds a GB term and would become "
        "'MLAs and MLAs and Members of Parliament (MPs)': write extra words in page text, or use {ni: …}",
        f"{path}:4:5: the NI form 'Division' runs into the GB term 'Division staff': with the words around it, it could be replaced again",
        f"{path}:6:5: the NI form 'staff' runs into the GB term 'Division staff': with the words around it, it could be replaced again",
        f"{path}:8:5: 'cMG' is listed twice under northern_ireland",
        f"{path}:10:5: the NI form 'DfC (the NRP's department)' uses the legacy term 'NRP'",
    ]


def test_a_protected_phrase_does_not_protect_an_ni_form_glued_to_a_word():
    rows = (Term("(AB)", "alpha alpha (AB)"), Term("alpha alpha (AB)", "alpha alpha (AB)"))
    assert Substituter(rows)("alpha(AB)") == "alphaalpha alpha (AB)"  # the phrase cannot match here
    assert [p.message for p in check_table(Terminology(ni_terms=rows))] == [
        "the NI form 'alpha alpha (AB)' holds a GB term and would become '…alpha alpha alpha alpha (AB)': "
        "write extra words in page text, or use {ni: …}"
    ]


def test_real_content_and_the_synthetic_corpus_pass_the_term_checks(tmp_path):
    for root in (REAL_CONTENT, generate(tmp_path / "content", 30).root):
        result = check_all(root)
        assert result.ok, [str(p) for p in result.problems[:5]]


@settings(max_examples=300, deadline=None)
@given(marked_text())
def test_texts_without_marks_or_terms_take_a_short_cut_to_the_same_result(text):
    from kb_tools.editions.terminology import render_segments, segments_for_edition

    for edition, sub in (("gb", None), ("ni", NI)):
        for variant in (text, re.sub(r"[{}\[\]`]", "", text)):
            assert edition_text(variant, edition, sub) == render_segments(
                segments_for_edition(parse(variant), edition, sub)
            )


def test_a_lower_case_replacement_takes_the_writers_capital_mid_sentence():
    """The capital-letter rule: where the writer capitalised a GB term mid-sentence, its NI
    form is capitalised too; where they did not, it is written as in the table."""
    sub = table(("the Secretary of State", "the Department"), ("HMRC", "the tax office"))
    assert sub("Ask The Secretary of State now.") == "Ask The Department now."
    assert sub("Ask the Secretary of State now.") == "Ask the Department now."
    assert sub("Write to HMRC today.") == "Write to the tax office today."
