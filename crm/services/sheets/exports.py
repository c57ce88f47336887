"""Excel list exports (项目清单, 企业清单): instant when small, a background job when large.

The list page's export counts its rows first (one COUNT).  Up to SHEET_EXPORT_JOB_ROWS the sheet
is built in the request as before; above, ``request_export`` writes a ``SheetExport`` row and its
outbox row in the same transaction, the worker job ``sheets.export`` calls ``run_export``, which
builds the same sheet through the same function (project_sheet.export / enterprise_sheets.export,
streamed with openpyxl's write-only mode) into a file, reporting progress (services/core/progress).
The file is kept SHEET_EXPORT_KEEP_HOURS for its requester (and admins) to download; the daily
``cleanup`` removes it afterwards and the page then says it has expired.

What to export is kept as JSON the job reads back: {"filters": …} (the list's query-string
filters, cleaned as the page cleans them) or {"ids": […]} (the rows ticked for a bulk export).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import force_locale

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Project, SheetExport, User
from crm.services import projects
from crm.services.core import progress
from crm.services.core.clock import local_now, utcnow
from crm.services.sheets import enterprise_sheets, project_sheet

JOB = "sheets.export"
ACTIVE = progress.ACTIVE


def _project_conditions(conditions: dict) -> list:
    if "ids" in conditions:
        return [Project.id.in_(conditions["ids"])]
    return projects.project_filters(conditions.get("filters") or {})


def _enterprise_args(conditions: dict) -> tuple[dict, list[int] | None]:
    return conditions.get("filters") or {}, conditions.get("ids")


def count(kind: str, conditions: dict) -> int:
    """Rows the export of `conditions` would write (one COUNT)."""
    if kind == "projects":
        return project_sheet.count(_project_conditions(conditions))
    return enterprise_sheets.count(*_enterprise_args(conditions))


def build(kind: str, conditions: dict, now: datetime, *, target: Path | None = None,
          report: Callable[[int, int], None] | None = None) -> tuple[bytes | None, int, bool]:
    """The sheet of `conditions`: the one code path of the instant export and the job."""
    if kind == "projects":
        return project_sheet.export(_project_conditions(conditions), now, target=target, progress=report)
    filters, ids = _enterprise_args(conditions)
    return enterprise_sheets.export(filters, now, selected=ids, target=target, progress=report)


def runs_as_job(kind: str, conditions: dict, settings) -> bool:
    return count(kind, conditions) > settings.SHEET_EXPORT_JOB_ROWS


def request_export(actor: User, kind: str, conditions: dict, lang: str) -> SheetExport:
    """A queued export and its outbox row, flushed (the view commits both at once)."""
    export = SheetExport(kind=kind, conditions=conditions, lang=lang, status="queued",
                         requested_by_id=actor.id if actor else None)
    db.session.add(export)
    db.session.flush()
    progress.enqueue(export, JOB, export_id=export.id)
    return export


def export_dir(settings) -> Path:
    return settings.files_dir / "exports"


def run_export(export_id: int, settings, *, report: Callable[[int], None] | None = None) -> SheetExport | None:
    """Build an export's file in its requester's language; ``report(percent)`` gets live progress.

    Commits as it goes, like catalog_builds.run_build: a job delivered twice finds the row done
    (or gone) and does nothing; a failure marks the row failed with the reason and re-raises.
    """
    export = db.session.get(SheetExport, export_id)
    if export is None or export.status == "done":
        return export
    progress.start(export)
    tracker = progress.Tracker(SheetExport, export_id, report)
    file_name = f"{export.kind}-{export_id}.xlsx"
    try:
        with force_locale(export.lang), progress.atomic_path(export_dir(settings) / file_name) as partial:
            _data, written, _cut = build(export.kind, export.conditions or {}, local_now(), target=partial,
                                         report=tracker.part(0, 99))
    except Exception as error:
        progress.fail(SheetExport, export_id, error)
        raise
    now = utcnow()
    export.status, export.progress, export.file_name, export.row_count = "done", 100, file_name, written
    export.finished_at, export.expires_at = now, now + timedelta(hours=settings.SHEET_EXPORT_KEEP_HOURS)
    if report is not None:
        report(100)
    db.session.flush()
    return export


def may_see(user: User, export: SheetExport) -> bool:
    """Only the requester and administrators: the sheet may hold contacts' phones."""
    return user.role == "admin" or export.requested_by_id == user.id


def file_path(export: SheetExport, settings) -> Path | None:
    """The finished file, or None (not done yet, failed, expired or cleaned up)."""
    if export.status != "done" or not export.file_name or expired(export):
        return None
    path = export_dir(settings) / export.file_name
    return path if path.is_file() else None


def expired(export: SheetExport, now: datetime | None = None) -> bool:
    """Done once and its file gone or past its day."""
    if export.status != "done":
        return False
    return not export.file_name or (export.expires_at is not None and export.expires_at <= (now or utcnow()))


def state(export: SheetExport, redis=None) -> dict:
    """{status, progress, error} for the polling page.  The row keeps a failure's technical
    reason for the administrator; the page says in words what to do."""
    answer = progress.state(export, redis, "")
    if answer["status"] == "failed":
        answer["error"] = _("导出没有完成（后台任务出错或中断），请重新导出；多次失败请联系管理员。")
    return answer


def cleanup(settings, now: datetime | None = None) -> int:
    """Delete export files past their expiry (and leftovers of killed jobs); flushes."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=settings.SHEET_EXPORT_KEEP_HOURS)
    return progress.cleanup(SheetExport, export_dir(settings), SheetExport.expires_at <= now, cutoff)
