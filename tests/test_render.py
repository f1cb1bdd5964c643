from pathlib import Path

from kb_tools.config import Paths
from kb_tools.content.validate import check_content
from kb_tools.pipeline.build import render_all
from kb_tools.site.render import A_TO_Z_GROUP, escape, render_edition, section_nav

from conftest import EDIT_KINDS, REPO, page_yaml, random_edit, rewrite


def library_of(tree):
    result = check_content(tree.root)
    assert result.ok, [str(p) for p in result.problems]
    return result.library


def test_page_markdown_has_summary_body_related_and_about(content):
    library = library_of(content)
    output = render_edition(library, library.site.edition("gb"))
    files = {f.path: f.text for f in output.files}
    page = files["guidance/first/index.md"]
    assert "page_id: first\nedition: gb\n" in page
    assert "# Page first\n\nA short summary of page first." in page
    assert "## What to do {#what-to-do}" in page
    assert "- [Page other](../other/index.md): A short summary of page other." in page
    assert (
        "- Owner: Test team\n- Last reviewed: 1 January 2026\n- Review due: 1 January 2027\n- Edition: Great Britain (GB)"
        in page
    )


def test_pages_carry_no_hidden_search_words(content):
    """The site's search reads its own index (synonyms and old terms included): nothing is
    hidden on a page for a search to find."""
    content.page(
        "first",
        extra="keywords: [non-resident parent, CMG, helpline]\n",
        text="Raise an SR. A non-resident parent asked.",
    )
    library = library_of(content)
    for edition in ("gb", "ni"):
        page = {f.path: f.text for f in render_edition(library, library.site.edition(edition)).files}[
            "guidance/first/index.md"
        ]
        assert "kb-search-words" not in page and " hidden>" not in page
        assert "service request" not in page  # the synonym of SR: in the index, not on the page


def test_navigation_follows_sections(content):
    library = library_of(content)
    output = render_edition(library, library.site.edition("gb"))
    assert output.nav[2] == {
        "Guidance": [
            "guidance/index.md",
            {"Page first": "guidance/first/index.md"},
            {"Page other": "guidance/other/index.md"},
        ]
    }


def test_cross_references_become_relative_links(content):
    content.page("first", text='"See [the other page](page:other#what-to-do) and [GOV.UK](https://www.gov.uk)."')
    files = {f.path: f.text for f in render_edition(library_of(content), library_of(content).site.edition("gb")).files}
    assert (
        "See [the other page](../other/index.md#what-to-do) and [GOV.UK](https://www.gov.uk)."
        in files["guidance/first/index.md"]
    )


def test_html_and_unsafe_links_are_shown_as_text():
    assert escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape("# not a heading") == "\\# not a heading"


def test_ni_edition_substitutes_terms(content):
    content.page("first", text='"The Child Maintenance Group (CMG) decides. CMG staff and the {literal: CMG} name."')
    library = library_of(content)
    gb = {f.path: f.text for f in render_edition(library, library.site.edition("gb")).files}["guidance/first/index.md"]
    ni = {f.path: f.text for f in render_edition(library, library.site.edition("ni")).files}["guidance/first/index.md"]
    assert "The Child Maintenance Group (CMG) decides." in gb
    assert 'The Division decides. Division staff and the <span class="kb-literal">CMG</span> name.' in ni


def test_rendering_is_deterministic_and_only_rewrites_changes(content, project_paths):
    paths = project_paths(content.root)
    library = library_of(content)
    _, first = render_all(library, paths)
    assert "guidance/first/index.md" in first["gb"]
    before = {p: p.read_bytes() for p in paths.docs.rglob("*.md")}
    _, second = render_all(library, paths)
    assert second == {"gb": [], "ni": []}
    assert {p: p.read_bytes() for p in paths.docs.rglob("*.md")} == before

    content.page("first", text="Changed text.")
    _, third = render_all(library_of(content), paths)
    assert third["gb"] == ["guidance/first/index.md"]


