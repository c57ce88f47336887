"""The benchmark runs end to end at a tiny scale, so it never rots (issue 6).

No targets here: a few requests per page against a temporary SQLite database, checking that
every page answered 200 and that the results JSON was written.
"""
from __future__ import annotations

import json
import os

import pytest

from bench.__main__ import main


def test_the_bench_builds_times_and_reports_at_smoke_scale(tmp_path, capsys):
    exit_code = main(["--scale", "smoke", "--requests", "3", "--warmup", "1", "--job-runs", "1",
                      "--database-url", f"sqlite:///{tmp_path / 'smoke.sqlite'}",
                      "--data-dir", str(tmp_path), "--results-dir", str(tmp_path / "results")])

    assert exit_code == 0
    result = json.loads((tmp_path / "results" / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert result["counts"]["enterprises"] == 200 and result["counts"]["interactions"] == 2000
    assert {"board", "board_sector", "enterprises_p1", "enterprises_p50", "search_2", "search_4", "search_foreign",
            "project_detail", "project_edit", "leaders", "home_leader"} <= result["pages"].keys()
    for key, page in result["pages"].items():
        assert page["status"] == [200], key
        assert page["statements"] > 0 and page["floor_median_ms"] is not None, key
    assert all(job["status"] in ("ok", "n/a") for job in result["jobs"].values())
    assert "| page |" in capsys.readouterr().out
    # The shell (login + layout, no content) is timed through the same login gate as the pages.
    shell = result["pages"]["shell"]
    assert shell["reference"] is True and shell["statements"] >= 1


def test_the_shell_is_reported_but_has_no_targets():
    from bench.report import check_targets
    page = {"p95_ms": 500.0, "target_p95_ms": 100, "page_floor_ratio": 40.0, "median_ms": 400.0, "statements": 2}
    result = {"pages": {"shell": dict(page, reference=True), "board": dict(page, reference=False)}, "jobs": {}}
    missed = check_targets(result, None)
    assert missed and all(line.startswith("board:") for line in missed)


def test_a_rerun_reuses_the_data_and_gives_the_same_rows(tmp_path):
    args = ["--scale", "smoke", "--requests", "1", "--warmup", "0", "--skip-jobs", "--only", "board",
            "--database-url", f"sqlite:///{tmp_path / 'smoke.sqlite'}", "--data-dir", str(tmp_path),
            "--results-dir", str(tmp_path)]
    assert main(args) == 0
    first = json.loads((tmp_path / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert main(args) == 0
    again = json.loads((tmp_path / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert again["data"]["reused"] is True and again["counts"] == first["counts"]


def test_data_built_for_another_schema_is_rebuilt_not_reused(tmp_path):
    import sqlalchemy as sa

    from bench.data import META
    url = f"sqlite:///{tmp_path / 'smoke.sqlite'}"
    args = ["--scale", "smoke", "--requests", "1", "--warmup", "0", "--skip-jobs", "--only", "board",
            "--database-url", url, "--data-dir", str(tmp_path), "--results-dir", str(tmp_path)]
    assert main(args) == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # as if a migration had added a column since the build
        conn.execute(META.update().where(META.c.key == "schema").values(value="older"))
    engine.dispose()
    assert main(args) == 0
    again = json.loads((tmp_path / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert again["data"]["reused"] is False


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL only (TEST_DATABASE_URL)")
def test_on_postgresql_the_rows_go_in_by_copy_and_equal_the_sqlite_build(tmp_path):
    """COPY (bench/data.py) must give the rows the INSERT path gives, the last-contact counters
    included.  The build drops every table, so it gets a database of its own."""
    import sqlalchemy as sa

    from crm.models import Contact, Enterprise, Interaction, Project, StageEvent
    pg = sa.engine.make_url(os.environ["TEST_DATABASE_URL"]).set(database="test_bench_smoke")
    urls = {"postgresql": pg.render_as_string(hide_password=False), "sqlite": f"sqlite:///{tmp_path / 'smoke.sqlite'}"}
    for url in urls.values():
        assert main(["--scale", "smoke", "--rebuild", "--today", "2026-11-28", "--requests", "1", "--warmup", "0",
                     "--skip-jobs", "--only", "board", "--database-url", url, "--data-dir", str(tmp_path),
                     "--results-dir", str(tmp_path)]) == 0
    build_time = {"created_at", "updated_at", "recorded_at"}  # utcnow defaults: the moment of each build
    tables = [model.__table__ for model in (Enterprise, Project, Interaction, Contact, StageEvent)]
    rows = {}
    for name, url in urls.items():
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            rows[name] = {table.name: conn.execute(sa.select(*[c for c in table.columns if c.name not in build_time])
                                                   .order_by(*table.primary_key.columns)).all()
                          for table in tables}
        engine.dispose()
    assert len(rows["postgresql"]["interactions"]) == 2000
    assert any(row.last_interaction_at for row in rows["postgresql"]["enterprises"])
    assert all(row.follow_up_done is not None for row in rows["postgresql"]["interactions"])
    for table in tables:
        assert rows["postgresql"][table.name] == rows["sqlite"][table.name], table.name
