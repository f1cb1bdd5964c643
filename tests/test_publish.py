"""Atomic publishing: the published name always points at a complete version."""

import os
import shutil
import signal

import pytest

from kb_tools.pipeline import publish


def make_version(target, text):
    staged = publish.stage(target)
    (staged / "index.html").write_text(text)
    return publish.publish(staged, target)


def test_publish_switches_a_relative_link_and_keeps_one_previous_version(tmp_path):
    site = tmp_path / "site"
    first = make_version(site, "one")
    assert site.is_symlink() and not os.path.isabs(os.readlink(site))
    assert (site / "index.html").read_text() == "one"
    second = make_version(site, "two")
    third = make_version(site, "three")
    assert (site / "index.html").read_text() == "three"
    assert publish.current(site) == third.resolve()
    assert not first.exists() and second.exists()  # the previous one stays for readers mid-way


def test_the_published_site_is_readable_before_and_after_every_file_system_step(tmp_path, monkeypatch):
    """Each rename, link, replace and removal publish makes is checked: renaming folders
    (site → site.old, site.new → site) would fail here, between its two renames."""
    site = tmp_path / "site"
    make_version(site, "0")
    steps = []

    def checked(name, original):
        def step(*args, **kwargs):
            assert (site / "index.html").is_file(), f"site missing before {name}"
            result = original(*args, **kwargs)
            assert (site / "index.html").is_file(), f"site missing after {name}"
            steps.append(name)
            return result

        return step

    monkeypatch.setattr(os, "replace", checked("replace", os.replace))
    monkeypatch.setattr(os, "symlink", checked("symlink", os.symlink))
    monkeypatch.setattr(shutil, "rmtree", checked("rmtree", shutil.rmtree))
    monkeypatch.setattr(type(site), "rename", checked("rename", type(site).rename))
    for i in range(1, 4):
        make_version(site, str(i))
    assert (site / "index.html").read_text() == "3"
    assert {"replace", "symlink", "rename", "rmtree"} <= set(steps)


def test_a_plain_folder_from_an_older_build_becomes_the_previous_version(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old layout")
    make_version(site, "new")
    assert site.is_symlink() and (site / "index.html").read_text() == "new"
    adopted = list(publish.versions_folder(site).glob("v-*adopted"))
    assert [p.joinpath("index.html").read_text() for p in adopted] == ["old layout"]


def test_abandoned_staging_folders_are_removed_by_the_next_stage(tmp_path):
    site = tmp_path / "site"
    left = publish.stage(site)
    (left / "half.html").write_text("half")
    fresh = publish.stage(site)
    assert not left.exists() and fresh.exists()


def test_discard_leaves_the_published_version_alone(tmp_path):
    site = tmp_path / "site"
    make_version(site, "published")
    staged = publish.stage(site)
    (staged / "index.html").write_text("never published")
    publish.discard(staged)
    assert (site / "index.html").read_text() == "published"
    assert not staged.exists()


def test_a_second_build_is_refused_while_the_lock_is_held(tmp_path):
    site = tmp_path / "site"
    with publish.build_lock(site):  # noqa: SIM117  (the lock is held around the second attempt)
        with pytest.raises(publish.PublishError, match=f"another kb build is running here \\(process {os.getpid()}\\)"):
            with publish.build_lock(site):
                pass
    with publish.build_lock(site):  # released afterwards
        pass


def test_sigterm_raises_interrupted_only_inside_the_context():
    with pytest.raises(publish.Interrupted) as caught, publish.interrupts_raise():
        signal.raise_signal(signal.SIGTERM)  # the handler runs before the next statement
        pytest.fail("SIGTERM did not interrupt")
    assert caught.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_an_interrupt_during_a_deferred_step_is_raised_when_the_step_ends():
    finished = False
    with pytest.raises(publish.Interrupted) as caught, publish.interrupts_raise(), publish.deferred_interrupts():
        signal.raise_signal(signal.SIGINT)  # delivered at once, and held until the step ends
        finished = True
    assert finished and caught.value.signum == signal.SIGINT
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --- gaps a mutation pass found --------------------------------------------------------------


def test_discard_never_removes_the_published_version_itself(tmp_path):
    site = tmp_path / "site"
    published = make_version(site, "published")
    publish.discard(published)  # a later step of the same build failed after publishing
    assert published.exists() and (site / "index.html").read_text() == "published"


def test_a_temporary_link_left_by_a_killed_publish_is_replaced(tmp_path):
    site = tmp_path / "site"
    make_version(site, "one")
    leftover = site.with_name(f".{site.name}.{os.getpid()}.link")
    os.symlink("nowhere", leftover)
    make_version(site, "two")
    assert (site / "index.html").read_text() == "two"
    assert not leftover.is_symlink()


def make_unpruned_version(target, text):
    staged = publish.stage(target)
    (staged / "index.html").write_text(text)
    return publish.publish(staged, target, prune=False)


def test_without_pruning_the_switch_removes_nothing_and_outdated_names_what_can_go(tmp_path):
    site = tmp_path / "site"
    made = [make_unpruned_version(site, str(i)) for i in range(4)]
    assert all(v.exists() for v in made)  # the switch deleted nothing
    assert (site / "index.html").read_text() == "3"
    assert publish.outdated(site) == made[:2]  # all but the published one and the one before it


def test_the_next_build_removes_the_version_before_last_while_it_works(tmp_path):
    site = tmp_path / "site"
    before_last, previous, live = (make_unpruned_version(site, str(i)) for i in range(3))
    with publish.removing_outdated(site):
        new = make_unpruned_version(site, "new")  # this build's own switch, while the removal runs
        assert (site / "index.html").read_text() == "new"
    assert not before_last.exists()
    assert previous.exists() and live.exists() and new.exists()  # live was published when the build started


def test_a_failed_build_leaves_an_outdated_version_for_the_next_one(tmp_path):
    site = tmp_path / "site"
    made = [make_unpruned_version(site, str(i)) for i in range(3)]
    with pytest.raises(RuntimeError), publish.removing_outdated(site):
        raise RuntimeError("the build failed")
    with publish.removing_outdated(site):
        pass
    assert not made[0].exists() and made[1].exists() and made[2].exists()
    assert (site / "index.html").read_text() == "2"