def test_removed_pages_are_removed_from_docs(content, project_paths):
    paths = project_paths(content.root)
    content.page("third", related=("first",))
    render_all(library_of(content), paths)
    assert (paths.docs / "gb/guidance/third/index.md").exists()
    (content.root / "pages/third.yml").unlink()
    _, changed = render_all(library_of(content), paths)
    assert "guidance/third/index.md" in changed["gb"]
    assert not (paths.docs / "gb/guidance/third/index.md").exists()


def test_big_sections_are_split_into_bounded_alphabetical_groups(content):
    for page_id, title in [
        ("p1", "Update arrears"),
        ("p2", "Cancel a payment"),
        ("p3", "Check income"),
        ("p4", "Close a case"),
        ("p5", "Record notes"),
    ]:
        content.page(
            page_id, page_yaml(page_id, related=("first",)).replace(f"title: Page {page_id}", f"title: {title}")
        )
    library = library_of(content)
    members = [p for p in library.pages if p.id.startswith("p")]
    [a_to_z] = section_nav(members, limit=2)
    groups = a_to_z[A_TO_Z_GROUP]
    assert [list(g) for g in groups] == [["Cancel to Check"], ["Close to Record"], ["Update to Update"]]
    titles = [title for g in groups for entry in next(iter(g.values())) for title in entry]
    assert titles == ["Cancel a payment", "Check income", "Close a case", "Record notes", "Update arrears"]
    assert section_nav(members, limit=5) == [{p.title: f"guidance/{p.id}/index.md"} for p in members]


def _changes(*entries: tuple[str, str]) -> str:
    return "changes:\n" + "".join(f"  - date: {when}\n    note: {note}\n" for when, note in entries)


def test_links_to_generated_pages_are_relative_to_where_the_text_is_shown(content):
    content.page("first", text="'Use [the check](site:check-before-you-raise-an-sr).'")
    summary = "summary: A short summary of page other."
    content.page(
        "other",
        page_yaml("other", related=("first",)).replace(summary, "summary: See [what changed](site:whats-changed)."),
    )
    library = library_of(content)
    files = {f.path: f.text for f in render_edition(library, library.site.edition("gb")).files}
    assert "[the check](../../check-before-you-raise-an-sr.md)" in files["guidance/first/index.md"]
    assert "[what changed](whats-changed.md)" in files["index.md"]  # the summary on the home page
    assert "[what changed](../whats-changed.md)" in files["guidance/index.md"]  # and on its section's page


def test_procedure_page_shows_summary_then_owner_last_reviewed_and_review_due(content):
    library = library_of(content)
    page = {f.path: f.text for f in render_edition(library, library.site.edition("gb")).files}[
        "guidance/first/index.md"
    ]
    assert (
        "# Page first\n\nA short summary of page first.\n{: .kb-summary }\n\n"
        "Owner: Test team · Last reviewed: 1 January 2026 · Review due: 1 January 2027\n{: .kb-facts }\n\n## What to do"
        in page
    )


def test_whats_changed_lists_changes_newest_first_grouped_by_day_with_links(content):
    content.page("first", extra=_changes(("2026-03-01", "Added the appeal step."), ("2026-01-01", "First published.")))
    content.page("other", related=("first",), extra=_changes(("2026-03-01", "Reworded.")))
    library = library_of(content)
    changes = {f.path: f.text for f in render_edition(library, library.site.edition("ni")).files}["whats-changed.md"]
    march = changes.index("## 1 March 2026 {#changes-2026-03-01}")
    january = changes.index("## 1 January 2026 {#changes-2026-01-01}")
    assert march < january
    assert (
        "- [Page first](guidance/first/index.md): Added the appeal step.\n- [Page other](guidance/other/index.md): Reworded."
        in changes[march:january]
    )
    assert "- [Page first](guidance/first/index.md): First published." in changes[january:]
    assert "[Atom feed of changes](feed.xml)" in changes


