"""An edition's fingerprint changes with anything MkDocs reads, and only then."""

from kb_tools.pipeline.fingerprint import edition_fingerprint, read_published, write_published


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


def test_where_the_site_goes_is_not_an_input(tmp_path):
    docs = tmp_path / "docs/gb"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    config = tmp_path / "mkdocs.gb.yml"
    config.write_text("site_name: X\nsite_dir: /site.builds/v-1/gb\n")
    first = edition_fingerprint(docs, config)
    config.write_text("site_name: X\nsite_dir: /site.builds/v-2/gb\n")
    assert edition_fingerprint(docs, config) == first


def test_a_config_naming_python_objects_still_follows_its_theme(tmp_path):
    """The generated config names the tags plugin's sort key (`!!python/name:`): the safe
    loader must still read it, or the theme would silently stop counting."""
    docs, theme = tmp_path / "docs/gb", tmp_path / "theme"
    docs.mkdir(parents=True)
    theme.mkdir()
    (theme / "main.html").write_text("one\n")
    config = tmp_path / "mkdocs.gb.yml"
    config.write_text(
        f"site_name: X\ntheme:\n  custom_dir: {theme}\nplugins:\n"
        "- tags:\n    tags_sort_by: !!python/name:material.plugins.tags.tag_name_casefold\n"
    )
    before = edition_fingerprint(docs, config)
    (theme / "main.html").write_text("two\n")
    assert edition_fingerprint(docs, config) != before
