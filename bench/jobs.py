"""The background jobs the benchmark times, called through their services.

Each job is looked up when the bench runs: a job whose entry point does not exist yet is
reported as "n/a" rather than failing the run.  Nothing is emailed: digests are rendered and
written to the .eml outbox of the bench's own instance directory.  Jobs that write (the reminder
scan) run in a transaction that is rolled back, so every run sees the same data.
"""
from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from crm.extensions import db

DIGEST_RECIPIENTS = 200
CATALOG_PROJECTS = 500


@dataclass
class Job:
    key: str
    label: str
    target_ms: float
    prepare: Callable[[datetime], Callable[[], object] | None]  # returns the timed call, or None (n/a)
    note: str = ""


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _call_with_now(fn, now: datetime):
    """Call a job entry point with whichever of now/today it takes."""
    params = inspect.signature(fn).parameters
    if "now" in params:
        return fn(now=now)
    if "today" in params:
        from crm.services.core.clock import local_today
        return fn(today=local_today(now))
    return fn()


def _reminder_scan(now: datetime):
    reminders = _module("crm.services.routines.reminders")
    entry = next((getattr(reminders, name) for name in ("scan", "run_scan", "run_daily", "daily_scan", "run")
                  if reminders is not None and callable(getattr(reminders, name, None))), None)
    if entry is None:
        return None

    def run():
        try:
            return _call_with_now(entry, now)
        finally:
            db.session.rollback()  # same data for every run
    return run


def _digest(now: datetime):
    digest = _module("crm.services.liaison.digest")
    if digest is None or not hasattr(digest, "load_week"):
        return None
    from crm.services.messaging.mail import deliver
    users = digest.recipients()
    if not users:
        return None
    # 200 recipients; a small scale has fewer users, so the list goes round again.
    chosen = [users[i % len(users)] for i in range(DIGEST_RECIPIENTS)]
    settings = current_app.extensions["settings"]

    def run():
        week = digest.load_week(now)  # once per run, as run_weekly does
        for user in chosen:
            deliver(digest._render(user, week), settings)
        db.session.rollback()
    return run


def _sheets(limit: int):
    brochure_data = _module("crm.services.brochures.brochure_data")
    if brochure_data is None or not hasattr(brochure_data, "sheets_for"):
        return None
    return brochure_data.sheets_for({}, current_app.extensions["settings"], "zh", limit=limit)


def _brochure(now: datetime):
    brochure = _module("crm.services.brochures")
    brochure_data = _module("crm.services.brochures.brochure_data")
    if brochure is None or brochure_data is None:
        return None
    from crm.models import Project
    project_id = _busiest_project()
    settings = current_app.extensions["settings"]

    def run():
        project = db.session.get(Project, project_id, options=brochure_data.sheet_options())
        pdf = brochure.render_project(brochure_data.sheet_for(project, settings, "zh"), "zh")
        db.session.rollback()
        return pdf
    return run


def _catalog(now: datetime):
    brochure = _module("crm.services.brochures")
    if brochure is None or _sheets(1) is None:
        return None
    settings = current_app.extensions["settings"]
    meta = brochure.CatalogMeta(title="招商项目册", city="绥芬河市", year=now.year, preface=settings.CATALOG_PREFACE)

    def run():
        sheets = _sheets(CATALOG_PROJECTS)
        db.session.rollback()
        return brochure.render_catalog(sheets, meta)
    return run


def _drawn_pictures(count: int, settings, positions=(0,)) -> list:
    """`count` distinct drawn pictures (1600×1000 JPEG, as seeds/demo_pictures draws them) stored by
    hash under the bench's FILES_DIR with their print copies, as an upload leaves them, as the
    renderer's SheetPicture values (position cycling through `positions`)."""
    import random

    from crm.services.brochures.pictures import make_print_copy
    from crm.services.brochures.sheet import SheetPicture
    from crm.services.files import store
    from seeds import demo_pictures
    rng = random.Random(7)
    found = []
    for n in range(count):
        data = demo_pictures.site_plan(f"基准项目 {n + 1}", rng)
        sha = store.write(settings, store.Prepared(data, "image/jpeg", f"bench-{n}.jpg"))
        position = positions[n % len(positions)]
        make_print_copy(settings, sha, position)
        found.append(SheetPicture(path=str(store.path_of(settings, sha)), position=position,
                                  caption={"zh": "园区位置示意图", "en": "Site plan (illustration)"}))
    return found


def _size_note(run, pdf: bytes) -> None:
    run.note = f"PDF {len(pdf) / 1024 / 1024:.1f} MB"


