"""/healthz reports each part (database, Redis, worker heartbeat, cron tick) and answers 503 with
the detail when one is down, quickly, against a real Redis and a real long-running rq worker."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq import Worker

from crm.services.core import health
from crm.services.messaging import outbox

ROOT = Path(__file__).resolve().parents[2]


def _wait_until(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def live_worker(redis, worker_env):
    """A real `rq worker` (not burst), as `python -m workers serve` starts it."""
    from workers.__main__ import worker_command
    cmd = worker_command(worker_env["REDIS_URL"])
    cmd[0] = str(Path(sys.executable).with_name("rq"))
    proc = subprocess.Popen(cmd, env=worker_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_until(lambda: Worker.all(connection=redis)), "the worker did not register"
        yield proc
    finally:
        proc.terminate()  # its scheduler process stops at once; the worker itself waits in BLPOP
        time.sleep(2)
        proc.kill()
        proc.wait(timeout=30)


def _get(client):
    started = time.monotonic()
    resp = client.get("/healthz")
    return resp, time.monotonic() - started


def test_all_parts_ok_when_the_cron_job_ran_on_a_live_worker(client, redis, live_worker):
    # The cron's frequent job, run by the real worker, records the tick.
    outbox.queue("default", redis).enqueue("workers.jobs.scheduled", kwargs={"name": "outbox.relay"})
    assert _wait_until(lambda: redis.get(health.CRON_TICK_KEY))
    resp, _ = _get(client)
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert body["status"] == "ok" and set(body["parts"]) == {"database", "redis", "worker", "cron"}
    assert all(part["ok"] and part["detail"] for part in body["parts"].values())


def test_redis_down_answers_503_with_the_detail_and_quickly(client, redis, redis_server, live_worker):
    health.record_cron_tick(redis)
    assert _get(client)[0].status_code == 200
    redis_server.stop()
    resp, took = _get(client)
    body = resp.get_json()
    assert resp.status_code == 503 and body["status"] == "down"
    assert body["parts"]["database"]["ok"] is True
    assert body["parts"]["redis"]["ok"] is False and "Connection" in body["parts"]["redis"]["detail"]
    assert body["parts"]["worker"]["ok"] is False and body["parts"]["cron"]["ok"] is False
    assert took < 3, f"/healthz took {took:.1f} s with Redis down"


def test_no_worker_and_a_stale_cron_tick_are_each_reported(client, redis):
    resp, _ = _get(client)
    parts = resp.get_json()["parts"]
    assert resp.status_code == 503 and parts["redis"]["ok"] is True
    assert parts["worker"] == {"ok": False, "detail": "no worker registered"}
    assert parts["cron"] == {"ok": False, "detail": "no cron tick recorded"}
    health.record_cron_tick(redis, datetime.now(UTC) - timedelta(minutes=5))
    parts = client.get("/healthz").get_json()["parts"]
    assert parts["cron"]["ok"] is False and "last tick 300 s ago" in parts["cron"]["detail"]
