"""Amounts bounded by what their Numeric column holds, dates by a sensible range: a clear
message and nothing saved, never decimal.Overflow (an HTTP 500), never a year 1 or 9999."""
from __future__ import annotations

from datetime import date

import pytest

from crm.models import Project, StageEvent
from tests import factories
from tests.services.sheets.test_project_sheet import HEADERS, STAGE_HEADERS, project_sheet_file

HUGE = ("1e999999999", "9" * 40, "1E+13", "-1e999999999", "1e-999999999")


@pytest.fixture
def refs(app):
    return factories.project_refs()


def import_projects(client, stream):
    from tests.imports import upload
    return upload(client, "/projects/import", stream, "项目.xlsx")


@pytest.mark.parametrize("field", ["total_investment", "fixed_investment", "land_mu", "land_m2"])
@pytest.mark.parametrize("value", HUGE)
def test_an_absurd_project_amount_gets_a_message(client, login, refs, field, value):
    login("staff")
    resp = client.post("/projects/new", data=factories.project_form(refs, **{field: value}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert any(words in html for words in ("数值过大：最大为", "不能为负数", "最多保留两位小数")), html[-3000:]
    assert Project.query.count() == 0


def test_the_largest_amount_a_column_holds_is_accepted_and_one_more_is_not(client, login, refs):
    login("staff")
    too_big = client.post("/projects/new", data=factories.project_form(refs, fixed_investment="", land_mu="1e10"))
    assert "数值过大：最大为 9,999,999,999.99" in too_big.get_data(as_text=True)
    resp = client.post("/projects/new", data=factories.project_form(refs, fixed_investment="",
                                                                   total_investment="999999999999.99"))
    assert resp.status_code == 302
    assert str(Project.query.one().total_investment) == "999999999999.99"


@pytest.mark.parametrize("value", HUGE[:3])
def test_an_absurd_contract_amount_gets_a_message(client, login, refs, value):
    login("staff")
    project = factories.project(sector=refs["sector"], stage="contact", contacted_on=date(2025, 1, 5))
    resp = client.post(f"/projects/{project.id}/stage", data=factories.stage_post(
        to_stage="signed", occurred_on="2025-02-05", contract_amount=value), content_type="multipart/form-data",
        follow_redirects=True)
    assert resp.status_code == 200 and "数值过大：最大为" in resp.get_data(as_text=True)
    assert StageEvent.query.filter_by(to_stage="signed").count() == 0


@pytest.mark.parametrize("value", HUGE[:3])
def test_an_absurd_amount_in_the_project_import_gets_a_message(client, login, refs, value):
    login("staff")
    rows = [["中药材种植加工项目", "生物医药", "签约", "2025-03-02", "2025-06-18", value, None, None]]
    resp = import_projects(client, project_sheet_file(rows, STAGE_HEADERS))
    assert resp.status_code == 200 and "数值过大：最大为" in resp.get_data(as_text=True)
    assert Project.query.count() == 0


@pytest.mark.parametrize("value", HUGE[:3])
def test_an_absurd_total_investment_in_the_project_import_gets_a_message(client, login, refs, value):
    login("staff")
    rows = [[1, "对俄木材深加工项目", "生物医药", "谋划", value] + [None] * 7]
    resp = import_projects(client, project_sheet_file(rows, HEADERS))
    assert resp.status_code == 200 and "数值过大：最大为" in resp.get_data(as_text=True)
    assert Project.query.count() == 0


# --- dates ---------------------------------------------------------------------------------

ABSURD_DATES = ("0001-01-01", "1899-12-31", "9999-12-31")


def range_message(html: str) -> bool:
    return "日期应在 2000-01-01 至" in html


@pytest.mark.parametrize("value", ABSURD_DATES)
def test_an_absurd_stage_date_is_refused_with_the_range(client, login, refs, value):
    login("staff")
    project = factories.project(sector=refs["sector"])
    resp = client.post(f"/projects/{project.id}/stage", data={"to_stage": "contact", "occurred_on": value},
                       follow_redirects=True)
    assert resp.status_code == 200 and range_message(resp.get_data(as_text=True))
    assert StageEvent.query.count() == 0


@pytest.mark.parametrize("value", ABSURD_DATES)
def test_an_absurd_follow_up_date_is_refused_with_the_range(client, login, value):
    from crm.models import Interaction
    from tests.interactions.test_views import form
    login("staff")
    firm = factories.enterprise()
    resp = client.post("/interactions/new", data=form(firm, next_follow_up=value))
    assert resp.status_code == 200 and range_message(resp.get_data(as_text=True))
    assert Interaction.query.count() == 0


@pytest.mark.parametrize("value", ABSURD_DATES)
def test_an_absurd_problem_deadline_or_resolution_date_is_refused_with_the_range(client, login, users, value):
    from crm.models import Problem
    project = factories.project(lead_department=users["officer"].department)
    login("officer")
    resp = client.post(f"/routines/problems/new?project_id={project.id}", data={
        "project_id": project.id, "department_id": users["officer"].department_id, "description": "环评未批复",
        "deadline": value})
    assert resp.status_code == 200 and range_message(resp.get_data(as_text=True))
    assert Problem.query.count() == 0
    problem = factories.problem(project)
    resp = client.post(f"/routines/problems/{problem.id}/resolve", data={"resolution": "已解决", "resolved_on": value})
    assert resp.status_code == 200 and range_message(resp.get_data(as_text=True))
    assert Problem.query.one().status == "open"


@pytest.mark.parametrize("value", ["0001-01-01", "1899/12/31", "9999年12月31日"])
def test_an_absurd_date_in_the_project_import_is_refused_with_the_range(client, login, refs, value):
    login("staff")
    rows = [["中药材种植加工项目", "生物医药", "洽谈", value, None, None, None, None]]
    resp = import_projects(client, project_sheet_file(rows, STAGE_HEADERS))
    assert resp.status_code == 200 and range_message(resp.get_data(as_text=True))
    assert Project.query.count() == 0


def test_dates_inside_the_range_are_still_accepted(client, login, refs):
    login("staff")
    project = factories.project(sector=refs["sector"])
    resp = client.post(f"/projects/{project.id}/stage", data=factories.stage_post(to_stage="contact",
                                                                                  occurred_on="2000-01-01"),
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    assert StageEvent.query.one().occurred_on == date(2000, 1, 1)
