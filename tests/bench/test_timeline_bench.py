"""The bench's timeline and calendar rows (issue 24): each answers 200 against the issue's budget
(60 ms on SQLite), the feed through a secret made for the run."""
import json

from bench.__main__ import main

KEYS = ("timeline", "timeline_deep", "timeline_enterprise", "calendar_month", "calendar_week", "calendar_feed",
        "calendar_admin")


def test_the_bench_times_the_timelines_the_calendars_and_the_feed(tmp_path):
    url = f"sqlite:///{tmp_path / 'smoke.sqlite'}"
    assert main(["--scale", "smoke", "--requests", "3", "--warmup", "1", "--database-url", url, "--skip-jobs",
                 "--data-dir", str(tmp_path), "--results-dir", str(tmp_path / "results"),
                 "--only", ",".join(KEYS)]) == 0
    result = json.loads((tmp_path / "results" / "smoke-sqlite.json").read_text(encoding="utf-8"))
    for key in KEYS:
        page = result["pages"][key]
        assert page["status"] == [200] and page["target_p95_ms"] == 60 and page["statements"] > 0, key
