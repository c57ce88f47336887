"""An Excel import from its preview to its confirmation (models/imports.SheetImport).

check() runs the list's import on the uploaded sheet inside a savepoint and rolls it back, so
the preview says exactly what confirming would do (rows created, updated field by field,
unchanged, refused with their reasons) and nothing is written; it keeps the file as the
import's evidence under instance/imports/, named by its SHA-256 (the same file uploaded twice
is stored once), and the preview in the database, never in the cookie session.  apply() runs
the import again on the stored file, in the request's transaction: all rows or none.  When the
data changed since the preview and a row is now refused, nothing is written and the preview is
renewed.  Both flush only; the view commits.

A sheet of more than IMPORT_JOB_ROWS rows is checked, and later applied, by a background job
(``request_check`` → job ``sheets.import_check`` → ``run_check``; ``request_apply`` → job
``sheets.import_apply`` → ``run_apply``): the import is ``checking`` or ``applying`` meanwhile and
its page shows a progress bar (services/core/progress).  Each job does its work only from the
status that asked for it, so a job delivered twice does nothing; a job that raises leaves nothing
written and the import ``failed`` with the reason.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

from flask import current_app

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import User
from crm.models.imports import SheetImport
from crm.services.core import access, audit, progress
from crm.services.core.clock import utcnow
from crm.services.core.errors import RuleError
from crm.services.core.locking import lock_for_update
from crm.services.sheets import enterprise_sheets, project_import, reader

RUNS = {"projects": project_import.import_projects, "enterprises": enterprise_sheets.import_enterprises}


CHECK_JOB, APPLY_JOB = "sheets.import_check", "sheets.import_apply"
BUSY = ("checking", "applying")  # a job works on the import


class AlreadyImported(RuleError):
    """An import that cannot be confirmed (already imported)."""


def folder() -> Path:
    return current_app.extensions["settings"].instance_path / "imports"


def file_path(record: SheetImport) -> Path:
    return folder() / f"{record.file_sha256}.xlsx"


def store(content: bytes) -> str:
    """Keep the uploaded bytes under their SHA-256; returns it.  Written to a temporary name
    first, so a half-written file never carries the final name."""
    sha = hashlib.sha256(content).hexdigest()
    path = folder() / f"{sha}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(content)
        partial.replace(path)
    return sha


def may_see(user: User, record: SheetImport) -> bool:
    """Whoever uploaded it, and administrators."""
    return user.role == "admin" or record.created_by_id == user.id


def check(actor: User, kind: str, file_name: str, content: bytes) -> SheetImport:
    """The preview of importing `content` as a `kind` list, kept as a ready SheetImport; flushes.
    Raises reader.SheetError for a file that cannot be read as a list (and then keeps nothing)."""
    result = _dry_run(actor, kind, content)
    record = SheetImport(kind=kind, status="ready", file_name=(file_name or "")[:200] or "sheet.xlsx",
                         file_sha256=store(content), file_size=len(content), created_by_id=actor.id)
    _keep(record, result)
    with audit.acting_as(actor):
        db.session.add(record)
        db.session.flush()
    return record


def _dry_run(actor: User, kind: str, content: bytes) -> reader.Result:
    savepoint = db.session.begin_nested()
    try:
        return RUNS[kind](actor, BytesIO(content))
    finally:
        savepoint.rollback()  # the preview writes nothing


def apply(actor: User, record: SheetImport) -> reader.Result:
    """Import the stored sheet for good, or, when a row is refused now, nothing (the preview is
    renewed); flushes.  Raises AlreadyImported for an import already applied."""
    _claim(actor, record, "ready")
    return _apply(actor, record)


def _claim(actor: User, record: SheetImport, status: str) -> None:
    access.require(may_see(actor, record))
    lock_for_update(record)  # a second click waits, then finds it applied
    if record.status != status:
        raise AlreadyImported(_("这张表已经导入过了。"))


def _apply(actor: User, record: SheetImport) -> reader.Result:
    savepoint = db.session.begin_nested()
    result = RUNS[record.kind](actor, BytesIO(file_path(record).read_bytes()))
    if result.errors:
        savepoint.rollback()
    else:
        savepoint.commit()
    with audit.acting_as(actor, note=_stored_note(record)):  # the listener reads the note at the flush
        _keep(record, result)
        record.status = "ready"
        if not result.errors:
            record.status, record.applied_at = "applied", utcnow()
        db.session.flush()
    return result


# ------------------------------------------------------------------ large sheets: jobs

def sheet_rows(content: bytes, enough: int) -> int:
    """The rows of the first sheet that hold cells, counted up to `enough` + 1 while its XML is
    unpacked a piece at a time: a cheap size for choosing the job.  Neither the <dimension> a
    sheet declares nor its blank formatted rows (``<row r="9"/>``) count, so a hostile or padded
    file stays on the instant path, where the reader refuses it at once; 0 when the file is not a
    workbook (the instant path says why)."""
    rows, tail, unpacked = 0, b"", 0
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
            while rows <= enough and unpacked < reader.MAX_UNPACKED and (piece := sheet.read(1 << 16)):
                unpacked += len(piece)
                rows += (tail + piece).count(b"</row>")
                tail = piece[-5:]  # a closing tag split between two pieces is counted once
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        return 0
    return rows


def is_large(content: bytes) -> bool:
    limit = current_app.extensions["settings"].IMPORT_JOB_ROWS
    return sheet_rows(content, limit) > limit


def request_check(actor: User, kind: str, file_name: str, content: bytes) -> SheetImport:
    """A large sheet stored and an import ``checking`` it, with the job's outbox row; flushes."""
    record = SheetImport(kind=kind, status="checking", file_name=(file_name or "")[:200] or "sheet.xlsx",
                         file_sha256=store(content), file_size=len(content), created_by_id=actor.id, preview={})
    with audit.acting_as(actor):
        db.session.add(record)
        db.session.flush()
    _enqueue(record, CHECK_JOB)
    return record


