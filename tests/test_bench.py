"""`kb bench` smoke run on 20 pages, two runs: every figure is reported, in the table and in the JSON.

Timings are not asserted here (the benchmark measures them; see the README)."""

import json
import subprocess
import sys

from kb_tools.bench import FIGURES, TARGETS

from conftest import REPO



def test_bench_smoke_reports_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "kb_tools.cli", "bench", "--pages", "20", "--runs", "2", "--json", str(out), "--workdir", str(tmp_path / "work")],
        cwd=REPO, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out.read_text())
    figures = report["results"]["20"]
    for key, label, unit in FIGURES:
        assert label in result.stdout
        assert isinstance(figures[key], (int, float)) and figures[key] >= 0, key
    assert report["machine"]["cpus"] >= 1 and report["machine"]["python"]
    assert figures["site_size"] > 0 and figures["page_size"] > 0
    assert report["table"] in result.stdout
    assert report["runs_done"] == {"20": 2}
    for key, _, unit in FIGURES:
        if unit == "s":
            assert figures[f"{key}_cpu"] > 0 and report["each_run"]["20"][key], key
    assert {t["target"] for t in report["targets"]} <= {text for _, _, text in TARGETS.values()}