def test_a_change_note_for_one_edition_reaches_only_that_editions_changes_and_feed(content):
    notes = "changes:\n  - date: 2026-03-01\n    note: GB fee removed.\n    edition: gb\n  - date: 2026-01-01\n    note: First published.\n"
    content.page("first", extra=notes)
    library = library_of(content)
    for edition, expected in (("gb", ["GB fee removed.", "First published."]), ("ni", ["First published."])):
        files = {f.path: f.text for f in render_edition(library, library.site.edition(edition)).files}
        assert [n for n in ("GB fee removed.", "First published.") if n in files["whats-changed.md"]] == expected
        assert [n for n in ("GB fee removed.", "First published.") if n in files["feed.xml"]] == expected


def test_a_page_shows_when_it_was_last_updated_and_its_history_newest_first(content):
    notes = (
        "changes:\n  - date: 2026-01-01\n    note: First published.\n"
        "  - date: 2026-03-01\n    note: GB fee removed.\n    edition: gb\n"
        "  - date: 2026-02-01\n    note: Fixed a typo.\n    minor: 'true'\n"
    )
    content.page("first", extra=notes)
    library = library_of(content)
    for edition, history, updated in (
        (
            "gb",
            ["1 March 2026: GB fee removed.", "1 February 2026: Fixed a typo.", "1 January 2026: First published."],
            "1 March 2026",
        ),
        ("ni", ["1 February 2026: Fixed a typo.", "1 January 2026: First published."], "1 February 2026"),
    ):
        files = {f.path: f.text for f in render_edition(library, library.site.edition(edition)).files}
        page = files["guidance/first/index.md"]
        assert f"Last updated: {updated} ([page history](#page-history))" in page
        shown = page.split("## Page history {#page-history}", 1)[1].split("##", 1)[0]
        assert [line[2:] for line in shown.strip().splitlines()] == history
        assert "Fixed a typo." not in files["whats-changed.md"] and "Fixed a typo." not in files["feed.xml"]


def test_a_page_without_change_notes_has_no_history(content):
    library = library_of(content)
    files = {f.path: f.text for f in render_edition(library, library.site.edition("gb")).files}
    assert "page-history" not in files["guidance/first/index.md"]


