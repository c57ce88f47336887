"""每月调度 pages: the month's table, officers' 本部门本月待报, filing and correcting reports,
and the Excel 调度表."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import AuditEvent, ProgressReport
from crm.services.routines import dispatch
from tests import factories

NOV = date(2026, 11, 1)


def test_officer_sees_own_departments_owed_reports_first(client, login, users, agri):
    own = factories.project(name="本部门待报项目", lead_department=users["officer"].department)
    factories.project(name="外部门项目", lead_department=agri)
    login("officer")
    html = client.get("/routines/dispatch").get_data(as_text=True)
    owed = html.split('id="owed"')[1].split("</ul>")[0]
    assert own.name in owed and "外部门项目" not in owed
    assert f"/routines/reports/{own.id}/2026-11" in owed
    assert "外部门项目" in html  # the whole table is still shown


def test_overdue_and_late_are_shown(client, login, agri):
    factories.project(lead_department=agri)
    late = factories.project(lead_department=agri)
    factories.progress_report(late, month=NOV, submitted_at=datetime(2026, 11, 7, 2, 0))
    login("admin")
    html = client.get("/routines/dispatch?month=2026-11").get_data(as_text=True)
    assert "逾期未报 1" in html and "迟报 1" in html


def test_future_and_malformed_months_are_404(client, login):
    login("staff")
    assert client.get("/routines/dispatch?month=2026-12").status_code == 404
    assert client.get("/routines/dispatch?month=abc").status_code == 404
    assert client.get("/routines/reports/1/2026-13").status_code == 404


def test_officer_files_own_report(client, login, users):
    project = factories.project(lead_department=users["officer"].department)
    login("officer")
    resp = client.post(f"/routines/reports/{project.id}/2026-11", data={
        "invest_month": "120.5", "invest_cumulative": "1,120.5", "funds_in_place": "900",
        "progress": "<script>alert(1)</script>主体封顶", "problems_text": "用电指标不足"})
    assert resp.status_code == 302
    report = db.session.query(ProgressReport).one()
    assert (report.month, report.department_id, report.submitted_by_id) == (NOV, project.lead_department_id,
                                                                            users["officer"].id)
    assert report.invest_cumulative == Decimal("1120.50")
    html = client.get(f"/routines/reports/{project.id}/2026-11").get_data(as_text=True)
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "登记到问题台账" in html


def test_officer_cannot_file_for_another_department(client, login, agri):
    project = factories.project(lead_department=agri)
    login("officer")
    assert client.get(f"/routines/reports/{project.id}/2026-11").status_code == 404
    resp = client.post(f"/routines/reports/{project.id}/2026-11", data={
        "invest_month": "1", "invest_cumulative": "1", "funds_in_place": "1"})
    assert resp.status_code == 404
    assert db.session.query(ProgressReport).count() == 0


def test_a_dropping_cumulative_is_refused_with_a_message(client, login, users):
    project = factories.project(lead_department=users["officer"].department)
    factories.progress_report(project, month=date(2026, 10, 1), invest_cumulative=Decimal("1000"),
                              funds_in_place=Decimal("800"))
    login("officer")
    resp = client.post(f"/routines/reports/{project.id}/2026-11", data={
        "invest_month": "10", "invest_cumulative": "900", "funds_in_place": "700"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "1010" in html
    assert db.session.query(ProgressReport).filter_by(month=NOV).count() == 0


def test_bad_numbers_get_a_form_error_not_a_500(client, login, users):
    project = factories.project(lead_department=users["officer"].department)
    login("officer")
    resp = client.post(f"/routines/reports/{project.id}/2026-11", data={
        "invest_month": "abc", "invest_cumulative": "NaN", "funds_in_place": "-3"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请输入有效的金额" in html and "金额不能为负数" in html
    assert db.session.query(ProgressReport).count() == 0


def test_admin_correction_requires_a_reason_and_is_audited(client, login, users):
    report = factories.progress_report(invest_cumulative=Decimal("1000"), funds_in_place=Decimal("800"))
    data = {"invest_month": "100", "invest_cumulative": "950", "funds_in_place": "800", "progress": "", "reason": ""}
    login("admin")
    resp = client.post(f"/routines/reports/{report.id}/correct", data=data)
    assert resp.status_code == 200 and "更正必须填写原因" in resp.get_data(as_text=True)
    resp = client.post(f"/routines/reports/{report.id}/correct", data={**data, "reason": "统计口径调整"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).invest_cumulative == Decimal("950")
    event = db.session.query(AuditEvent).filter_by(object_type="ProgressReport", action="update").one()
    assert (event.note, event.actor_id, event.changes["invest_cumulative"]) == (
        "统计口径调整", users["admin"].id, ["1000.00", "950.00"])
    assert "统计口径调整" in client.get(f"/routines/reports/{report.id}/correct").get_data(as_text=True)


def test_dispatch_xlsx_has_title_columns_subtotals_and_totals(client, login, agri):
    biomed = factories.sector("biomed", column_no=1, column_title="专栏1 生物医药产业项目")
    food = factories.sector("food", column_no=2, column_title="专栏2 生物农业项目")
    p1 = factories.project(name="甲项目", lead_department=agri, sector=biomed, column_no=1, column_seq=1,
                           total_investment=Decimal("5000"), description="建设" * 50)
    factories.project(name="乙项目", lead_department=agri, sector=biomed, column_no=1, column_seq=2,
                           total_investment=Decimal("3000"))
    p3 = factories.project(name="丙项目", lead_department=agri, sector=food, column_no=2, column_seq=1,
                           total_investment=Decimal("2000.5"), stage="started")
    factories.progress_report(p1, month=NOV, invest_month=Decimal("100"), invest_cumulative=Decimal("1000"),
                              funds_in_place=Decimal("800"), progress="设备安装")
    factories.progress_report(p3, month=NOV, invest_month=Decimal("50.25"), invest_cumulative=Decimal("500.25"),
                              funds_in_place=Decimal("300"), problems_text="用地未批")
    login("admin")
    resp = client.get("/routines/dispatch.xlsx?month=2026-11")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(BytesIO(resp.data)).active
    assert ws["A1"].value == "绥芬河市生物经济重点项目2026年11月调度表"
    assert "A1:K1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[3]] == ["序号", "项目名称", "建设内容", "总投资（万元）", "牵头部门", "本月完成投资（万元）",
                                        "累计完成投资（万元）", "到位资金（万元）", "进展情况", "存在问题", "阶段"]
    assert ws.freeze_panes == "C4"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [r[1] for r in rows] == ["甲项目", "乙项目", "专栏1 生物医药产业项目 小计", "丙项目", "专栏2 生物农业项目 小计", "合计"]
    assert rows[0][2].endswith("…") and len(rows[0][2]) == 61
    assert rows[1][8] == "逾期未报" and rows[3][9] == "用地未批" and rows[3][10] == "开工"
    assert rows[2][3:8] == [8000, None, 100, 1000, 800]
    assert rows[5][3:8] == [10000.5, None, 150.25, 1500.25, 1100]
    assert ws.cell(row=9, column=7).number_format == "#,##0.00"
    assert ws.cell(row=4, column=9).alignment.wrap_text and ws.cell(row=4, column=1).border.left.style == "thin"
    # Each distinct style is built once and copied: every row still gets its own kind's style.
    kinds = {4: ("detail", None), 5: ("detail", None), 6: ("subtotal", "00F2F2F2"), 7: ("detail", None),
             8: ("subtotal", "00F2F2F2"), 9: ("total", "00D9E1F2")}
    for row, (kind, fill) in kinds.items():
        for col in range(1, 12):
            cell, money = ws.cell(row=row, column=col), col in (4, 6, 7, 8)
            assert cell.font.bold == (kind != "detail") and cell.border.bottom.style == "thin", (row, col)
            assert (cell.fill.fgColor.rgb if cell.fill.fill_type else None) == fill, (row, col)
            assert cell.number_format == ("#,##0.00" if money else "General"), (row, col)
            aligned = (cell.alignment.horizontal, bool(cell.alignment.wrap_text))
            assert aligned == (("right", False) if money else (None, True)), (row, col)


def test_only_admins_export_the_dispatch_table(client, login):
    login("staff")
    assert client.get("/routines/dispatch.xlsx").status_code == 403


@pytest.mark.parametrize("role,url", [
    ("admin", "/routines/dispatch?month=2026-11"), ("admin", "/routines/dispatch.xlsx?month=2026-11"),
    ("admin", "/routines/dispatch?month=2026-11&status=overdue&page=2"),
    ("leader", "/routines/dispatch?month=2026-11&column=1&page=3"),
    ("officer", "/routines/dispatch?month=2026-11"),
    ("officer", "/routines/dispatch?month=2026-11&department={agri}&status=overdue&page=2"),
])
def test_dispatch_pages_run_a_constant_number_of_statements(client, login, page_statements, agri, monkeypatch, role, url):
    # Small pages and owed card, so the larger month fills several pages and overflows the card.
    monkeypatch.setattr(dispatch, "TABLE_PAGE_SIZE", 5)
    monkeypatch.setattr(dispatch, "OWED_SHOWN", 3)
    user = login(role)
    url = url.format(agri=agri.id)

    def count(n):
        # Each project its own sector, every other one its own department: a lazy load per row shows.
        projects = [factories.project(lead_department=agri if i % 2 else factories.department(),
                                      sector=factories.sector(), column_no=i % 3 or None, commit=False)
                    for i in range(n)]
        projects += factories.many_projects(n, lead_department=user.department or agri)
        db.session.flush()
        for project in projects[: n // 2]:
            factories.progress_report(project, month=NOV, commit=False)
        db.session.commit()
        db.session.expire_all()
        return page_statements(client, url)

    few = count(3)
    assert count(40) == few


def test_the_dispatch_page_and_table_name_projects_departments_and_sectors_in_the_ui_language(client, login, agri):
    agri.name_en = "Agriculture and Rural Affairs Bureau"
    biomed = factories.sector("biomed", name_en="Biomedicine", column_no=1, column_title="专栏1 生物医药产业项目")
    factories.project(name="甲项目", name_en="Project A", description="建设厂房", description_en="Build a plant",
                      lead_department=agri, sector=biomed, column_no=1, column_seq=1)
    login("admin")
    html = client.get("/routines/dispatch?month=2026-11").get_data(as_text=True)
    assert "<td>农业农村局</td>" in html and ">专栏1 生物医药产业项目</th>" in html
    client.get("/lang/en")
    html = client.get("/routines/dispatch?month=2026-11").get_data(as_text=True)
    assert "<td>Agriculture and Rural Affairs Bureau</td>" in html and ">Column 1 · Biomedicine</th>" in html
    ws = load_workbook(BytesIO(client.get("/routines/dispatch.xlsx?month=2026-11").data)).active
    assert [ws.cell(row=row, column=5).value for row in (3, 4)] == ["Lead department",
                                                                     "Agriculture and Rural Affairs Bureau"]
    assert [ws.cell(row=4, column=col).value for col in (2, 3)] == ["Project A", "Build a plant"]
    assert ws.cell(row=5, column=2).value.startswith("Column 1 · Biomedicine")  # the subtotal row


def test_in_english_a_filed_report_offers_edit_and_an_owed_one_report(client, login, agri):
    filed, owed = factories.project(lead_department=agri), factories.project(lead_department=agri)
    factories.progress_report(filed, month=NOV)
    login("admin")
    client.get("/lang/en")
    html = client.get("/routines/dispatch?month=2026-11").get_data(as_text=True)
    assert f"/routines/reports/{filed.id}/2026-11\">Edit</a>" in html
    assert f"/routines/reports/{owed.id}/2026-11\">Report</a>" in html
