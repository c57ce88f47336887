"""The benchmark runs end to end at a tiny scale, so it never rots unnoticed.

No targets here: a few requests per page against a temporary SQLite database, checking that
every page answered 200 and that the results JSON was written.
"""
from __future__ import annotations

import json
import os

import pytest
from flask import request

from bench.__main__ import main
from bench.data import NOTICES_PER_USER


def test_the_bench_builds_times_and_reports_at_smoke_scale(tmp_path, capsys):
    exit_code = main(["--scale", "smoke", "--requests", "3", "--warmup", "1", "--job-runs", "1",
                      "--database-url", f"sqlite:///{tmp_path / 'smoke.sqlite'}",
                      "--data-dir", str(tmp_path), "--results-dir", str(tmp_path / "results")])

    assert exit_code == 0
    result = json.loads((tmp_path / "results" / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert result["counts"]["enterprises"] == 200 and result["counts"]["interactions"] == 2000
    assert {"board", "board_sector", "enterprises_p1", "enterprises_p50", "search_2", "search_4", "search_foreign",
            "project_detail", "project_edit", "leaders", "home_leader", "home_staff", "home_officer",
            "home_admin", "enterprises_by_name", "enterprises_by_owner", "projects_list",
            "projects_by_name", "topbar_2", "topbar_initials", "topbar_foreign",
            "search_results"} <= result["pages"].keys()
    for key, page in result["pages"].items():
        assert page["status"] == [200], key
        assert page["statements"] > 0 and page["floor_median_ms"] is not None, key
    assert all(job["status"] in ("ok", "n/a") for job in result["jobs"].values())
    assert "| page |" in capsys.readouterr().out
    # The shell (login + layout, no content) is timed through the same login gate as the pages.
    shell = result["pages"]["shell"]
    assert shell["reference"] is True and shell["statements"] >= 1
    # The gate (login, no template) runs the user load and nothing else: the least any page costs.
    gate = result["pages"]["gate"]
    assert gate["reference"] is True and gate["statements"] == 1 and gate["body_kb"] < 0.1
    assert all(page["least_ratio"] > 1 for page in result["pages"].values() if not page["reference"])


def test_the_shell_is_reported_but_has_no_targets():
    from bench.report import check_targets
    page = {"p95_ms": 500.0, "target_p95_ms": 100, "page_floor_ratio": 40.0, "median_ms": 400.0, "statements": 2,
            "slowest_statement_ms": 1.0}
    result = {"pages": {"shell": dict(page, reference=True), "board": dict(page, reference=False)}, "jobs": {}}
    missed = check_targets(result, None)
    assert missed and all(line.startswith("board:") for line in missed)


def test_the_least_ratio_adds_the_gate_beyond_its_own_sql_to_each_floor():
    from bench.report import add_least_ratios, check_targets
    page = {"p95_ms": 9.0, "target_p95_ms": 100, "median_ms": 5.0, "statements": 6, "reference": False}
    pages = {"gate": {"median_ms": 0.8, "floor_median_ms": 0.1, "reference": True},
             "small": dict(page, floor_median_ms=0.5, page_floor_ratio=10.0),
             "large": dict(page, floor_median_ms=3.5, page_floor_ratio=1.43)}
    add_least_ratios(pages)
    assert pages["small"]["least_ratio"] == 2.4 and pages["large"]["least_ratio"] == 1.2
    assert "least_ratio" not in pages["gate"]
    # page / floor is a reading aid now, not a budget: a page far above its floor misses nothing.
    assert check_targets({"pages": pages, "jobs": {}, "db": "sqlite"}, None) == []


def test_the_budgets_are_p95_p50_the_slowest_statement_and_growth():
    from bench.report import check_targets
    page = {"p95_ms": 70.0, "target_p95_ms": 60, "median_ms": 25.0, "statements": 9, "reference": False,
            "slowest_statement_ms": 6.5, "slowest_statement": "SELECT count(*) FROM enterprises"}
    city = {"pages": {"board": dict(page, median_ms=10.0, statements=8)}}
    missed = check_targets({"pages": {"board": page}, "jobs": {}, "db": "sqlite"}, city)
    assert missed == ["board: p95 70.0 ms > 60 ms", "board: p50 25.0 ms > 20 ms",
                      "board: a statement takes 6.5 ms > 5 ms: SELECT count(*) FROM enterprises",
                      "board: 9 statements vs 8 at city scale", "board: 25.0 ms = 2.50× city (10.0 ms)"]
    # PostgreSQL has no p50 budget, and a page within every budget misses nothing.
    fine = dict(page, p95_ms=50.0, median_ms=12.0, slowest_statement_ms=1.0)
    assert check_targets({"pages": {"board": fine}, "jobs": {}, "db": "postgresql"},
                         {"pages": {"board": dict(fine, median_ms=11.0)}}) == []


def test_national_budgets_are_p95_100_ms_search_50_and_the_two_jobs_that_read_everything():
    from bench.report import national_targets
    page = {"p95_ms": 90.0, "target_p95_ms": 80, "median_ms": 40.0, "reference": False}
    result = {"pages": {"board": page, "search_2": dict(page, target_p95_ms=50),
                        "shell": dict(page, p95_ms=500.0, reference=True)},
              "jobs": {"reminder_scan": {"status": "ok", "median_ms": 29_000.0, "target_ms": 5_000},
                       "digest_200": {"status": "ok", "median_ms": 61_000.0, "target_ms": 30_000},
                       "brochure": {"status": "ok", "median_ms": 200.0, "target_ms": 150}}}
    assert national_targets(result) == ["search_2: p95 90.0 ms > 50 ms", "digest_200: 61000.0 ms > 60000 ms",
                                        "brochure: 200.0 ms > 150 ms"]
    assert result["pages"]["board"]["target_p95_ms"] == 100 and result["jobs"]["reminder_scan"]["target_ms"] == 30_000


def test_the_bench_times_pages_over_http_through_gunicorn(tmp_path):
    exit_code = main(["--scale", "smoke", "--requests", "3", "--warmup", "1", "--skip-jobs", "--http",
                      "--http-workers", "2", "--only", "board,dashboard,enterprises_p1",
                      "--database-url", f"sqlite:///{tmp_path / 'smoke.sqlite'}",
                      "--data-dir", str(tmp_path), "--results-dir", str(tmp_path / "results")])
    assert exit_code == 0
    result = json.loads((tmp_path / "results" / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert result["transport"].startswith("HTTP on 127.0.0.1 through gunicorn (2 sync workers")
    for key in ("board", "dashboard", "enterprises_p1"):
        page = result["pages"][key]
        # 1 warm-up and 3 timed over HTTP, 5 in process for the statements: all answered 200
        assert page["status"] == [200] and page["requests"] == 3 and page["statements"] > 0, key
        assert page["slowest_statement_ms"] > 0 and page["slowest_statement"].startswith("SELECT"), key


def test_a_rerun_reuses_the_data_and_gives_the_same_rows(tmp_path):
    args = ["--scale", "smoke", "--requests", "1", "--warmup", "0", "--skip-jobs", "--only", "board",
            "--database-url", f"sqlite:///{tmp_path / 'smoke.sqlite'}", "--data-dir", str(tmp_path),
            "--results-dir", str(tmp_path)]
    assert main(args) == 0
    first = json.loads((tmp_path / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert main(args) == 0
    again = json.loads((tmp_path / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert again["data"]["reused"] is True and again["counts"] == first["counts"]


@pytest.fixture
def asked(monkeypatch) -> list[tuple[str, str]]:
    """(the database file's stem, path) of every request the bench makes, in order."""
    from bench import __main__ as bench_main
    requests, make_app = [], bench_main.make_app

    def recording_app(url, instance):
        app = make_app(url, instance)
        data = url.rsplit("/", 1)[-1].removesuffix(".sqlite")
        app.before_request(lambda: requests.append((data, request.path)))  # append gives None: the view runs
        return app

    monkeypatch.setattr(bench_main, "make_app", recording_app)
    return requests


def test_interleaved_timing_asks_each_page_once_per_round_and_reports_the_same_sql(tmp_path, asked):
    args = ["--scale", "smoke", "--requests", "2", "--warmup", "1", "--skip-jobs", "--only", "shell,board,leaders",
            "--database-url", f"sqlite:///{tmp_path / 'smoke.sqlite'}", "--data-dir", str(tmp_path)]
    assert main(args + ["--results-dir", str(tmp_path / "seq")]) == 0
    asked.clear()
    assert main(args + ["--results-dir", str(tmp_path / "rr"), "--interleave"]) == 0
    one_round = [("smoke", "/_bench/shell"), ("smoke", "/pipeline/"), ("smoke", "/leaders/")]
    assert asked == one_round * 3  # warm-ups, then two rounds
    seq, rr = (json.loads((tmp_path / run / "smoke-sqlite.json").read_text(encoding="utf-8")) for run in ("seq", "rr"))
    assert rr["interleave"] is True and seq["interleave"] is False and rr["pages"].keys() == seq["pages"].keys()
    for key, page in rr["pages"].items():
        assert (page["status"], page["requests"]) == ([200], 2), key
        assert (page["statements"], page["sql"]) == (seq["pages"][key]["statements"], seq["pages"][key]["sql"]), key
        assert page["floor_median_ms"] is not None, key


def test_with_city_each_page_is_timed_beside_the_same_city_page_and_compared_with_it(tmp_path, asked, capsys):
    assert main(["--scale", "smoke", "--with-city", "--requests", "2", "--warmup", "1", "--skip-jobs",
                 "--only", "shell,board", "--database-url", f"sqlite:///{tmp_path / 'smoke.sqlite'}",
                 "--data-dir", str(tmp_path), "--results-dir", str(tmp_path)]) == 0
    one_round = [("smoke", "/_bench/shell"), ("city", "/_bench/shell"), ("smoke", "/pipeline/"), ("city", "/pipeline/")]
    assert asked == one_round * 3  # the warm-ups, then two rounds
    result = json.loads((tmp_path / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert result["interleave"] is True and result["counts"]["enterprises"] == 200
    assert result["city_pages"].keys() == result["pages"].keys() == {"shell", "board"}
    assert all(page["status"] == [200] and page["requests"] == 2 for page in result["city_pages"].values())
    board = result["pages"]["board"]
    growth = f"{board['median_ms'] / result['city_pages']['board']['median_ms']:.2f}"
    # SQL, the slowest statement, the floor and page / floor (a reading aid now), then × city.
    row = (f"| {board['p95_ms']} | {board['statements']} | {board['slowest_statement_ms']} | "
           f"{board['floor_median_ms']} | {board['page_floor_ratio']} | {growth} | 200 |")
    assert row in capsys.readouterr().out
    assert not (tmp_path / "city-sqlite.json").exists()  # the city's figures live in the province run's file


def test_with_city_needs_a_larger_scale_and_on_postgresql_the_city_database(tmp_path, capsys):
    assert main(["--scale", "city", "--with-city", "--data-dir", str(tmp_path)]) == 2
    assert main(["--scale", "province", "--with-city", "--database-url", "postgresql+psycopg://nowhere/bench",
                 "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "use --scale province" in err and "needs --city-database-url" in err
    assert list(tmp_path.iterdir()) == []  # refused before any data was built


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

    from crm.models import Contact, Enterprise, Interaction, Notification, Project, StageEvent
    pg = sa.engine.make_url(os.environ["TEST_DATABASE_URL"]).set(database="test_bench_smoke")
    urls = {"postgresql": pg.render_as_string(hide_password=False), "sqlite": f"sqlite:///{tmp_path / 'smoke.sqlite'}"}
    for url in urls.values():
        assert main(["--scale", "smoke", "--rebuild", "--today", "2026-11-28", "--requests", "1", "--warmup", "0",
                     "--skip-jobs", "--only", "board", "--database-url", url, "--data-dir", str(tmp_path),
                     "--results-dir", str(tmp_path)]) == 0
    build_time = {"created_at", "updated_at", "recorded_at"}  # utcnow defaults: the moment of each build
    tables = [model.__table__ for model in (Enterprise, Project, Interaction, Contact, StageEvent, Notification)]
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
    # COPY applies no Python-side defaults: the rows carry their pinyin keys (the top bar's search).
    assert all(row.name_initials and row.name_pinyin for row in rows["postgresql"]["enterprises"])
    assert all(row.follow_up_done is not None for row in rows["postgresql"]["interactions"])
    notifications = rows["postgresql"]["notifications"]  # the bell's backlog: some read, the newest not
    assert len(notifications) == 10 * NOTICES_PER_USER
    assert {row.read_at is None for row in notifications} == {True, False}
    for table in tables:
        assert rows["postgresql"][table.name] == rows["sqlite"][table.name], table.name
