"""The administrator's workbench reads each scheduled job's last run and the failed jobs from
Redis, as real rq workers leave them."""
from __future__ import annotations

import re
from datetime import timedelta

from crm.services.core import health
from crm.services.core.clock import utcnow
from crm.services.messaging import outbox
from tests.conftest import run_worker


def test_a_scheduled_run_and_a_failed_job_show_on_the_admin_workbench(client, login, redis, worker_env):
    queue = outbox.queue("default", redis)
    queue.enqueue("workers.jobs.scheduled", kwargs={"name": "outbox.relay"})
    queue.enqueue("workers.jobs.scheduled", kwargs={"name": "no.such.job"})  # fails: KeyError
    result = run_worker(worker_env)
    assert result.returncode == 0, result.stderr[-2000:]
    runs = health.last_job_runs(redis)
    assert set(runs) == {"outbox.relay"} and abs(runs["outbox.relay"] - utcnow()) < timedelta(minutes=2)
    assert health.failed_job_count(redis) == 1
    login("admin")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="wb-failed">1<', html)
    relay_row = html.split("任务补发（每 15 秒）")[1].split("</tr>")[0]
    assert "尚无记录" not in relay_row and "月" in relay_row
