"""`rq cron workers/cron_config.py`: registers workers/schedule.py's SCHEDULE with rq cron."""
from rq import cron

from crm.services.outbox import queue_for, timeout_for
from workers.jobs import scheduled
from workers.schedule import SCHEDULE

for cron_string, interval, name, kwargs in SCHEDULE:
    cron.register(scheduled, queue_for(name), kwargs={"name": name, **kwargs}, cron=cron_string,
                  interval=interval, job_timeout=timeout_for(name), name=name, result_ttl=3600)
