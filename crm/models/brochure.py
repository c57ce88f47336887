"""Catalog builds (招商项目册): one row per requested catalog PDF, rendered by a worker.

Life of a row: queued (written with its outbox row in one transaction) → running → done (the
PDF sits under instance/files/catalogs/<file_name>) or failed (``error`` says why).  A cleanup
job deletes files after BROCHURE_MAX_AGE_HOURS and clears ``file_name``; the row stays as a
record of who built what.  Not audited: progress changes every few seconds and says nothing
about the office's data.
"""
from __future__ import annotations

from crm.extensions import db
from crm.models.base import utcnow
from crm.models.choices import Choices

BUILD_STATUS = Choices({"queued": "queued", "running": "running", "done": "done", "failed": "failed"})
BUILD_STATUSES = BUILD_STATUS.codes


class CatalogBuild(db.Model):
    __tablename__ = "catalog_builds"
    # Who asked for which catalog, and how its build ended; not every percent of progress.
    __audited__ = True
    __audit_exclude__ = ("progress", "job_id")
    __table_args__ = (
        db.Index("ix_catalog_builds_status_finished", "status", "finished_at"),
        db.Index("ix_catalog_builds_created", "created_at"),
        BUILD_STATUS.check("status"),
    )
    id = db.Column(db.Integer, primary_key=True)
    requested_by_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    lang = db.Column(db.String(5), nullable=False, default="zh")
    # Project filters as a query string would carry them ({"sectors": [ids], "stage": …}).
    filters = db.Column(db.JSON, nullable=False, default=dict)
    title = db.Column(db.String(120), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    preface = db.Column(db.Text)  # None: the default preface of the language
    project_count = db.Column(db.Integer)
    status = db.Column(db.String(10), nullable=False, default="queued")
    progress = db.Column(db.Integer, nullable=False, default=0)  # 0–100
    job_id = db.Column(db.String(40))  # the RQ job id derived from the outbox row
    file_name = db.Column(db.String(120))
    error = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime)
    finished_at = db.Column(db.DateTime)
    requested_by = db.relationship("User")
