"""The RQ worker class: `rq worker --with-scheduler -w workers.worker.AppWorker default mail`.

It builds the Flask app and registers the PDF fonts once in the parent, so the forked work
horses start each job warm.  It always reads jobs with the JSON serializer (whatever
--serializer says), so a pickled payload planted in Redis fails to load instead of running.
"""
from rq.worker import Worker

from crm.services.brochures.fonts import register_fonts
from crm.services.messaging.outbox import SERIALIZER
from workers.app import get_app


class AppWorker(Worker):
    def __init__(self, *args, **kwargs):
        kwargs["serializer"] = SERIALIZER  # also the scheduler's: it takes the worker's
        super().__init__(*args, **kwargs)
        get_app()
        register_fonts()