def request_apply(actor: User, record: SheetImport) -> None:
    """Confirming a large import: ``applying`` and its job's outbox row; flushes.  Raises
    AlreadyImported for an import not ready."""
    _claim(actor, record, "ready")
    record.status, record.progress, record.error = "applying", 0, None
    db.session.flush()
    _enqueue(record, APPLY_JOB)


def _enqueue(record: SheetImport, job: str) -> None:
    progress.enqueue(record, job, import_id=record.id)


def run_check(import_id: int, *, report: Callable[[int], None] | None = None) -> SheetImport | None:
    """The job's check of a large sheet: the preview kept, the import ``ready``."""
    return _run_job(import_id, "checking", report, _check_stored)


def run_apply(import_id: int, *, report: Callable[[int], None] | None = None) -> SheetImport | None:
    """The job's import of a confirmed large sheet: all rows or none (then the preview is renewed)."""
    return _run_job(import_id, "applying", report, lambda record: _apply(record.created_by, record))


def _check_stored(record: SheetImport) -> None:
    _keep(record, _dry_run(record.created_by, record.kind, file_path(record).read_bytes()))
    record.status = "ready"


def _run_job(import_id: int, status: str, report, work) -> SheetImport | None:
    """Run `work(record)` (it sets the import's next status) on an import in `status`; another
    status means the job already ran.  Flushes; the job's context commits with the outbox row."""
    record = db.session.get(SheetImport, import_id)
    if record is None or record.status != status:
        return record
    tracker = progress.Tracker(SheetImport, import_id, report)
    tracker(5)
    try:
        work(record)
    except Exception as error:
        progress.fail(SheetImport, import_id, error)
        raise
    record.progress = 100
    if report is not None:
        report(100)
    db.session.flush()
    return record


def job_state(record: SheetImport, redis=None) -> dict:
    """{status, progress, error} of the import's job for the polling page: running while
    checking or applying, done once it is ready or applied, failed with a message in words."""
    shown = "running" if record.status in BUSY else "failed" if record.status == "failed" else "done"
    view = SimpleNamespace(status=shown, progress=record.progress, error=record.error, job_id=record.job_id)
    state = progress.state(view, redis, "")
    if state["status"] == "failed":
        state["error"] = _("后台任务没有完成，什么也没有写入。请重新上传这张表；多次失败请联系管理员。")
    return state


def _stored_note(record: SheetImport) -> str:
    # stored as data, in Chinese like every audit note: which file was imported
    return f"Excel 导入：{record.file_name}（SHA-256 {record.file_sha256[:12]}）"


def _keep(record: SheetImport, result: reader.Result) -> None:
    """The result's counts and rows on the record (plain JSON)."""
    record.created_count, record.updated_count = result.new, len(result.updated)
    record.unchanged_count, record.refused_count = result.unchanged, result.refused_rows
    record.preview = {
        "updated": [{"row": c.row, "record_id": c.record_id, "name": c.name, "fields": [list(f) for f in c.fields]}
                    for c in result.updated],
        "errors": [{"row": e.row, "column": e.column, "message": str(e.message),
                    "link": list(e.link) if e.link else None} for e in result.errors],
    }
