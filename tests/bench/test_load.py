"""The load test's verdict (bench/load): which targets a run missed, read from its figures."""
from __future__ import annotations

from bench.load.__main__ import missed


def _run(**changes) -> dict:
    return dict({"requests_per_s": 240.0, "p95_ms": 120.0, "errors": 0, "lost_writes": 0,
                 "queue_drained_after_s": 12.0}, **changes)


def test_a_run_within_every_target_misses_nothing():
    assert missed(_run()) == []


def test_slow_lossy_or_stuck_runs_are_named():
    assert missed(_run(requests_per_s=150.0, p95_ms=400.0, errors=3, lost_writes=2, queue_drained_after_s=None)) == [
        "throughput 150.0/s < 200/s", "p95 400.0 ms > 150 ms", "3 errors",
        "2 writes accepted but not in the database", "the queues did not drain"]
