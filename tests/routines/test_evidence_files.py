"""Evidence files on monthly reports and on problems (raising and 销号): kept with the record,
shown on its page, and a refused file refuses the whole filing."""
from __future__ import annotations

import io

from crm.extensions import db
from crm.models import EvidenceFile, Problem, ProgressReport
from tests import factories


def _photo(color="olive"):
    return [(io.BytesIO(factories.png_bytes(color=color)), "现场.png")]


def test_a_monthly_report_keeps_its_site_photo(client, login, users):
    project = factories.project(lead_department=users["officer"].department)
    login("officer")
    resp = client.post(f"/routines/reports/{project.id}/2026-11", content_type="multipart/form-data", data={
        "invest_month": "100", "invest_cumulative": "100", "funds_in_place": "80", "progress": "主体施工",
        "files": _photo(), "file_caption": "11月现场"})
    assert resp.status_code == 302
    report = db.session.query(ProgressReport).one()
    row = EvidenceFile.query.one()
    assert (row.kind, row.report_id, row.project_id, row.caption) == ("report", report.id, project.id, "11月现场")
    html = client.get(f"/routines/reports/{project.id}/2026-11").get_data(as_text=True)
    assert f"/files/{row.id}/thumb" in html


def test_a_refused_file_files_no_report(client, login, users):
    project = factories.project(lead_department=users["officer"].department)
    login("officer")
    resp = client.post(f"/routines/reports/{project.id}/2026-11", content_type="multipart/form-data", data={
        "invest_month": "100", "invest_cumulative": "100", "funds_in_place": "80",
        "files": [(io.BytesIO(b"\x7fELF\x02\x01\x01" + b"\x00" * 60), "照片.jpg")]})
    assert resp.status_code == 200 and "不在允许的类型内" in resp.get_data(as_text=True)
    assert ProgressReport.query.count() == 0 and EvidenceFile.query.count() == 0


def test_a_problem_keeps_files_of_its_raising_and_of_its_closing(client, login, users):
    project = factories.project(lead_department=users["officer"].department)
    login("officer")
    resp = client.post("/routines/problems/new", content_type="multipart/form-data", data={
        "project_id": project.id, "department_id": users["officer"].department_id, "description": "用电指标不足",
        "deadline": "2026-12-15", "files": _photo("maroon")})
    assert resp.status_code == 302
    problem = db.session.query(Problem).one()
    resp = client.post(f"/routines/problems/{problem.id}/resolve", content_type="multipart/form-data", data={
        "resolution": "已接入专线", "resolved_on": "2026-11-10", "files": _photo("lime"), "file_caption": "送电照片"})
    assert resp.status_code == 302
    rows = EvidenceFile.query.order_by(EvidenceFile.id).all()
    assert [(r.kind, r.problem_id) for r in rows] == [("problem", problem.id), ("problem_close", problem.id)]
    html = client.get(f"/routines/problems/{problem.id}/edit").get_data(as_text=True)
    assert all(f"/files/{r.id}/thumb" in html for r in rows)
