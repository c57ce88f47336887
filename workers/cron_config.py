"""`rq cron workers/cron_config.py`: registers workers/schedule.py's SCHEDULE with rq cron."""
from rq import cron

from crm.services.messaging.outbox import queue_for, timeout_for
from workers.jobs import scheduled
from workers.schedule import SCHEDULE


def timing(when) -> dict:
    """rq cron's keyword for an entry's `when`: a cron string, or seconds between runs."""
    return {"cron": when} if isinstance(when, str) else {"interval": int(when)}


for when, name, kwargs in SCHEDULE:
    cron.register(scheduled, queue_for(name), kwargs={"name": name, **kwargs}, job_timeout=timeout_for(name),
                  name=name, result_ttl=3600, **timing(when))