def _brochure_pictures(now: datetime):
    """The brochure with a cover and four pictures."""
    brochure = _module("crm.services.brochures")
    if brochure is None or _module("crm.services.brochures.images") is None or _brochure(now) is None:
        return None
    from crm.models import Project
    brochure_data = _module("crm.services.brochures.brochure_data")
    settings = current_app.extensions["settings"]
    project_id = _busiest_project()
    pictures = _drawn_pictures(5, settings, positions=(0, 1, 2, 3, 4))

    def run():
        project = db.session.get(Project, project_id, options=brochure_data.sheet_options())
        sheet = brochure_data.sheet_for(project, settings, "zh", picture_rows=[])
        sheet.pictures = pictures
        db.session.rollback()
        pdf = brochure.render_project(sheet, "zh")
        _size_note(run, pdf)
        return pdf
    return run


def _catalog_covers(now: datetime):
    """The 500-project catalog, each project with a cover of its own."""
    brochure = _module("crm.services.brochures")
    if brochure is None or _module("crm.services.brochures.images") is None or _sheets(1) is None:
        return None
    settings = current_app.extensions["settings"]
    covers = _drawn_pictures(CATALOG_PROJECTS, settings)
    meta = brochure.CatalogMeta(title="招商项目册", city="绥芬河市", year=now.year, preface=settings.CATALOG_PREFACE)

    def run():
        sheets = _sheets(CATALOG_PROJECTS)
        db.session.rollback()
        for sheet, cover in zip(sheets, covers):
            sheet.pictures = [cover]
        pdf = brochure.render_catalog(sheets, meta)
        _size_note(run, pdf)
        return pdf
    return run


def _busiest_project() -> int:
    import sqlalchemy as sa

    from crm.models import Interaction
    return db.session.scalar(
        sa.select(Interaction.project_id).where(Interaction.project_id.is_not(None))
        .group_by(Interaction.project_id).order_by(sa.func.count().desc(), Interaction.project_id).limit(1))


def _in_forked_child(run) -> dict:
    """run() in a forked child, as RQ's work horse runs a job (a fork of the worker): its peak
    resident memory (ru_maxrss, the parent's pages it touches included) comes back with its
    result or error.  The child opens its own database connections."""
    import json
    import os
    import resource
    import traceback
    # SQLite: a read transaction the parent keeps open would make each of the child's commits
    # (the progress it writes) wait for the busy timeout; end it before the fork.
    db.session.close()
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reading)
        answer = {}
        try:
            db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
            answer["result"] = run()
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            answer["error"] = traceback.format_exc()[-1500:]
        answer["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        os.write(writing, json.dumps(answer, default=str).encode())
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        answer = json.loads(pipe.read() or b"{}")
    os.waitpid(pid, 0)
    if "error" in answer or "result" not in answer:
        raise RuntimeError(answer.get("error", "the child died"))
    return answer


def _forget(model) -> None:
    """Delete the rows a timed job left (its file too): every run sees the same data."""
    from pathlib import Path
    rows = db.session.scalars(db.select(model)).all()
    folder = current_app.extensions["settings"].files_dir / "exports"
    for row in rows:
        name = getattr(row, "file_name", None)
        if name and model.__name__ == "SheetExport":
            Path(folder / name).unlink(missing_ok=True)
        db.session.delete(row)
    db.session.commit()


def _project_export(now: datetime):
    """The export job's entry point (services/sheets/exports.run_export) for every project, in a
    forked child like RQ's work horse; the note gives its peak memory."""
    from crm.models import SheetExport, User
    from crm.services.sheets import exports
    actor_id = db.session.scalars(db.select(User.id).where(User.role == "admin")).first()
    settings = current_app.extensions["settings"]

    def run():
        export_id = exports.request_export(db.session.get(User, actor_id), "projects", {"filters": {}}, "zh_Hans_CN").id
        db.session.commit()
        answer = _in_forked_child(lambda: exports.run_export(export_id, settings).row_count)
        run.note = f"{answer['result']} rows; worker peak RSS {answer['maxrss_mb']:.0f} MB"
        _forget(SheetExport)
        return answer
    return run


def _export_request(now: datetime):
    """What the export request does before it answers: the COUNT, the export row and its outbox
    row, the commit (the relay to Redis aside).  Timed as the job path whatever the scale."""
    from crm.models import OutboxMessage, SheetExport, User
    from crm.services.sheets import exports
    actor = db.session.scalars(db.select(User).where(User.role == "admin")).first()
    settings = current_app.extensions["settings"]

    def run():
        exports.runs_as_job("projects", {"filters": {}}, settings)
        export = exports.request_export(actor, "projects", {"filters": {}}, "zh_Hans_CN")
        db.session.commit()
        db.session.delete(export)
        db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.job == exports.JOB))
        db.session.commit()
        return SheetExport
    return run


