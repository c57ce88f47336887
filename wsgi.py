"""WSGI entry point: `flask --app wsgi …`, gunicorn `wsgi:app`.

The `flask jobs …` group is added here rather than in create_app(): workers/ builds on crm/, so crm/
never imports workers/.
"""
import gc

from sqlalchemy.orm import configure_mappers

from crm import create_app
from workers.cli import register as register_jobs_cli

app = create_app()
register_jobs_cli(app)
# A long-lived server: build the ORM mappers now, then move the ~170k start-up objects out of
# the collector's reach, so a full collection during a request walks only that request's
# objects (without it the board's p95 in the benchmark doubled).
configure_mappers()
gc.collect()
gc.freeze()
