"""An Excel import from its preview to its confirmation (models/imports.SheetImport).

check() runs the list's import on the uploaded sheet inside a savepoint and rolls it back, so
the preview says exactly what confirming would do (rows created, updated field by field,
unchanged, refused with their reasons) and nothing is written; it keeps the file as the
import's evidence under instance/imports/, named by its SHA-256 (the same file uploaded twice
is stored once), and the preview in the database, never in the cookie session.  apply() runs
the import again on the stored file, in the request's transaction: all rows or none.  When the
data changed since the preview and a row is now refused, nothing is written and the preview is
renewed.  Both flush only; the view commits.
"""
from __future__ import annotations

import hashlib
import os
from io import BytesIO
from pathlib import Path

from flask import current_app

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import User
from crm.models.imports import SheetImport
from crm.services.core import access, audit
from crm.services.core.clock import utcnow
from crm.services.core.errors import RuleError
from crm.services.core.locking import lock_for_update
from crm.services.sheets import enterprise_sheets, project_import, reader

RUNS = {"projects": project_import.import_projects, "enterprises": enterprise_sheets.import_enterprises}


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
    access.require(may_see(actor, record))
    lock_for_update(record)  # a second click waits, then finds it applied
    if record.status != "ready":
        raise AlreadyImported(_("这张表已经导入过了。"))
    savepoint = db.session.begin_nested()
    result = RUNS[record.kind](actor, BytesIO(file_path(record).read_bytes()))
    if result.errors:
        savepoint.rollback()
    else:
        savepoint.commit()
    with audit.acting_as(actor, note=_stored_note(record)):  # the listener reads the note at the flush
        _keep(record, result)
        if not result.errors:
            record.status, record.applied_at = "applied", utcnow()
        db.session.flush()
    return result


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
