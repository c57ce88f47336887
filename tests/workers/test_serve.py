"""`python -m workers serve` (what `make run` starts): the web server, one worker and the one
cron process on the embedded Redis; SIGINT stops them all and it exits 0.  The schedule's
cron strings are read in Asia/Shanghai time."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from rq import Worker
from rq.cron import CronJob

from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait_until(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def test_serve_starts_web_worker_and_cron_and_stops_them_all_on_ctrl_c(tmp_path):
    from crm.config import Settings
    from crm.redis_conn import get_redis
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(CRM_INSTANCE_PATH=str(tmp_path), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "workers", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").status == 200)
        conn = get_redis(Settings.from_env(instance_path=tmp_path))  # the same embedded server
        assert _wait_until(lambda: len(Worker.all(connection=conn)) == 1)
        assert _wait_until(lambda: conn.keys("rq:cron_scheduler:*"))
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    output = proc.stdout.read()
    assert "Registered 'workers.jobs.scheduled'" in output and "Listening on default, mail" in output
    assert not [line for line in _ps() if str(tmp_path) in line or f"--port {port}" in line]


def _ps() -> list[str]:
    return subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()


def test_the_reminder_scan_is_scheduled_for_0730_in_suifenhe():
    from workers.schedule import SCHEDULE
    when = next(w for w, name, _kw in SCHEDULE if name == "reminders.scan")
    # A ZoneInfo destination makes time-machine set the process time zone too, as serve and
    # `python -m workers cron` do with TZ=Asia/Shanghai for rq cron.
    with time_machine.travel(datetime(2026, 11, 28, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        job = CronJob("default", func_name="workers.jobs.scheduled", cron=when)
        # 08:00 on the 28th: the next run is 07:30 the next morning, 23:30 UTC.
        assert job.next_enqueue_time == datetime(2026, 11, 28, 23, 30, tzinfo=UTC)
        job.set_enqueue_time(job.next_enqueue_time)
        assert job.next_enqueue_time == datetime(2026, 11, 29, 23, 30, tzinfo=UTC)


def test_every_scheduled_job_exists_and_has_a_timeout():
    from crm.services.messaging.outbox import timeout_for
    from workers.jobs import JOBS
    from workers.schedule import SCHEDULE
    for when, name, kwargs in SCHEDULE:
        assert name in JOBS and timeout_for(name) > 0 and isinstance(kwargs, dict)
        assert isinstance(when, (str, int))
