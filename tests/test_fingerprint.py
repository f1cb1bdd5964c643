"""An edition's fingerprint changes with anything MkDocs reads, and only then."""

from dataclasses import replace

from kb_tools.pipeline.fingerprint import edition_fingerprint, read_cache, read_published, write_cache, write_published


def test_fingerprint_follows_docs_config_theme_and_hooks(tmp_path):
    docs, theme = tmp_path / "docs/gb", tmp_path / "theme"
    (docs / "guidance").mkdir(parents=True)
    theme.mkdir()
    (docs / "guidance/first.md").write_text("# First\n")
    (theme / "main.html").write_text("{% extends 'base.html' %}\n")
    (tmp_path / "hook.py").write_text("def on_env(env, config, files):\n    return env\n")
    config = tmp_path / "mkdocs.gb.yml"
    config.write_text(f"site_name: X\ntheme:\n  custom_dir: {theme}\nhooks:\n  - {tmp_path / 'hook.py'}\n")

    seen = {edition_fingerprint(docs, config)}
    assert edition_fingerprint(docs, config) in seen  # stable when nothing changed
    for change in (
        lambda: (docs / "guidance/first.md").write_text("# First, changed\n"),
        lambda: (docs / "guidance/second.md").write_text("# Second\n"),
        lambda: (theme / "main.html").write_text("{% extends 'base.html' %}{# changed #}\n"),
        lambda: (tmp_path / "hook.py").write_text("# changed\n"),
        lambda: config.write_text(config.read_text().replace("site_name: X", "site_name: Y")),
    ):
        change()
        fingerprint = edition_fingerprint(docs, config)
        assert fingerprint not in seen
        seen.add(fingerprint)


def test_published_fingerprints_round_trip_and_tolerate_garbage(tmp_path):
    assert read_published(tmp_path) == {}
    write_published(tmp_path, {"gb": "a", "ni": "b"})
    assert read_published(tmp_path) == {"gb": "a", "ni": "b"}
    (tmp_path / "kb-build.json").write_text("not json")
    assert read_published(tmp_path) == {}


def test_rendering_is_reused_until_a_content_file_changes(content, project_paths, monkeypatch):
    import kb_tools.pipeline.build as build
    from kb_tools.content.validate import check_content

    paths = replace(project_paths(content.root), cache=content.root.parent / "cache")
    rendered = []
    real = build.render_edition
    monkeypatch.setattr(build, "render_edition", lambda library, edition: rendered.append(edition.id) or real(library, edition))

    first = build.render_editions(check_content(content.root).library, paths)
    assert rendered == ["gb", "ni"]
    again = build.render_editions(check_content(content.root).library, paths)
    assert rendered == ["gb", "ni"] and again == first  # read back, not rendered

    content.page("first", text="Changed text.")
    changed = build.render_editions(check_content(content.root).library, paths)
    assert rendered == ["gb", "ni", "gb", "ni"]
    assert "Changed text." in next(f.text for f in changed[0].files if f.path.startswith("guidance/first"))


def test_cache_file_round_trip_with_key(tmp_path):
    file = tmp_path / "c.pickle"
    assert read_cache(file, "k") is None
    write_cache(file, "k", {"a": (1, 2)})
    assert read_cache(file, "k") == {"a": (1, 2)}
    assert read_cache(file, "other key") is None
    file.write_bytes(b"garbage")
    assert read_cache(file, "k") is None


def test_library_checks_are_reused_until_a_content_file_changes(content, tmp_path, monkeypatch):
    import kb_tools.checks.registry as checks

    runs = []
    monkeypatch.setattr(checks, "LIBRARY_CHECKS", [lambda library, options: runs.append(1) or []])
    cache = tmp_path / "cache"
    assert checks.check_all(content.root, cache=cache).ok and runs == [1]
    assert checks.check_all(content.root, cache=cache).ok and runs == [1]  # reused
    checks.check_all(content.root, checks.CheckOptions(strict=True), cache=cache)
    assert runs == [1, 1]  # other options, other results
    content.page("other", related=("first",), text="Changed text.")
    assert checks.check_all(content.root, cache=cache).ok
    assert runs == [1, 1, 1]
    checks.check_all(content.root, checks.CheckOptions(changed_since="HEAD"), cache=cache)
    checks.check_all(content.root, checks.CheckOptions(changed_since="HEAD"), cache=cache)
    assert runs == [1, 1, 1, 1, 1]  # git history is not in the key: never reused


def test_where_the_site_goes_is_not_an_input(tmp_path):
    docs = tmp_path / "docs/gb"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    config = tmp_path / "mkdocs.gb.yml"
    config.write_text("site_name: X\nsite_dir: /site.builds/v-1/gb\n")
    first = edition_fingerprint(docs, config)
    config.write_text("site_name: X\nsite_dir: /site.builds/v-2/gb\n")
    assert edition_fingerprint(docs, config) == first
