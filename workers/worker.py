"""The RQ worker class: `rq worker --with-scheduler -w workers.worker.AppWorker default mail`.

It builds the Flask app and registers the PDF fonts once in the parent, so the forked work
horses start each job warm.
"""
from rq.worker import Worker

from crm.services.brochures.fonts import register_fonts
from workers.app import get_app


class AppWorker(Worker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        get_app()
        register_fonts()
