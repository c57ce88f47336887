"""Excel imports (数据导入) and exports run as background jobs (SheetExport, at the end).

Life of a row: an upload is checked at once and kept as `ready` with its preview (the counts,
each updated row's changes and each refused row's reason); the user confirms and every row is
written in one transaction, and the row becomes `applied`.  The uploaded file is kept as the
import's evidence under instance/imports/, named by its SHA-256 (services/sheets/imports).
Audited: who uploaded which file, and when it was applied with what counts.
"""
from __future__ import annotations

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import utcnow
from crm.models.brochure import BUILD_STATUS
from crm.models.choices import Choices

IMPORT_KIND = Choices({"projects": _l("项目清单"), "enterprises": _l("企业清单")})
# A large sheet is checked, and applied, by a job (services/sheets/imports): checking → ready →
# applying → applied; failed when a job broke off (nothing written).
IMPORT_STATUS = Choices({"checking": _l("检查中"), "ready": _l("待确认"), "applying": _l("导入中"),
                         "applied": _l("已导入"), "failed": _l("失败")})


class SheetImport(db.Model):
    __tablename__ = "sheet_imports"
    __audited__ = True
    # the rows' changes are audited on the records themselves; progress is not history
    __audit_exclude__ = ("preview", "progress", "job_id")
    __table_args__ = (
        db.Index("ix_sheet_imports_creator", "created_by_id", "id"),
        IMPORT_KIND.check("kind"),
        IMPORT_STATUS.check("status"),
    )
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(12), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="ready")
    file_name = db.Column(db.String(200), nullable=False)  # as uploaded, shown to people
    file_sha256 = db.Column(db.String(64), nullable=False)  # the stored file's name
    file_size = db.Column(db.Integer, nullable=False)
    created_count = db.Column(db.Integer, nullable=False, default=0)
    updated_count = db.Column(db.Integer, nullable=False, default=0)
    unchanged_count = db.Column(db.Integer, nullable=False, default=0)
    refused_count = db.Column(db.Integer, nullable=False, default=0)  # rows with a problem
    # {"updated": [{"row", "record_id", "name", "fields": [[label, old, new]]}],
    #  "errors": [{"row", "column", "message", "link": [id, name] | null}]}
    preview = db.Column(db.JSON, nullable=False, default=dict)
    created_by_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    applied_at = db.Column(db.DateTime)
    progress = db.Column(db.Integer, nullable=False, default=0, server_default="0")  # a job's, 0–100
    job_id = db.Column(db.String(40))  # the RQ job checking or applying a large sheet
    error = db.Column(db.Text)  # why that job failed, for the administrator
    created_by = db.relationship("User")

    def __str__(self) -> str:
        return self.file_name


class SheetExport(db.Model):
    """A large list export built by a worker (services/sheets/exports): who asked for which
    rows, how far the job is, and the file kept until ``expires_at`` (then cleanup removes it
    and the row stays as history).  Audited: the request and how it ended, not each percent."""
    __tablename__ = "sheet_exports"
    __audited__ = True
    __audit_exclude__ = ("progress", "job_id")
    __table_args__ = (
        db.Index("ix_sheet_exports_requester", "requested_by_id", "id"),
        db.Index("ix_sheet_exports_expires", "expires_at"),
        IMPORT_KIND.check("kind"),
        BUILD_STATUS.check("status"),  # queued, running, done, failed: as a catalog build's
    )
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(12), nullable=False)  # projects / enterprises, as IMPORT_KIND
    # The list's filters as the job reads them back ({"filters": {...}} or {"ids": [...]}).
    conditions = db.Column(db.JSON, nullable=False, default=dict)
    lang = db.Column(db.String(10), nullable=False, default="zh_Hans_CN")  # the requester's UI language
    status = db.Column(db.String(10), nullable=False, default="queued")
    progress = db.Column(db.Integer, nullable=False, default=0)  # 0–100
    row_count = db.Column(db.Integer)
    job_id = db.Column(db.String(40))  # the RQ job id derived from the outbox row
    file_name = db.Column(db.String(120))  # under instance/files/exports/; None once cleaned up
    error = db.Column(db.Text)
    requested_by_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime)
    finished_at = db.Column(db.DateTime)
    expires_at = db.Column(db.DateTime)  # set when done: finished_at + SHEET_EXPORT_KEEP_HOURS
    requested_by = db.relationship("User")

    def __str__(self) -> str:
        return f"{IMPORT_KIND[self.kind]} #{self.id}"
