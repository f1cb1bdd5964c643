"""The one cache (kb_tools/cache.py): keyed by the bytes read, atomic, never poisoned."""

from __future__ import annotations

import os
import pickle
from dataclasses import replace

import pytest

from kb_tools import cache as cache_module
from kb_tools.cache import Store, atomic_write, key_of
from kb_tools.checks import registry
from kb_tools.checks.options import CheckOptions
from kb_tools.content.validate import check_content
from kb_tools.pipeline import build

PHONE = "Call 020 7946 0000 today."


def test_a_store_round_trips_and_ignores_garbage(tmp_path):
    store = Store(tmp_path, "things")
    assert store.get(b"input") is None
    store.put({"a": (1, 2)}, b"input")
    store.save()
    again = Store(tmp_path, "things")
    assert again.get(b"input") == {"a": (1, 2)}
    assert again.get(b"other input") is None
    (tmp_path / "things.pickle").write_bytes(b"garbage")
    assert Store(tmp_path, "things").get(b"input") is None


def test_a_store_from_another_tool_version_is_ignored(tmp_path):
    (tmp_path / "things.pickle").write_bytes(pickle.dumps(("another version", {key_of(b"input"): 1})))
    assert Store(tmp_path, "things").get(b"input") is None


def test_keys_are_unambiguous():
    assert key_of("ab", "c") != key_of("a", "bc")
    assert key_of(b"x") == key_of("x")


def test_entries_not_used_in_a_run_are_dropped(tmp_path):
    store = Store(tmp_path, "things")
    store.put(1, "old")
    store.save()
    store = Store(tmp_path, "things")
    store.put(2, "new")
    store.save()
    assert Store(tmp_path, "things").get("old") is None


def test_a_failed_cache_write_is_one_warning_and_leaves_no_temporary_file(tmp_path, monkeypatch, capsys):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    store = Store(tmp_path, "things", "checking page files")
    store.put(1, "key")
    monkeypatch.setattr(cache_module.os, "replace", disk_full)
    store.save()  # no exception
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "checking page files" in err and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_whole_files(tmp_path):
    target = tmp_path / "f.bin"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two" and os.listdir(tmp_path) == ["f.bin"]


def test_installing_a_test_tool_does_not_change_the_tool_version(monkeypatch):
    """Only packages that shape the output count: a new pytest or playwright rebuilds nothing,
    a new MkDocs or Material rebuilds everything."""
    real = cache_module.importlib.metadata.version
    before = cache_module.tool_version.__wrapped__()

    def bumped(name: str):
        return lambda package: "999.0" if package == name else real(package)

    monkeypatch.setattr(cache_module.importlib.metadata, "version", bumped("pytest"))
    assert cache_module.tool_version.__wrapped__() == before
    monkeypatch.setattr(cache_module.importlib.metadata, "version", bumped("mkdocs-material"))
    assert cache_module.tool_version.__wrapped__() != before


# --- a save while a stage runs cannot poison the cache ----------------------------------------


def save_during_cache_write(monkeypatch, file, text):
    """Deterministically save `file` with `text` after the stage read it, before its cache is written."""
    real_save = Store.save

    def save(self):
        if not getattr(save, "done", False):
            save.done = True  # type: ignore[attr-defined]
            file.write_text(text, encoding="utf-8")
        real_save(self)

    monkeypatch.setattr(Store, "save", save)


def test_a_save_during_kb_check_does_not_hide_the_new_text(content, tmp_path, monkeypatch):
    page = content.page("first")
    cache = tmp_path / "cache"
    rules = registry.select(["personal-data"])
    source = page.read_text()
    save_during_cache_write(monkeypatch, page, source.replace("Some plain text.", PHONE))
    assert registry.check_all(content.root, CheckOptions(), cache, rules).ok  # the old text was checked
    monkeypatch.undo()
    again = registry.check_all(content.root, CheckOptions(), cache, rules)
    assert any("phone" in p.message for p in again.errors), again.problems


