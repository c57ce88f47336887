"""Amounts bounded by what their Numeric column holds, dates by a sensible range: a clear
message and nothing saved, never decimal.Overflow (an HTTP 500), never a year 1 or 9999."""
from __future__ import annotations

from datetime import date

import pytest

from crm.models import Project, StageEvent
from tests import factories
from tests.services.test_project_sheet import STAGE_HEADERS, project_sheet_file

HUGE = ("1e999999999", "9" * 40, "1E+13", "-1e999999999", "1e-999999999")


@pytest.fixture
def refs(app):
    return factories.project_refs()


def import_projects(client, stream):
    return client.post("/projects/import", data={"file": (stream, "项目.xlsx")}, content_type="multipart/form-data")


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
    resp = client.post(f"/projects/{project.id}/stage", data={"to_stage": "signed", "occurred_on": "2025-02-05",
                                                             "contract_amount": value}, follow_redirects=True)
    assert resp.status_code == 200 and "数值过大：最大为" in resp.get_data(as_text=True)
    assert StageEvent.query.filter_by(to_stage="signed").count() == 0


@pytest.mark.parametrize("value", HUGE[:3])
def test_an_absurd_amount_in_the_project_import_gets_a_message(client, login, refs, value):
    login("staff")
    rows = [["中药材种植加工项目", "生物医药", "签约", "2025-03-02", "2025-06-18", value, None, None]]
    resp = import_projects(client, project_sheet_file(rows, STAGE_HEADERS))
    assert resp.status_code == 200 and "数值过大：最大为" in resp.get_data(as_text=True)
    assert Project.query.count() == 0
