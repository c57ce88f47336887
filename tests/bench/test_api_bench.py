"""The bench's API rows: the project list and one project are called with a token made through
the token service, answer 200 with JSON, and are timed against the issue's budget (60 ms on SQLite)."""
import json

import sqlalchemy as sa

from bench.__main__ import main


def test_the_bench_times_the_api_project_list_and_one_project_with_a_token(tmp_path):
    url = f"sqlite:///{tmp_path / 'smoke.sqlite'}"
    args = ["--scale", "smoke", "--requests", "3", "--warmup", "1", "--skip-jobs", "--database-url", url,
            "--data-dir", str(tmp_path), "--results-dir", str(tmp_path / "results"), "--only", "api_projects,api_project"]
    assert main(args) == 0
    result = json.loads((tmp_path / "results" / "smoke-sqlite.json").read_text(encoding="utf-8"))
    assert result["pages"].keys() == {"api_projects", "api_project"}
    # The same counts as at province scale (bench/results/api): token, rows, relations, audit row and token update.
    assert {key: page["statements"] for key, page in result["pages"].items()} == {"api_projects": 5, "api_project": 7}
    for key, page in result["pages"].items():
        assert page["status"] == [200] and page["target_p95_ms"] == 60, key
        assert not page["statements_varied"] and page["floor_median_ms"] is not None, key
        # Each call: the token's lookup, its reads, and its audit row (the API's own bookkeeping).
        assert page["sql"][0].startswith("SELECT api_tokens."), key
        assert any(sql.startswith("INSERT INTO audit_events") for sql in page["sql"]), key
    assert main(args) == 0  # a rerun makes a new token and revokes the last one
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tokens = conn.execute(sa.text("SELECT revoked_at IS NULL FROM api_tokens WHERE name = 'bench'")).scalars().all()
        calls = conn.scalar(sa.text("SELECT count(*) FROM audit_events WHERE action = 'api_call' AND note = 'bench'"))
    engine.dispose()
    assert sorted(tokens) == [0, 1]
    assert calls == 2 * 2 * 4  # two runs, two rows, 1 warm-up + 3 timed calls each (the floor's audit rows rolled back)