def _edited_enterprise_sheet(now: datetime) -> bytes:
    """Every enterprise exported, each row's 简称 edited (every row an update)."""
    from io import BytesIO

    from openpyxl import load_workbook

    from crm.services.sheets import enterprise_sheets
    data, _count, _cut = enterprise_sheets.export({}, now)
    book = load_workbook(BytesIO(data))
    ws = book.worksheets[0]
    column = next(c.column for c in ws[3] if c.value == "简称")
    for row in range(4, ws.max_row + 1):
        ws.cell(row=row, column=column).value = f"简称{row}"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _enterprise_import_job(now: datetime):
    """The import jobs' entry points (services/sheets/imports.run_check, then run_apply) on every
    enterprise, each row edited, in a forked child; the apply is rolled back at the end so every
    run sees the same data.  The note gives the check/apply split and the peak memory."""
    import time

    from crm.models import SheetImport, User
    from crm.services.sheets import imports
    actor_id = db.session.scalars(db.select(User.id).where(User.role == "admin")).first()
    sheet = _edited_enterprise_sheet(now)

    def job():
        actor = db.session.get(User, actor_id)
        record = imports.request_check(actor, "enterprises", "bench.xlsx", sheet)
        db.session.commit()
        started = time.perf_counter()
        imports.run_check(record.id)
        db.session.commit()
        checked = time.perf_counter()
        imports.request_apply(actor, record)
        db.session.commit()
        imports.run_apply(record.id)
        updated, status = record.updated_count, record.status
        db.session.rollback()  # the same data for every run
        return {"check_s": checked - started, "apply_s": time.perf_counter() - checked,
                "updated": updated, "status": status}

    def run():
        answer = _in_forked_child(job)
        result = answer["result"]
        run.note = (f"{result['updated']} rows updated ({result['status']}): check {result['check_s']:.1f} s, "
                    f"apply {result['apply_s']:.1f} s; worker peak RSS {answer['maxrss_mb']:.0f} MB")
        _forget(SheetImport)
        return answer
    return run


def _import_request(now: datetime):
    """What the upload request does for a large sheet before it answers: its rows counted
    (up to the job's threshold), the file stored, the import row and its outbox row, the commit
    (timed as the job path whatever the scale)."""
    from crm.models import OutboxMessage, SheetImport, User
    from crm.services.sheets import imports
    actor = db.session.scalars(db.select(User).where(User.role == "admin")).first()
    sheet = _edited_enterprise_sheet(now)

    def run():
        imports.is_large(sheet)  # the size test the view makes (the job path is timed whatever it says)
        imports.request_check(actor, "enterprises", "bench.xlsx", sheet)
        db.session.commit()
        db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.job == imports.CHECK_JOB))
        db.session.commit()
        _forget(SheetImport)
    return run


def _enterprise_import(now: datetime):
    """Every enterprise exported, each row's 简称 edited, imported back (every row an update),
    then rolled back so every run sees the same data.  The sheet is built before the timing."""
    from io import BytesIO

    from crm.models import User
    from crm.services.sheets import enterprise_sheets
    actor = db.session.scalars(db.select(User).where(User.role == "admin")).first()
    sheet = _edited_enterprise_sheet(now)

    def run():
        try:
            result = enterprise_sheets.import_enterprises(actor, BytesIO(sheet))
            return len(result.updated)
        finally:
            db.session.rollback()
    return run


JOBS = (
    Job("reminder_scan", "提醒扫描 reminder scan", 5_000, _reminder_scan),
    Job("digest_200", f"周报 digest × {DIGEST_RECIPIENTS} recipients", 30_000, _digest),
    Job("brochure", "项目介绍 brochure (1 project PDF)", 150, _brochure),
    Job("catalog_500", f"项目册 catalog ({CATALOG_PROJECTS} projects)", 10_000, _catalog),
    Job("brochure_pictures", "项目介绍 brochure with a cover and 4 pictures", 300, _brochure_pictures),
    Job("catalog_500_covers", f"项目册 catalog ({CATALOG_PROJECTS} projects, each with a cover)", 20_000,
        _catalog_covers),
    Job("project_export", "项目清单导出 project list export job (all projects)", 10_000, _project_export),
    Job("project_export_request", "项目清单导出 the request that starts the export job", 100, _export_request),
    Job("enterprise_import", "企业清单导入 enterprise import (every row updated)", 10_000, _enterprise_import),
    Job("enterprise_import_job", "企业清单导入 import jobs: check + apply (every row updated)", 10_000,
        _enterprise_import_job),
    Job("enterprise_import_request", "企业清单导入 the upload request that starts the check job", 100, _import_request),
)
