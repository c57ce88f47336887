"""A large list export answers with a job's progress page, then a download kept a day for the
requester and admins; a small one is still the sheet itself.  A real RQ worker builds it."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import OutboxMessage, SheetExport, User
from crm.services.core.clock import utcnow
from crm.services.sheets import exports
from crm.web import XLSX
from tests import factories
from tests.conftest import run_worker


@pytest.fixture
def small_threshold(app, settings, monkeypatch):
    """Exports of more than two rows run as jobs."""
    monkeypatch.setitem(app.extensions, "settings", replace(settings, SHEET_EXPORT_JOB_ROWS=2))


@pytest.fixture
def projects(app):
    sector = factories.sector("biomed")
    return [factories.project(name=f"导出页项目{n}", sector=sector) for n in range(3)]


def names(content: bytes) -> list[str]:
    ws = load_workbook(BytesIO(content)).worksheets[0]
    return [row[1].value for row in ws.iter_rows(min_row=4)]


def test_a_small_export_is_still_the_sheet_at_once(client, login, projects):
    login("staff")
    resp = client.get("/projects/export.xlsx")
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert sorted(names(resp.data)) == sorted(p.name for p in projects)
    assert db.session.query(SheetExport).count() == 0


@pytest.mark.parametrize("url", ["/projects/export.xlsx?sector=abc&stage=<script>&owner=-5&q=%00",
                                 "/enterprises/export.xlsx?sector=x&status=bogus&owner=1e9"])
def test_a_large_export_with_junk_filters_queues_a_job_and_opens_its_progress_page(
        client, login, projects, small_threshold, redis, url):  # redis: emptied of earlier tests' jobs
    for n in range(3):
        factories.enterprise(name=f"导出页企业{n}")
    user = login("staff")
    resp = client.get(url)
    assert resp.status_code == 302
    export = db.session.query(SheetExport).one()
    assert resp.headers["Location"] == f"/exports/{export.id}"
    assert export.requested_by_id == user.id and export.status == "queued"
    assert db.session.query(OutboxMessage).one().payload == {"export_id": export.id}
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "排队中，等待后台任务开始…" in page and "js/job_progress.js" in page
    assert client.get(f"/exports/{export.id}/status").get_json() == {
        "status": "queued", "progress": 0, "error": None, "download_url": None}


def test_the_bulk_export_of_many_ticked_rows_runs_as_a_job(client, login, projects, small_threshold):
    login("staff")
    resp = client.post("/projects/bulk", data={"action": "export", "ids": [str(p.id) for p in projects]})
    export = db.session.query(SheetExport).one()
    assert resp.headers["Location"] == f"/exports/{export.id}"
    assert sorted(export.conditions["ids"]) == sorted(p.id for p in projects)


def test_a_real_rq_worker_builds_the_export_and_the_requester_downloads_it(
        client, login, projects, redis, worker_env, settings, small_threshold):
    login("staff")
    location = client.get("/projects/export.xlsx").headers["Location"]
    result = run_worker(worker_env)
    assert result.returncode == 0, result.stderr[-2000:]
    export = db.session.query(SheetExport).one()
    db.session.refresh(export)
    assert (export.status, export.progress, export.row_count) == ("done", 100, 3), result.stderr[-2000:]
    state = client.get(f"{location}/status").get_json()
    assert state == {"status": "done", "progress": 100, "error": None, "download_url": f"{location}/download"}
    resp = client.get(state["download_url"])
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert "filename*=UTF-8''%E6%8B%9B%E5%95%86%E9%A1%B9%E7%9B%AE%E6%B8%85%E5%8D%95" in resp.headers["Content-Disposition"]
    assert sorted(names(resp.data)) == sorted(p.name for p in projects)
    resp.close()
    assert "下载 Excel 文件" in client.get(location).get_data(as_text=True)


def test_only_the_requester_and_admins_see_an_export(client, login, users):
    export = factories.sheet_export(users["staff"])
    other = factories.user("staff", username="another_staff")
    for who, code in ((other, 404), (users["officer"], 404), (users["admin"], 200), (users["staff"], 200)):
        login(who)
        for suffix in ("", "/status", "/download"):
            assert client.get(f"/exports/{export.id}{suffix}").status_code == code, (who.username, suffix)


def test_an_expired_link_says_so_in_chinese(client, login, users, settings):
    export = factories.sheet_export(users["staff"])
    export.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login("staff")
    resp = client.get(f"/exports/{export.id}/download")
    assert resp.status_code == 410
    assert "导出文件已过期（只保留一天），请回到列表重新导出。" in resp.get_data(as_text=True)
    exports.cleanup(settings)
    db.session.commit()
    assert export.file_name is None
    resp = client.get(f"/exports/{export.id}/download")
    assert resp.status_code == 410 and "导出文件已过期" in resp.get_data(as_text=True)
    assert "导出文件已过期" in client.get(f"/exports/{export.id}").get_data(as_text=True)


def test_an_unfinished_export_download_answers_with_its_progress_page(client, login, users):
    export = factories.sheet_export(users["staff"], content=None)
    login("staff")
    resp = client.get(f"/exports/{export.id}/download")
    assert resp.status_code == 409 and "排队中" in resp.get_data(as_text=True)


def test_the_progress_page_in_english(client, login, users):
    export = factories.sheet_export(users["staff"], content=None)
    login("staff")
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    page = client.get(f"/exports/{export.id}").get_data(as_text=True)
    assert "Export progress" in page and "导出进度" not in page


def test_the_progress_page_runs_a_constant_number_of_statements(client, login, users, page_statements):
    staff = login("staff")
    staff_id = staff.id
    export_id = factories.sheet_export(staff).id
    few = page_statements(client, f"/exports/{export_id}", fresh=True)
    for _n in range(20):
        factories.sheet_export(db.session.get(User, staff_id), row_count=10000)
    assert page_statements(client, f"/exports/{export_id}", fresh=True) == few
