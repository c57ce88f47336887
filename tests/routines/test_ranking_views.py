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
            "report_due_day": "5", "problem_deadline_days": "30", "rank_method": "wilson", "min_items": "5"}
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
    assert (ws["B3"].value, ws["C3"].value) == ("部门", "事项数 n")
    # n = 2 reports expected + 1 project led, below the default minimum of 5: 样本不足, not ranked.
    assert [ws.cell(row=4, column=c).value for c in (1, 2, 3, 4, 5, 6, 14)] == [
        "—", "农业农村局", 3, 2, 1, 0.5, "样本不足"]  # Nov missing
    assert ws.cell(row=4, column=6).number_format == "0.0%"
    assert "计分方法：威尔逊区间下限（95%）" in ws["A2"].value


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


def _problems_due_in_q3(department, on_time: int, late: int = 0):
    """Problems due in 2026-Q3 owned by `department`, on a project nobody leads."""
    host = factories.project(lead_department=None, in_pool=False)
    for number in range(on_time + late):
        factories.problem(host, department_id=department.id, deadline=date(2026, 8, 31), status="resolved",
                          resolved_on=date(2026, 8, 30) if number < on_time else date(2026, 9, 5),
                          resolution="ok", commit=False)
    db.session.commit()


def _row_of(html, name):
    return next(row for row in html.split("<tr") if f"<td>{name}</td>" in row)


def test_one_item_is_not_ranked_above_fifty_and_the_rules_are_frozen(client, login):
    _problems_due_in_q3(factories.department("市场局"), 1)
    _problems_due_in_q3(factories.department("工信科局"), 45, 5)
    login("admin")
    settings = {"w_timeliness": "40", "w_problems": "30", "w_stage": "30", "green_min": "85", "yellow_min": "60",
                "report_due_day": "5", "problem_deadline_days": "30", "rank_method": "wilson", "min_items": "0"}
    assert client.post("/routines/ranking/weights", data=settings).status_code == 302
    html = client.get("/routines/ranking?quarter=2026-Q3").get_data(as_text=True)  # frozen now
    industry, market = _row_of(html, "工信科局"), _row_of(html, "市场局")
    assert "<td>1</td>" in industry and '<td class="text-end basis">50</td>' in industry and "78.64" in industry
    assert "<td>2</td>" in market and '<td class="text-end basis">1</td>' in market and "20.65" in market
    assert "计分方法：威尔逊区间下限（95%）；不设最少事项数。" in html and "方法与权重随本季度封存。" in html
    # Changed rules apply to live quarters only: the frozen one keeps its method and ranks.
    client.post("/routines/ranking/weights", data={**settings, "rank_method": "raw", "min_items": "5"})
    again = client.get("/routines/ranking?quarter=2026-Q3").get_data(as_text=True)
    assert "<td>1</td>" in _row_of(again, "工信科局") and "不设最少事项数" in again
    db.session.query(RankingSnapshot).delete()
    db.session.commit()
    html = client.get("/routines/ranking?quarter=2026-Q3").get_data(as_text=True)  # frozen anew: raw, min 5
    assert "样本不足" in _row_of(html, "市场局") and "<td>—</td>" in _row_of(html, "市场局")
    assert "事项数 n 少于 5 的部门为“样本不足”" in html
    ws = load_workbook(BytesIO(client.get("/routines/ranking.xlsx?quarter=2026-Q3").data)).active
    rows = {ws.cell(row=r, column=2).value: [ws.cell(row=r, column=c).value for c in (1, 3, 14)] for r in (4, 5)}
    assert rows == {"工信科局": [1, 50, "绿"], "市场局": ["—", 1, "样本不足"]}


def test_the_method_and_minimum_are_checked(client, login):
    login("admin")
    data = {"w_timeliness": "40", "w_problems": "30", "w_stage": "30", "green_min": "85", "yellow_min": "60",
            "report_due_day": "5", "problem_deadline_days": "30", "rank_method": "median", "min_items": "-1"}
    html = client.post("/routines/ranking/weights", data=data).get_data(as_text=True)
    assert "请填写 0–1000 的整数。" in html and "Not a valid choice" not in html
    assert db.session.get(RoutineSettings, 1) is None