def test_feed_is_valid_atom_with_the_same_changes_newest_first(content):
    import xml.etree.ElementTree as ET

    content.page("first", extra=_changes(("2026-03-01", "Added the appeal step."), ("2026-01-01", "First published.")))
    library = library_of(content)
    files = {f.path: f.text for f in render_edition(library, library.site.edition("gb")).files}
    feed = ET.fromstring(files["feed.xml"].encode("utf-8"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.findtext("a:title", namespaces=ns) == "Test Procedures (GB): what's changed"
    assert feed.findtext("a:updated", namespaces=ns) == "2026-03-01T00:00:00Z"
    entries = feed.findall("a:entry", ns)
    assert [e.findtext("a:summary", namespaces=ns) for e in entries] == ["Added the appeal step.", "First published."]
    assert [e.find("a:link", ns).get("href") for e in entries] == ["guidance/first/index.html"] * 2
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert len(set(ids)) == 2 and all(i.startswith("urn:uuid:") for i in ids)
    # the same input gives the same bytes (stable ids, no "now"), so readers see no duplicates
    assert (
        render_edition(library, library.site.edition("gb")).files
        == render_edition(library, library.site.edition("gb")).files
    )


def test_tags_page_is_in_the_navigation_and_marks_where_tags_are_listed(content):
    library = library_of(content)
    output = render_edition(library, library.site.edition("gb"))
    tags = {f.path: f.text for f in output.files}["tags.md"]
    assert "No pages are tagged yet." in tags and "material/tags" not in tags
    assert output.nav[-1] == {"Tags": "tags.md"}

    content.page("first", extra="tags: [appeals]\n")
    tags = {f.path: f.text for f in render_edition(library_of(content), library.site.edition("gb")).files}["tags.md"]
    assert "<!-- material/tags -->" in tags


def test_links_in_a_summary_work_wherever_the_summary_is_shown(content):
    """A summary is shown on its page, the home page, its section's page and related lists."""
    content.page(
        "first",
        page_yaml("first").replace(
            "summary: A short summary of page first.", "summary: 'Before [the other page](page:other#what-to-do).'"
        ),
    )
    library = library_of(content)
    files = {f.path: f.text for f in render_edition(library, library.site.edition("gb")).files}
    assert "(other/index.md#what-to-do)" in files["guidance/index.md"]  # from guidance/index.md
    assert "(guidance/other/index.md#what-to-do)" in files["index.md"]  # from the edition root
    assert "(../other/index.md#what-to-do)" in files["guidance/other/index.md"]  # in other's related list


# --- fuzzing: any text in any field goes through validation and rendering as text ---------------

import html.parser  # noqa: E402
import re  # noqa: E402

import markdown  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kb_tools.checks.registry import RULES, CheckOptions  # noqa: E402

from conftest import SITE_YML, TERMINOLOGY_YML, ContentTree  # noqa: E402

MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "[x](javascript:alert(1))",
        "[x](page:other)",
        "[x](page:nowhere#a)",
        "[x](https://e.example/a_b)",
        "[x](#summary)",
        "{gb: GB only}",
        "{ni: NI only}",
        "{literal: CMG}",
        "`code`",
        "``",
        "**bold**",
        "*",
        "_",
        "\\",
        "<",
        ">",
        "&amp;",
        "&",
        "#",
        "# heading",
        "\n\n",
        "\n- ",
        "1. ",
        "> ",
        "!!! note",
        "{#id}",
        "{: .x}",
        "---",
        "|",
        "[",
        "](",
        ")",
        "<!--",
        "-->",
        "]: https://e.example",
        "Child Maintenance Group",
    ]
)
FIELD_TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=12)), max_size=8).map("".join)
FIELDS = ("title", "summary", "heading", "text", "step", "point", "note", "question", "answer", "legislation", "change")
ALLOWED_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "code",
    "div",
    "br",
    "hr",
    "blockquote",
    "pre",
    "span",
}


class TagCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def fuzzed_page(values: dict[str, str]) -> str:
    data = {
        "id": "first",
        "title": ("Title " + values["title"])[:120],
        "summary": ("A summary: " + values["summary"])[:400],
        "section": "guidance",
        "owner": "Test team",
        "last_reviewed": "2026-01-01",
        "body": [
            {
                "heading": "Heading " + values["heading"],
                "text": values["text"] or "x",
                "steps": [values["step"] or "x"],
                "points": [values["point"] or "x"],
                "notes": [{"kind": "warning", "text": values["note"] or "x"}],
            }
        ],
        "faq": [{"question": "Question " + values["question"], "answer": "A " + values["answer"]}],
        "related": ["other"],
        "legislation": [{"title": "Act " + values["legislation"], "url": "https://e.example/" + values["legislation"]}],
        "changes": [{"date": "2026-01-01", "note": ("Note " + values["change"])[:200]}],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def fuzz_tree(tmp_path_factory):
    tree = ContentTree(tmp_path_factory.mktemp("fuzz") / "content")
    tree.write("site.yml", SITE_YML)
    tree.write("terminology.yml", TERMINOLOGY_YML)
    tree.page("other", related=("first",))
    return tree


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.fixed_dictionaries({name: FIELD_TEXT for name in FIELDS}))
# Found by this test: a blank line in a legislation title ended its link early, and the
# address after it was read as Markdown ("*0*" became emphasis).
@example({name: "" for name in FIELDS} | {"text": "![x](https://example.org/x.png) and ![y](page:other)"})
@example({name: "" for name in FIELDS} | {"legislation": "*0*\n\n"})
def test_any_text_is_checked_and_rendered_as_text_never_as_markup(fuzz_tree, values):
    fuzz_tree.page("first", fuzzed_page(values))
    result = check_content(fuzz_tree.root)
    if not result.ok:  # refused with messages (e.g. too long): never a crash
        assert result.problems
        return
    for rule in RULES:  # the content checks never raise either, whatever the text
        assert all(problem.line >= 1 for problem in rule.run(result.library, CheckOptions()))
    for edition in result.library.site.editions:
        output = render_edition(result.library, edition)
        page = next(f.text for f in output.files if f.path == "guidance/first/index.md")
        body = re.sub(r"\A---\n.*?\n---\n", "", page, flags=re.S)
        collector = TagCollector()
        collector.feed(markdown.markdown(body, extensions=["attr_list", "admonition", "toc"]))
        for tag, attrs in collector.tags:
            assert tag in ALLOWED_TAGS, (tag, values)
            if tag == "span":  # only the renderer's own mark for {literal: …} text
                assert attrs == [("class", "kb-literal")], (attrs, values)
            for name, value in attrs:
                assert not name.startswith("on"), (tag, name, values)
                if name == "href":
                    assert re.match(r"(https?://|mailto:|#|\.\./|[a-z0-9-]+/)", value or "") or value == "", (
                        value,
                        values,
                    )


