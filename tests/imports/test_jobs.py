"""A large sheet is checked, and applied, by a background job with a progress bar; a small one
keeps the instant path.  A job delivered twice does nothing; a failed one writes nothing and
says so in Chinese.  A real RQ worker runs both jobs."""
from __future__ import annotations

from dataclasses import replace

import pytest

from crm.extensions import db
from crm.models import Enterprise, OutboxMessage
from crm.models.imports import SheetImport
from crm.services.sheets import imports
from tests import factories
from tests.conftest import run_worker
from tests.imports import upload
from tests.services.sheets.test_enterprise_sheets import sheet
from workers.jobs import execute_row

HEADERS = ["编号", "企业名称", "简称"]


@pytest.fixture
def small_threshold(app, settings, monkeypatch):
    """Sheets of more than three rows (title and headers included) are checked by a job."""
    monkeypatch.setitem(app.extensions, "settings", replace(settings, IMPORT_JOB_ROWS=3))


def firms(n: int):
    return sheet([[None, f"作业导入企业{i}", f"简{i}"] for i in range(n)], headers=HEADERS)


def run_pending():
    """Run every pending outbox row as workers.jobs.run_outbox does, inside its context."""
    for message in db.session.query(OutboxMessage).filter(OutboxMessage.done_at.is_(None)).all():
        execute_row(message.id)
        db.session.commit()


def test_the_sheets_rows_with_cells_are_counted_up_to_the_threshold(app):
    assert imports.sheet_rows(firms(5).getvalue(), 100) == 7  # title, headers, five firms
    assert imports.sheet_rows(firms(50).getvalue(), 10) > 10  # more than the threshold: the job
    assert imports.sheet_rows(b"not a zip", 100) == 0


def test_a_small_sheet_is_still_checked_at_once(client, login, users):
    login("staff")
    preview = upload(client, "/enterprises/import", firms(2))
    assert "确认导入" in preview.get_data(as_text=True)
    assert SheetImport.query.one().status == "ready" and OutboxMessage.query.count() == 0


def test_a_large_sheet_is_checked_then_applied_by_jobs_with_a_progress_page(client, login, users, small_threshold,
                                                                            redis):  # emptied of earlier jobs
    login("staff")
    page = upload(client, "/enterprises/import", firms(4), "大表.xlsx")
    record = SheetImport.query.one()
    html = page.get_data(as_text=True)
    assert record.status == "checking" and "正在检查表格…" in html and "js/job_progress.js" in html
    assert "确认导入" not in html
    assert client.get(f"/imports/{record.id}/status").get_json() == {
        "status": "running", "progress": 0, "error": None, "next_url": None}

    run_pending()
    db.session.refresh(record)
    assert (record.status, record.created_count, record.progress) == ("ready", 4, 100)
    assert Enterprise.query.count() == 0  # the check wrote nothing
    state = client.get(f"/imports/{record.id}/status").get_json()
    assert state["status"] == "done" and state["next_url"] == f"/imports/{record.id}"

    resp = client.post(f"/imports/{record.id}/apply")
    assert resp.status_code == 302 and resp.location.endswith(f"/imports/{record.id}")
    db.session.refresh(record)
    assert record.status == "applying" and "正在导入…" in client.get(resp.location).get_data(as_text=True)
    assert Enterprise.query.count() == 0
    run_pending()
    db.session.expire_all()
    assert db.session.get(SheetImport, record.id).status == "applied" and Enterprise.query.count() == 4
    assert "已于" in client.get(f"/imports/{record.id}").get_data(as_text=True)


def test_an_import_job_delivered_twice_does_nothing_the_second_time(app, users, small_threshold):
    record = imports.request_check(users["staff"], "enterprises", "大表.xlsx", firms(4).getvalue())
    db.session.commit()
    imports.run_check(record.id)
    db.session.commit()
    imports.request_apply(users["staff"], record)
    db.session.commit()
    imports.run_apply(record.id)
    db.session.commit()
    imports.run_apply(record.id)  # delivered again
    imports.run_check(record.id)
    db.session.commit()
    assert Enterprise.query.count() == 4 and record.status == "applied"


def test_a_failed_import_job_writes_nothing_and_says_so_in_chinese(client, login, users, small_threshold, redis):
    login("staff")
    upload(client, "/enterprises/import", firms(4))
    record = SheetImport.query.one()
    imports.file_path(record).unlink()  # the stored sheet is gone: the job cannot read it
    with pytest.raises(OSError):
        run_pending()
    db.session.expire_all()
    record = db.session.get(SheetImport, record.id)
    assert record.status == "failed" and "Error" in record.error and Enterprise.query.count() == 0
    state = client.get(f"/imports/{record.id}/status").get_json()
    assert state["status"] == "failed" and "什么也没有写入" in state["error"]
    assert "什么也没有写入" in client.get(f"/imports/{record.id}").get_data(as_text=True)


def test_another_staff_member_cannot_see_an_import_jobs_status(client, login, users, small_threshold):
    record = imports.request_check(users["staff"], "enterprises", "大表.xlsx", firms(4).getvalue())
    db.session.commit()
    login(factories.user("staff", username="another_importer"))
    assert client.get(f"/imports/{record.id}/status").status_code == 404


def test_a_real_rq_worker_checks_a_large_sheet(client, login, users, redis, worker_env, small_threshold):
    login("staff")
    upload(client, "/enterprises/import", firms(4))
    result = run_worker(worker_env)
    assert result.returncode == 0, result.stderr[-2000:]
    record = SheetImport.query.one()
    db.session.refresh(record)
    assert (record.status, record.created_count) == ("ready", 4), result.stderr[-2000:]
