"""The bench's chain rows: the data has ≥ 20 chains and ≥ 200 links, and the chain map and the gap
list are timed against the issue's budget (60 ms on SQLite)."""
import json

import sqlalchemy as sa

from bench.__main__ import main


def test_the_bench_times_the_chain_map_and_the_gap_list_over_20_chains_and_200_links(tmp_path):
    url = f"sqlite:///{tmp_path / 'smoke.sqlite'}"
    assert main(["--scale", "smoke", "--requests", "3", "--warmup", "1", "--job-runs", "1", "--database-url", url,
                 "--data-dir", str(tmp_path), "--results-dir", str(tmp_path / "results"),
                 "--only", "chain_map,chain_gaps"]) == 0
    result = json.loads((tmp_path / "results" / "smoke-sqlite.json").read_text(encoding="utf-8"))
    for key in ("chain_map", "chain_gaps"):
        page = result["pages"][key]
        assert page["status"] == [200] and page["target_p95_ms"] == 60 and page["statements"] > 0, key
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM chains")) >= 20
        assert conn.scalar(sa.text("SELECT count(*) FROM chain_links")) >= 200
        assert conn.scalar(sa.text("SELECT count(*) FROM chain_link_enterprises")) > 0
    engine.dispose()
