"""RQ carries JSON, never pickle: what the relay and the cron put in Redis is JSON, and a pickled
payload planted in Redis (what anyone who can write to Redis could do) is not executed by a real
worker."""
from __future__ import annotations

import json
import os
import zlib

from rq import Queue
from rq.registry import FailedJobRegistry

from crm.extensions import db
from crm.services.messaging import outbox
from tests.conftest import run_worker
from workers.cron import CONFIG, JSONCronScheduler


def _payload(redis, rq_job_id: str):
    """The job's function and arguments as stored in Redis (rq zlib-compresses them)."""
    return json.loads(zlib.decompress(redis.hget(f"rq:job:{rq_job_id}", "data")))


def test_the_relay_and_the_cron_store_json(app, redis):
    row = outbox.enqueue("interactions.logged", interaction_id=7)
    db.session.commit()
    assert outbox.relay(redis) == 1
    func, _instance, args, kwargs = _payload(redis, outbox.job_id(row.id))
    assert (func, args, kwargs) == ("workers.jobs.run_outbox", [row.id], {})

    cron = JSONCronScheduler(connection=redis)
    cron.load_config_from_file(str(CONFIG))
    enqueued = cron.enqueue_jobs()  # the interval jobs are due at once
    relay = next(job for job in enqueued if job.name == "outbox.relay")
    (job_id,) = relay.get_job_ids(redis)
    assert _payload(redis, job_id)[0::3] == ["workers.jobs.scheduled", {"name": "outbox.relay"}]


class Exploit:
    """Unpickling this runs a shell command: the classic pickle payload."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickled_payload_planted_in_redis_is_not_executed(redis, worker_env, tmp_path):
    marker = tmp_path / "pwned"
    # Written the way an attacker with Redis access would: RQ's default (pickle) serializer.
    planted = Queue("default", connection=redis).enqueue("workers.jobs.outbox_relay", Exploit(marker))
    result = run_worker(worker_env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not marker.exists(), "the worker unpickled the planted payload and ran its command"
    assert planted.id in FailedJobRegistry("default", connection=redis).get_job_ids()
