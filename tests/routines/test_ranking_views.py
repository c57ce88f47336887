"""季度晾晒 pages: live (provisional) vs frozen quarters, the 封存 button, weights, Excel, print."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import RankingSnapshot, RoutineSettings
from tests import factories


@pytest.fixture
def led(app):
    dept = factories.department("农业农村局")
    project = factories.project(lead_department=dept)
    factories.progress_report(project, month=date(2026, 10, 1))  # on time
    return dept


def test_current_quarter_is_provisional_and_past_one_is_frozen_on_first_view(client, login, led):
    login("leader")
    html = client.get("/routines/ranking").get_data(as_text=True)
    assert 'id="provisional"' in html and "农业农村局" in html
    # The print styles live in a style sheet (the Content-Security-Policy allows no <style> block).
    assert '/static/css/ranking.css' in html
    sheet = client.get("/static/css/ranking.css")
    assert "@media print" in sheet.get_data(as_text=True)
    sheet.close()
    assert db.session.query(RankingSnapshot).count() == 0
    html = client.get("/routines/ranking?quarter=2026-Q3").get_data(as_text=True)
    assert 'id="frozen"' in html
    assert db.session.query(RankingSnapshot).filter_by(quarter="2026-Q3").count() == 1


def test_weights_and_thresholds_are_shown(client, login, led):
    login("officer")
    html = client.get("/routines/ranking").get_data(as_text=True)
    assert "报送及时率 × 40%" in html and "绿 ≥ 85" in html and "黄 ≥ 60" in html


def test_future_and_malformed_quarters_are_404(client, login):
    login("staff")
    for quarter in ("2027-Q1", "2026-Q9", "junk", "2019-Q1"):
        assert client.get(f"/routines/ranking?quarter={quarter}").status_code == 404


def test_admin_freezes_last_quarter_from_the_current_page(client, login, led):
    login("admin")
    html = client.get("/routines/ranking").get_data(as_text=True)
    assert "上季度（2026年第三季度）的晾晒结果尚未封存" in html
    assert client.post("/routines/ranking/freeze?quarter=2026-Q3").status_code == 302
    snapshot = db.session.query(RankingSnapshot).one()
    assert (snapshot.quarter, snapshot.frozen_by_id, snapshot.w_timeliness) == ("2026-Q3", 1, 40)
    assert "尚未封存" not in client.get("/routines/ranking").get_data(as_text=True)
    client.post("/routines/ranking/freeze?quarter=2026-Q4")  # unfinished: refused
    assert db.session.query(RankingSnapshot).count() == 1


def test_weights_must_sum_to_100(client, login):
    login("admin")
    data = {"w_timeliness": "50", "w_problems": "30", "w_stage": "30", "green_min": "85", "yellow_min": "60",
            "report_due_day": "5", "problem_deadline_days": "30"}
    resp = client.post("/routines/ranking/weights", data=data)
    assert resp.status_code == 200 and "三项权重之和必须等于 100" in resp.get_data(as_text=True)
    assert db.session.get(RoutineSettings, 1) is None
    assert client.post("/routines/ranking/weights", data={**data, "w_timeliness": "40", "report_due_day": "8"}
                       ).status_code == 302
    assert db.session.get(RoutineSettings, 1).report_due_day == 8


def test_ranking_xlsx_opens_with_the_lines(client, login, led):
    login("staff")
    resp = client.get("/routines/ranking.xlsx?quarter=2026-Q4")
    ws = load_workbook(BytesIO(resp.data)).active
    assert ws["A1"].value == "绥芬河市生物经济重点工作2026年第4季度晾晒表（暂定）"
    assert ws["B3"].value == "部门"
    assert [ws.cell(row=4, column=c).value for c in (1, 2, 3, 4, 5)] == [1, "农业农村局", 2, 1, 0.5]  # Nov missing
    assert ws.cell(row=4, column=5).number_format == "0.0%"


@pytest.mark.parametrize("url", ["/routines/ranking", "/routines/ranking?quarter=2026-Q3",
                                 "/routines/ranking.xlsx"])
def test_ranking_pages_run_a_constant_number_of_statements(client, login, page_statements, url):
    login("admin")

    def count(n):
        for _ in range(n):
            project = factories.project(lead_department=factories.department())
            factories.progress_report(project, month=date(2026, 10, 1), commit=False)
            factories.problem(project, deadline=date(2026, 11, 1), commit=False)
        db.session.query(RankingSnapshot).delete()
        db.session.commit()
        db.session.expire_all()
        client.get(url)  # a first view of a finished quarter freezes it; count the views after
        return page_statements(client, url)

    few = count(3)
    assert count(40) == few


def test_english_rankings_name_departments_in_english_and_freeze_chinese_names(client, login, led):
    led.name_en = "Agriculture and Rural Affairs Bureau"
    db.session.commit()
    login("leader")
    client.get("/lang/en")
    for url in ("/routines/ranking", "/routines/ranking?quarter=2026-Q3"):  # live, then frozen
        html = client.get(url).get_data(as_text=True)
        assert "<td>Agriculture and Rural Affairs Bureau</td>" in html and "农业农村局" not in html, url
    assert [row.department_name for row in db.session.query(RankingSnapshot).one().rows] == ["农业农村局"]
    ws = load_workbook(BytesIO(client.get("/routines/ranking.xlsx?quarter=2026-Q3").data)).active
    assert ws.cell(row=4, column=2).value == "Agriculture and Rural Affairs Bureau"  # as the English headers


def test_a_frozen_line_keeps_its_name_when_the_department_has_no_english_one(client, login, led):
    login("leader")
    client.get("/routines/ranking?quarter=2026-Q3")  # frozen as 农业农村局
    led.name = "农业农村局（新）"
    db.session.commit()
    client.get("/lang/en")
    assert "<td>农业农村局</td>" in client.get("/routines/ranking?quarter=2026-Q3").get_data(as_text=True)
