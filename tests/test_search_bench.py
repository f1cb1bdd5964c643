"""The search benchmark still runs (a 20-page smoke run; its timings are not checked)."""

import importlib.util

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def test_search_benchmark_runs_on_a_small_library(tmp_path):
    spec = importlib.util.spec_from_file_location("search_bench", REPO / "benchmarks" / "search_bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    row = bench.bench(20, runs=1, work=tmp_path)
    assert row["pages"] == 20 and row["queries"] >= 20
    assert all(row[key] > 0 for key in ("index_build_s", "index_mb", "first_p95_ms", "warm_p95_ms"))
    assert "| 20 |" in bench.table([row])
