"""Validation messages: each names the file, line and column and says what is wrong."""

from pathlib import Path

from kb_tools.content.validate import check_content


def messages(tree) -> list[str]:
    return [str(p) for p in check_content(tree.root).problems]


def test_valid_tree_has_no_problems(content):
    result = check_content(content.root)
    assert result.ok, messages(content)
    assert [p.id for p in result.library.pages] == ["first", "other"]


def test_unknown_key_points_at_the_key(content):
    content.page("first", extra="colour: blue\n")
    assert [m for m in messages(content) if "unknown key" in m] == [
        f"{content.root}/pages/first.yml:12:1: unknown key 'colour'; allowed keys: audience, body, changes, faq, id, keywords, "
        "last_reviewed, legislation, order, owner, related, review_due, section, source, summary, tags, title"
    ]


def test_wrong_type_points_at_the_value(content):
    text = content.page("first").read_text().replace("title: Page first", "title:\n  - a list")
    content.page("first", text)
    assert f"{content.root}/pages/first.yml:3:3: 'title' must be text, not a list" in messages(content)


def test_bad_date_is_not_a_real_date(content):
    text = content.page("first").read_text().replace("2026-01-01", "2026-02-30")
    content.page("first", text)
    assert (
        f"{content.root}/pages/first.yml:6:16: 'last_reviewed' is not a real date: '2026-02-30' (write YYYY-MM-DD)"
        in messages(content)
    )


def test_missing_required_key(content):
    text = content.page("first").read_text().replace("owner: Test team\n", "")
    content.page("first", text)
    assert f"{content.root}/pages/first.yml:1:1: missing required key 'owner'" in messages(content)


def test_duplicate_key_in_page(content):
    text = content.page("first").read_text().replace("owner: Test team\n", "owner: Test team\nowner: Other team\n")
    content.page("first", text)
    assert any(m.startswith(f"{content.root}/pages/first.yml:6:1: duplicate key 'owner'") for m in messages(content))


def test_duplicate_ids_across_files(content):
    content.write("pages/sub/first.yml", content.page("first").read_text())
    found = [m for m in messages(content) if "duplicate id" in m]
    assert found == [
        f"{content.root}/pages/sub/first.yml:1:5: duplicate id 'first': also used by {content.root}/pages/first.yml"
    ]


def test_related_id_that_does_not_exist(content):
    content.page("first", related=("other", "missing-page"))
    assert f"{content.root}/pages/first.yml:12:5: related page 'missing-page' does not exist" in messages(content)


def test_yaml_that_does_not_parse(content):
    content.page("first", "id: first\ntitle: [broken\n")
    found = messages(content)
    assert any(m.startswith(f"{content.root}/pages/first.yml:3:1: YAML syntax:") for m in found), found


def test_id_must_match_file_name(content):
    content.write("pages/renamed.yml", content.page("first").read_text())
    (content.root / "pages/first.yml").unlink()
    assert (
        f"{content.root}/pages/renamed.yml:1:5: id 'first' must match the file name 'renamed.yml' (rename the file to first.yml)"
        in messages(content)
    )


def test_unknown_section(content):
    text = content.page("first").read_text().replace("section: guidance", "section: nowhere")
    content.page("first", text)
    assert (
        f"{content.root}/pages/first.yml:4:10: unknown section 'nowhere'; sections in site.yml: guidance"
        in messages(content)
    )


def test_every_problem_is_reported_in_one_run(content):
    content.page("first", extra="colour: blue\n", related=("missing-page",))
    content.page("other", "id: other\ntitle: [broken\n")
    found = messages(content)
    assert any("unknown key 'colour'" in m for m in found)
    assert any("related page 'missing-page'" in m for m in found)
    assert any("other.yml" in m and "YAML syntax" in m for m in found)


def test_bad_slug_id(content):
    text = content.page("first").read_text().replace("id: first", "id: ../First")
    content.page("first", text)
    assert (
        f"{content.root}/pages/first.yml:1:5: 'id' must be a lower-case slug (letters, digits and single hyphens): '../First'"
        in messages(content)
    )


def test_site_yml_is_validated(content):
    content.write("site.yml", "title: X\neditions: []\nsections: nope\n")
    found = messages(content)
    assert f"{content.root}/site.yml:2:11: 'editions' needs at least 1 item" in found
    assert f"{content.root}/site.yml:3:11: 'sections' must be a list, not text 'nope'" in found
    assert check_content(content.root).library is None


def test_cached_check_rereads_only_changed_files_and_reports_the_same(content, tmp_path, monkeypatch):
    import kb_tools.content.validate as validate

    cache = tmp_path / "cache"
    content.page("third", extra="colour: blue\n")  # a problem that must still be reported from the cache
    loads = []
    real_load = validate.load_yaml_bytes
    monkeypatch.setattr(
        validate, "load_yaml_bytes", lambda raw, path: loads.append(Path(path).name) or real_load(raw, path)
    )

    def cached_check():
        loads.clear()
        cached = check_content(content.root, cache)
        pages_read = sorted(name for name in loads if name not in ("site.yml", "terminology.yml"))
        assert cached.problems == check_content(content.root).problems
        return cached, pages_read

    assert cached_check()[1] == ["first.yml", "other.yml", "third.yml"]
    result, pages_read = cached_check()
    assert pages_read == [] and "unknown key 'colour'" in str(result.problems)
    content.page("other", related=("first",), text="Changed text.")
    assert cached_check()[1] == ["other.yml"]


def test_a_corrupt_cache_is_ignored(content, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "checked-pages.pickle").write_bytes(b"not a pickle")
    assert check_content(content.root, cache).ok
