"""The app inside worker processes: created once per process, one transaction per job."""
from __future__ import annotations

import gc
import os
from contextlib import contextmanager

from sqlalchemy.orm import configure_mappers

from crm import create_app
from crm.extensions import db
from crm.services.core import audit

_app = None
_pid = None


def get_app():
    """The worker's Flask app; after a fork the child drops the parent's DB connections."""
    global _app, _pid
    if _app is None:
        _app = create_app()
        _pid = os.getpid()
        # Configure the ORM mappers once here: otherwise every forked work horse pays
        # for it (~0.15 s) on its first query, and throws the work away when it exits.
        configure_mappers()
        # Start-up objects out of the collector's reach (as wsgi.py does); forked work horses
        # then also leave those pages shared instead of touching them in every collection.
        gc.collect()
        gc.freeze()
    elif _pid != os.getpid():
        with _app.app_context():
            db.engine.dispose(close=False)
        _pid = os.getpid()
    return _app


@contextmanager
def job_context(label: str = "worker"):
    """App context + audit actor for a job; commit on success, roll back on error."""
    app = get_app()
    with app.app_context(), audit.acting_as(label=label):
        try:
            yield app
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