def test_generated_config_sorts_tags_ignoring_case(tmp_path, content):
    """Material sorts tags by exact name ("FOI" before "advice"); the config names its casefold key."""
    import yaml

    from kb_tools.site.render import mkdocs_config, write_mkdocs_config

    library = library_of(content)
    output = render_edition(library, library.site.edition("gb"))
    config = mkdocs_config(REPO / "mkdocs.yml", output, tmp_path / "docs", None)
    written = tmp_path / "mkdocs.gb.yml"
    write_mkdocs_config(config, written)
    text = written.read_text()
    assert "tags_sort_by: !!python/name:material.plugins.tags.tag_name_casefold" in text
    assert "listings_tags_sort_by: !!python/name:material.plugins.tags.tag_name_casefold" in text
    from material.plugins.tags import tag_name_casefold

    loaded = yaml.load(text, Loader=yaml.Loader)  # as MkDocs reads it
    tags = next(p["tags"] for p in loaded["plugins"] if isinstance(p, dict) and "tags" in p)
    assert tags["tags_sort_by"] is tag_name_casefold


def test_generated_config_keeps_its_folders_inside_its_own_folder(tmp_path, content):
    """Zensical takes the config's folder as the project root: it refuses a site_dir outside
    it and panics on an absolute docs_dir. MkDocs reads the same relative folders."""
    from mkdocs.config import load_config

    from kb_tools.pipeline.build import edition_config_path
    from kb_tools.site.render import mkdocs_config, write_edition, write_mkdocs_config

    library = library_of(content)
    output = render_edition(library, library.site.edition("gb"))
    docs = tmp_path / "docs"
    write_edition(output, docs)
    config = mkdocs_config(REPO / "mkdocs.yml", output, docs, None)
    written = docs / "mkdocs.gb.yml"
    assert written == edition_config_path(Paths.for_project(tmp_path), "gb")  # where kb build writes it
    write_mkdocs_config(config, written)
    for key in ("docs_dir", "site_dir"):
        assert not Path(config[key]).is_absolute(), config[key]
        assert (docs / config[key]).resolve().is_relative_to(docs.resolve()), config[key]
    site = (docs / config["site_dir"]).resolve()
    assert not site.is_relative_to((docs / "gb").resolve())  # MkDocs refuses a site inside the pages
    assert not site.is_relative_to((tmp_path / "site").resolve())  # never over the published site
    loaded = load_config(str(written))  # as MkDocs reads it: relative to the config file
    assert Path(loaded["docs_dir"]) == (docs / "gb").resolve()
    assert Path(loaded["site_dir"]) == docs.resolve() / "_site" / "gb"