def test_a_save_during_the_library_checks_does_not_hide_the_new_text(content, tmp_path, monkeypatch):
    """The same for the library checks' store alone (the page store already saved)."""
    page = content.page("first")
    cache = tmp_path / "cache"
    rules = registry.select(["personal-data"])
    registry.check_all(content.root, CheckOptions(), cache, rules)  # page results cached
    page.write_text(page.read_text().replace("Some plain text.", "Other plain text."), encoding="utf-8")
    real_save = Store.save

    def save(self):
        if "library-checks" in str(self.file):
            page.write_text(page.read_text().replace("Other plain text.", PHONE), encoding="utf-8")
        real_save(self)

    monkeypatch.setattr(Store, "save", save)
    assert registry.check_all(content.root, CheckOptions(), cache, rules).ok
    monkeypatch.undo()
    assert not registry.check_all(content.root, CheckOptions(), cache, rules).ok


def test_a_save_during_rendering_is_published_by_the_next_build(content, project_paths, monkeypatch):
    page = content.page("first")
    paths = replace(project_paths(content.root), cache=content.root.parent / "cache")
    first = check_content(content.root)
    save_during_cache_write(monkeypatch, page, page.read_text().replace("Some plain text.", "Saved mid-build."))
    build.render_editions(first.library, paths, first.source_key)
    monkeypatch.undo()
    second = check_content(content.root)
    outputs = build.render_editions(second.library, paths, second.source_key)
    assert "Saved mid-build." in next(f.text for f in outputs[0].files if f.path.startswith("guidance/first"))


def test_rendering_is_reused_until_a_content_file_changes(content, project_paths, monkeypatch):
    paths = replace(project_paths(content.root), cache=content.root.parent / "cache")
    rendered = []
    real = build.render_edition
    monkeypatch.setattr(
        build,
        "render_edition",
        lambda library, edition, *rest: rendered.append(edition.id) or real(library, edition, *rest),
    )

    def render():
        result = check_content(content.root)
        return build.render_editions(result.library, paths, result.source_key)

    first = render()
    assert rendered == ["gb", "ni"]
    assert render() == first and rendered == ["gb", "ni"]  # read back, not rendered
    content.page("first", text="Changed text.")
    changed = render()
    assert rendered == ["gb", "ni", "gb", "ni"]
    assert "Changed text." in next(f.text for f in changed[0].files if f.path.startswith("guidance/first"))


def test_library_checks_are_reused_until_a_content_file_changes(content, tmp_path):
    runs = []
    counting = registry.Rule("counting", lambda library, options: runs.append(1) or [], "counts its runs")
    cache = tmp_path / "cache"

    def check(options=CheckOptions()):
        return registry.check_all(content.root, options, cache, rules=[counting])

    assert check().ok and runs == [1]
    assert check().ok and runs == [1]  # reused
    check(CheckOptions(strict=True))
    assert runs == [1, 1]  # other options, other results
    content.page("other", related=("first",), text="Changed text.")
    assert check().ok and runs == [1, 1, 1]
    check(CheckOptions(changed_since="HEAD"))
    check(CheckOptions(changed_since="HEAD"))
    assert runs == [1, 1, 1, 1, 1]  # git history is not in the key: never reused


def test_selecting_an_unknown_rule_is_an_error():
    with pytest.raises(ValueError, match="no rule named nope"):
        registry.select(["nope"])


def test_the_tool_cache_stays_out_of_the_folder_zensical_uses(tmp_path):
    # Zensical keeps its own cache in .cache/ beside mkdocs.yml; sharing it would let either
    # tool clear or misread the other's files.
    from kb_tools.config import EXTERNAL_CACHE_FILE, Paths

    paths = Paths.for_project(tmp_path)
    assert paths.cache == tmp_path / ".kb-cache"
    assert EXTERNAL_CACHE_FILE.parts[0] == ".kb-cache"
