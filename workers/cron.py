"""The single cron process (`python -m workers cron`): rq's CronScheduler, enqueueing as JSON.

rq cron builds its queues with RQ's default serializer (pickle) and has no option to change
it, so this runs the same scheduler with a CronJob that enqueues through outbox.queue().  The
schedule itself is workers/cron_config.py (rq.cron.register calls over workers/schedule.py).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import redis
from rq import cron_job_registry
from rq.cron import CronJob, CronScheduler
from rq.defaults import DEFAULT_CRON_JOB_HISTORY_LIMIT, DEFAULT_CRON_JOB_HISTORY_TTL

from crm.services.messaging.outbox import queue

CONFIG = Path(__file__).resolve().parent / "cron_config.py"


class JSONCronJob(CronJob):
    def enqueue(self, connection: redis.Redis):
        """CronJob.enqueue, through a JSON queue."""
        with connection.pipeline() as pipeline:
            job = queue(self.queue_name, connection).enqueue(
                self.func, args=self.args, kwargs=self.kwargs, **self.job_options, pipeline=pipeline)
            pipeline.zadd(self.job_history_key, {job.id: job.enqueued_at.timestamp()})
            pipeline.zremrangebyrank(self.job_history_key, 0, -(DEFAULT_CRON_JOB_HISTORY_LIMIT + 1))
            pipeline.expire(self.job_history_key, DEFAULT_CRON_JOB_HISTORY_TTL)
            cron_job_registry.add(self.name, pipeline, enqueue_timestamp=job.enqueued_at.timestamp())
            pipeline.execute()
        return job


class JSONCronScheduler(CronScheduler):
    def register(self, func, queue_name: str, **options) -> CronJob:
        job = JSONCronJob(queue_name=queue_name, func=func, **options)
        self._cron_jobs.append(job)
        every = f"every {job.interval} seconds" if job.interval else f"with cron schedule '{job.cron}'"
        self.log.info(f"Registered '{job.func_name}' to run on {queue_name} {every}")
        return job


def main(argv=None) -> int:
    """Run the scheduler until SIGINT/SIGTERM; a lost Redis ends it (the supervisor restarts it)."""
    parser = argparse.ArgumentParser(prog="python -m workers.cron")
    parser.add_argument("--url", required=True, help="the Redis URL")
    args = parser.parse_args(argv)
    scheduler = JSONCronScheduler(connection=redis.Redis.from_url(args.url))
    scheduler.load_config_from_file(str(CONFIG))
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