def test_owner_contact_from_site_yml_under_about_in_the_editions_words(content):
    content.write(
        "site.yml",
        content.root.joinpath("site.yml").read_text()
        + "owners:\n  test TEAM:\n    contact: Ask the Child Maintenance Group (CMG) helpdesk page.\n",
    )
    library = library_of(content)
    pages = {e: {f.path: f.text for f in render_edition(library, library.site.edition(e)).files} for e in ("gb", "ni")}
    assert (
        "- To contact the owner: Ask the Child Maintenance Group (CMG) helpdesk page.\n"
        in pages["gb"]["guidance/first/index.md"]
    )
    assert "- To contact the owner: Ask the Division helpdesk page.\n" in pages["ni"]["guidance/first/index.md"]


def test_owner_contact_is_text_not_an_address(content):
    from kb_tools.checks.registry import CheckOptions, check_all

    content.write(
        "site.yml",
        content.root.joinpath("site.yml").read_text()
        + "owners:\n  Test team:\n    contact: Email jo.bloggs@example.org\n",
    )
    problems = [str(p) for p in check_all(content.root, CheckOptions()).problems]
    assert any("site.yml:" in p and "email address" in p for p in problems), problems


# --- per-page reuse: only what a change touches is rendered again, byte for byte --------------


def synthetic_library(tmp_path, pages=60, seed=3):
    import dataclasses

    from kb_tools.config import Paths
    from kb_tools.dev import synth

    corpus = synth.generate(tmp_path / "content", pages, seed)
    paths = Paths(corpus.root, tmp_path / "docs", tmp_path / "site", tmp_path / "index", REPO / "mkdocs.yml")
    return corpus, dataclasses.replace(paths, cache=tmp_path / "cache")


def test_random_edits_render_byte_for_byte_as_from_nothing(tmp_path):
    """Fixed seed: each step edits, then renders reusing the pages kept from the steps
    before, and compares every file and the navigation with a render from nothing."""
    import random

    from kb_tools.pipeline.build import render_editions

    corpus, paths = synthetic_library(tmp_path, pages=40)
    rng = random.Random(20261204)
    edits = rng.sample(EDIT_KINDS * 2, len(EDIT_KINDS) * 2)  # every kind twice, in a random order
    kinds = set()
    for step in range(len(edits) + 1):
        if step:
            kinds.add(random_edit(rng, corpus, step, edits[step - 1]))
        result = check_content(corpus.root, paths.cache)
        assert result.ok, [str(p) for p in result.problems[:3]]
        reused = render_editions(result.library, paths, result.source_key)
        fresh = [render_edition(result.library, e) for e in result.library.site.editions]
        for got, want in zip(reused, fresh):
            assert got.nav == want.nav
            assert {f.path: f.text for f in got.files} == {f.path: f.text for f in want.files}, (step, kinds)
    assert kinds == set(EDIT_KINDS)


def test_a_text_edit_renders_only_that_page_and_a_title_edit_also_the_pages_naming_it(tmp_path, monkeypatch):
    from kb_tools.pipeline.build import render_editions
    from kb_tools.site import render

    corpus, paths = synthetic_library(tmp_path)
    rendered: list[str] = []
    real = render.render_page
    monkeypatch.setattr(render, "render_page", lambda page, *a, **k: rendered.append(page.id) or real(page, *a, **k))

    def render_now():
        rendered.clear()
        result = check_content(corpus.root, paths.cache)
        render_editions(result.library, paths, result.source_key)
        return sorted(rendered)

    assert len(render_now()) == 2 * len(corpus.pages)  # from nothing: every page in both editions
    page = corpus.pages[0]
    rewrite(corpus.page_file(page), lambda d: d["body"][0].update(text="Only this page changed.\n"))
    assert render_now() == [page.id, page.id]
    rewrite(corpus.page_file(page), lambda d: d.update(title="A new title"))
    naming = {
        p.id
        for p in check_content(corpus.root).library.pages
        if page.id in p.related or f"page:{page.id}" in repr(p)  # related lists and in-text links
    }
    assert naming and set(render_now()) == {page.id} | naming
