"""The sweep asks every page of the app for every role (bench/sweep.py): at smoke scale no page
may answer a server error, and the pages the benchmark found slow are among those asked."""
from __future__ import annotations

import json

from bench.__main__ import main
from bench.sweep import SweepRow, markdown


def test_every_page_answers_every_role_without_a_server_error(tmp_path, capsys):
    exit_code = main(["--scale", "smoke", "--sweep", "--database-url", f"sqlite:///{tmp_path / 'smoke.sqlite'}",
                      "--data-dir", str(tmp_path), "--results-dir", str(tmp_path)])

    result = json.loads((tmp_path / "smoke-sqlite-sweep.json").read_text(encoding="utf-8"))
    rows = result["pages"]
    # /healthz answers 503 by design: no worker runs beside the bench's app.
    errors = [r for r in rows if r["status"] >= 500 and (r["endpoint"], r["status"]) != ("main.health", 503)]
    assert exit_code == 0 and errors == []
    assert {r["role"] for r in rows} == {"admin", "staff", "officer", "leader"}
    asked = {r["endpoint"] for r in rows}
    assert {"main.index", "projects.create", "projects.edit", "interactions.quick", "routines.dispatch",
            "reports.pool_review_new", "enterprises.export"} <= asked
    by_admin = {r["endpoint"]: r["status"] for r in rows if r["role"] == "admin"}
    assert by_admin["projects.edit"] == 200 and by_admin["routines.dispatch_xlsx"] == 200
    assert "| role | page |" in capsys.readouterr().out


def test_the_table_lists_the_slowest_first_and_counts_slow_pages_and_errors():
    rows = [SweepRow("admin", "a", "/a", 200, 150.0, 2048, 4), SweepRow("staff", "b", "/b.xlsx", 200, 900.0, 10, 3),
            SweepRow("leader", "c", "/c", 500, 5.0, 10, 1)]
    table = markdown(sorted(rows, key=lambda r: -r.median_ms), ["mailbox.message"])
    assert table.index("/b.xlsx") < table.index("/a") < table.index("/c")
    assert "(download)" in table and "downloads aside): 1; 5xx: 1" in table and "mailbox.message" in table
