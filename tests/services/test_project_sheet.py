"""The project list as an Excel sheet: the list's filters, its order, amounts and dates Excel can use."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from crm.models import Project
from crm.services import project_sheet
from crm.services import projects as svc
from tests import factories

NOW = datetime(2026, 12, 3, 9, 0)


@pytest.fixture
def refs(app, users):
    return factories.project_refs() | {"leader": users["leader"]}


def rows(data: bytes) -> list[dict]:
    ws = load_workbook(BytesIO(data)).worksheets[0]
    headers = [c.value for c in ws[3]]
    return [dict(zip(headers, (c for c in row))) for row in ws.iter_rows(min_row=4)]


def test_the_sheet_holds_the_filtered_projects_newest_first_with_milestones(refs):
    older = factories.project(name="中药材种植加工项目", stage="signed", sector=refs["sector"], park=refs["park"],
                              lead_department=refs["dept"], departments=[refs["dept"], refs["other"]],
                              task_force=refs["tf"], liaison_leader=refs["leader"], is_key=True, key_level="city",
                              total_investment=Decimal("12000.50"), contacted_on=date(2026, 3, 2),
                              signed_on=date(2026, 6, 18), signed_amount=Decimal("9000"))
    newer = factories.project(name="口腔器材生产基地项目", stage="signed", in_pool=False)
    factories.project(name="谋划中的项目", stage="planned")
    data, count, cut = project_sheet.export(svc.project_filters({"stage": "signed"}), NOW)
    got = rows(data)
    assert (count, cut) == (2, False) and [r["编号"].value for r in got] == [newer.id, older.id]
    row = got[1]
    assert (row["项目名称"].value, row["阶段"].value, row["园区"].value, row["责任部门"].value) == (
        "中药材种植加工项目", "签约", "综保区", "工信科局、农业农村局")
    assert (row["重点级别"].value, row["在储备库"].value, got[0]["在储备库"].value) == ("市级重点", "是", "否")
    assert row["总投资（万元）"].value == 12000.5 and row["总投资（万元）"].number_format == "#,##0.00"
    assert row["签约日期"].value.date() == date(2026, 6, 18) and row["签约日期"].number_format == "yyyy-mm-dd"
    assert row["包联领导"].value == refs["leader"].display_name


def test_the_sheet_speaks_the_ui_language(refs):
    factories.project(name="饲料加工项目", name_en="Feed Processing Project", stage="planned")
    with force_locale("en"):
        data, _count, _cut = project_sheet.export([], NOW)
    row = rows(data)[0]
    assert row["Project name"].value == "Feed Processing Project" and row["Stage"].value == "Planning"


def test_a_sheet_over_the_limit_says_it_was_cut(refs, monkeypatch):
    monkeypatch.setattr(project_sheet, "MAX_EXPORT", 2)
    for _n in range(3):
        factories.project()
    data, count, cut = project_sheet.export([], NOW)
    assert (count, cut) == (2, True) and len(rows(data)) == 2 and Project.query.count() == 3
    assert "只导出前 2 个" in load_workbook(BytesIO(data)).worksheets[0]["A2"].value
