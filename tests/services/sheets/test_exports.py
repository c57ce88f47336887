"""Large Excel exports as jobs (services/sheets/exports): the threshold, the job's file equal to the
instant export of the same rows, progress, a second delivery doing nothing, failure, expiry and
cleanup."""
from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import AuditEvent, OutboxMessage, SheetExport
from crm.services.core.clock import local_now
from crm.services.sheets import exports
from tests import factories
from tests.security.test_formula_injection import LINK, assert_text_only

ALL_PROJECTS = {"filters": {}}


@pytest.fixture
def three(app):
    sector = factories.sector("biomed")
    return [factories.project(name=f"导出测试项目{n}", sector=sector) for n in range(3)]


def values(content: bytes) -> list[list]:
    """Every row's values but the note (row 2), which says the minute it was made."""
    ws = load_workbook(BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for n, row in enumerate(ws.iter_rows(), start=1) if n != 2]


def requested(user, kind="projects", conditions=ALL_PROJECTS) -> SheetExport:
    export = exports.request_export(user, kind, conditions, "zh_Hans_CN")
    db.session.commit()
    return export


def test_an_export_runs_as_a_job_only_above_the_threshold(three, settings):
    assert exports.count("projects", ALL_PROJECTS) == 3
    assert exports.runs_as_job("projects", ALL_PROJECTS, replace(settings, SHEET_EXPORT_JOB_ROWS=2))
    assert not exports.runs_as_job("projects", ALL_PROJECTS, replace(settings, SHEET_EXPORT_JOB_ROWS=3))
    assert not exports.runs_as_job("projects", {"ids": [three[0].id]}, replace(settings, SHEET_EXPORT_JOB_ROWS=2))
    assert settings.SHEET_EXPORT_JOB_ROWS == 500


def test_a_request_writes_the_export_and_its_outbox_row_together_and_is_audited(three, users):
    export = requested(users["staff"])
    message = db.session.query(OutboxMessage).one()
    assert (message.job, message.payload) == ("sheets.export", {"export_id": export.id})
    assert export.job_id == f"outbox-{message.id}" and export.status == "queued"
    assert db.session.query(AuditEvent).filter_by(object_type="SheetExport", object_id=export.id, action="create").count() == 1


@pytest.mark.parametrize("kind, ticked", [("projects", False), ("enterprises", False), ("enterprises", True)])
def test_the_jobs_file_equals_the_instant_export_of_the_same_rows(three, users, settings, kind, ticked):
    firms = [factories.enterprise(name=f"导出测试企业{n}") for n in range(4)]
    conditions = {"ids": [firm.id for firm in firms[:3]]} if ticked else {"filters": {}}
    instant, written, _cut = exports.build(kind, conditions, local_now())
    export = requested(users["staff"], kind, conditions)
    heard = []
    exports.run_export(export.id, settings, report=heard.append)
    db.session.commit()
    path = exports.file_path(export, settings)
    assert values(path.read_bytes()) == values(instant)
    assert (export.status, export.progress, export.row_count) == ("done", 100, written)
    assert written == (4 if kind == "enterprises" and not ticked else 3)
    assert heard == sorted(heard) and heard[-1] == 100  # each new percent, once, in order
    assert export.expires_at == export.finished_at + timedelta(hours=24)


def test_a_job_delivered_twice_does_nothing_the_second_time(three, users, settings):
    export = requested(users["staff"])
    exports.run_export(export.id, settings)
    db.session.commit()
    path = exports.file_path(export, settings)
    os.utime(path, (1, 1))
    finished = export.finished_at
    assert exports.run_export(export.id, settings).finished_at == finished
    assert path.stat().st_mtime == 1  # not written again
    assert exports.run_export(999999, settings) is None


def test_a_failed_job_marks_the_export_failed_and_says_so_in_chinese(three, users, settings, tmp_path):
    export = requested(users["staff"])
    blocked = replace(settings, instance_path=tmp_path)
    blocked.files_dir.mkdir()
    (blocked.files_dir / "exports").write_text("a file where the folder should be")
    with pytest.raises(OSError):
        exports.run_export(export.id, blocked)
    db.session.expire_all()
    assert export.status == "failed" and "Error" in export.error  # the reason, for the administrator
    state = exports.state(export)
    assert state["status"] == "failed" and "请重新导出" in state["error"]
    assert exports.file_path(export, settings) is None and not exports.expired(export)


def test_formulas_stay_text_in_a_streamed_export(app, users, settings):
    factories.project(name=LINK, description="@SUM(1,2)", sector=factories.sector("biomed"))
    factories.enterprise(name=LINK, short_name="-2+3")
    for kind in ("projects", "enterprises"):
        export = requested(users["staff"], kind, {"filters": {}})
        exports.run_export(export.id, settings)
        db.session.commit()
        assert_text_only(exports.file_path(export, settings).read_bytes(), (LINK,))


def test_an_export_expires_after_a_day_and_cleanup_removes_its_file(app, users, settings):
    now = datetime(2026, 12, 7, 12, 0)
    old = factories.sheet_export(users["staff"], finished_at=now - timedelta(hours=25))
    fresh = factories.sheet_export(users["staff"], finished_at=now - timedelta(hours=1))
    assert exports.expired(old, now) and not exports.expired(fresh, now)
    folder = exports.export_dir(settings)
    stray = folder / "projects-999.xlsx.part"  # left by a killed job
    stray.write_bytes(b"partial")
    stale = (now - timedelta(days=3)).timestamp() + 8 * 3600
    os.utime(stray, (stale, stale))
    old_file, fresh_file = folder / old.file_name, folder / fresh.file_name

    assert exports.cleanup(settings, now) == 2
    db.session.commit()
    assert not old_file.exists() and not stray.exists() and fresh_file.exists()
    assert old.file_name is None and fresh.file_name is not None
    assert exports.expired(old) and exports.file_path(old, settings) is None
    assert exports.cleanup(settings, now) == 0


def test_junk_filters_are_ignored_like_the_list_page_ignores_them(three):
    junk = {"filters": {"sector": "abc", "stage": "<script>", "owner": "-1", "q": "", "nope": "x"}}
    assert exports.count("projects", junk) == 3
