"""`kb bench` smoke run on 20 pages: every figure is reported, in the table and in the JSON.

Timings are not asserted here (the benchmark measures them; see the README)."""

import json
import subprocess
import sys

import pytest

from kb_tools.dev.bench import FIGURES, TARGETS

from conftest import REPO

pytestmark = pytest.mark.slow


def test_bench_smoke_reports_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kb_tools",
            "bench",
            "--pages",
            "20",
            "--runs",
            "1",
            "--json",
            str(out),
            "--workdir",
            str(tmp_path / "work"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out.read_text())
    figures = report["results"]["20"]
    for key, label, _unit in FIGURES:
        assert label in result.stdout
        assert isinstance(figures[key], (int, float)) and figures[key] >= 0, key
    assert report["machine"]["cpus"] >= 1 and report["machine"]["python"]
    assert figures["site_size"] > 0 and figures["page_size"] > 0
    assert report["table"] in result.stdout
    assert report["runs_done"] == {"20": 1}
    for key, _, unit in FIGURES:
        if unit == "s":
            assert figures[f"{key}_cpu"] > 0 and report["each_run"]["20"][key], key
    assert {t["target"] for t in report["targets"]} <= {text for _, _, _, text in TARGETS}


def test_a_build_from_nothing_starts_without_any_earlier_output(tmp_path):
    from kb_tools.dev.bench import remove_outputs

    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (tmp_path / "site.builds/v-1/gb").mkdir(parents=True)
    (tmp_path / "site").symlink_to(tmp_path / "site.builds/v-1")
    (tmp_path / ".kb-cache").mkdir()
    (tmp_path / "kb-build.json").write_text("{}")
    remove_outputs(tmp_path, content)
    assert [p.name for p in tmp_path.iterdir()] == ["content"]
    assert (content / "pages").is_dir()
