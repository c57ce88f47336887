"""The quick "记录对接" form, its lookup, and marking follow-ups done."""
import re
from datetime import date, datetime, timezone

import pytest
import time_machine

from crm.models import Interaction
from tests import factories

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)  # 10:00 in 绥芬河


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def firm(app):
    return factories.enterprise(name="绥芬河市润宏经贸有限公司")


@pytest.fixture
def own_project(app):
    return factories.project(name="中药材种植加工项目", lead_department=factories.department("工信科局"))


@pytest.fixture
def foreign_project(app):
    return factories.project(name="生物质热电联产项目", lead_department=factories.department("农业农村局"))


def form(firm, **kw):
    return {"enterprise": firm.name, "enterprise_id": str(firm.id), "project_id": "", "kind": "visit_in",
            "occurred_at": "2026-11-28T09:30", "summary": "来访洽谈中药材加工合作", "next_follow_up": "2026-12-05"} | kw


def errors(resp) -> str:
    return " ".join(re.findall(r'invalid-feedback d-block">(.*?)</div>', resp.get_data(as_text=True)))


def test_quick_form_logs_a_contact_with_follow_up_and_updates_last_contact(client, login, firm, own_project):
    login("staff")
    resp = client.post("/interactions/new", data=form(firm, project_id=str(own_project.id)))
    assert resp.status_code == 302 and resp.location.endswith(f"/enterprises/{firm.id}")
    i = Interaction.query.one()
    assert (i.occurred_at, i.next_follow_up, i.kind) == (datetime(2026, 11, 28, 1, 30), date(2026, 12, 5), "visit_in")
    assert firm.last_interaction_at == own_project.last_interaction_at == datetime(2026, 11, 28, 1, 30)
    page = client.get(f"/enterprises/{firm.id}").get_data(as_text=True)
    assert "来访洽谈中药材加工合作" in page and "2026-12-05" in page


def test_the_form_opens_with_enterprise_project_and_now_filled_in(client, login, firm, own_project):
    login("staff")
    html = client.get(f"/interactions/new?enterprise_id={firm.id}&project_id={own_project.id}").get_data(as_text=True)
    assert f'value="{firm.name}"' in html and 'value="2026-11-28T10:00"' in html
    assert f'<option selected value="{own_project.id}">' in html


@pytest.mark.parametrize("hidden_id", ["", "junk", str(2**64)])  # 2**64: beyond what SQLite can bind
def test_a_typed_name_is_enough_and_spacing_does_not_matter(client, login, firm, hidden_id):
    login("staff")
    assert client.post("/interactions/new", data=form(firm, enterprise="绥芬河市 润宏经贸（有限）公司",
                                                      enterprise_id=hidden_id)).status_code == 302
    assert Interaction.query.one().enterprise_id == firm.id


def test_an_unknown_enterprise_is_refused(client, login, firm):
    login("staff")
    resp = client.post("/interactions/new", data=form(firm, enterprise="不存在的公司", enterprise_id=str(firm.id)))
    assert resp.status_code == 200 and "未找到该企业" in errors(resp) and Interaction.query.count() == 0


@pytest.mark.parametrize("changes, field_text", [
    ({"occurred_at": "2026-11-28T12:00"}, "晚于当前时间"),
    ({"next_follow_up": "2026-11-27"}, "不能早于对接日期"),
    ({"next_follow_up": "2026-02-30"}, "不是有效的日期"),
    ({"occurred_at": "2026-13-01T09:00"}, "日期与时间"),
    ({"occurred_at": ""}, "请填写对接时间"),
    ({"occurred_at": "1990-01-01T09:00"}, "过早"),
    ({"summary": "  "}, "请填写对接内容"),
    ({"kind": "telepathy"}, "不是有效的选择"),
])
def test_bad_input_is_refused_and_nothing_saved(client, login, firm, changes, field_text):
    login("staff")
    resp = client.post("/interactions/new", data=form(firm, **changes))
    assert resp.status_code == 200 and field_text in errors(resp)
    assert Interaction.query.count() == 0 and firm.last_interaction_at is None


def test_an_officer_cannot_log_about_a_foreign_project(client, login, firm, foreign_project):
    login("officer")
    assert client.get(f"/interactions/new?project_id={foreign_project.id}").status_code == 404
    resp = client.post("/interactions/new", data=form(firm, project_id=str(foreign_project.id)))
    assert resp.status_code == 404 and Interaction.query.count() == 0
    assert foreign_project.name not in client.get("/interactions/new").get_data(as_text=True)


def test_an_officer_logs_about_own_projects_only_and_must_name_one(client, login, firm, own_project):
    login("officer")
    resp = client.post("/interactions/new", data=form(firm))
    assert "须选择本部门" in errors(resp) and Interaction.query.count() == 0
    assert client.post("/interactions/new", data=form(firm, project_id=str(own_project.id))).status_code == 302
    assert Interaction.query.one().project_id == own_project.id


def test_leaders_cannot_log(client, login, firm):
    login("leader")
    assert client.get("/interactions/new").status_code == 403
    assert client.post("/interactions/new", data=form(firm)).status_code == 403


def test_lookup_lists_enterprises_with_the_projects_the_user_may_log_about(client, login, firm, own_project,
                                                                          foreign_project):
    own_project.investors.append(firm)
    factories.interaction(firm, project=foreign_project)
    factories.enterprise(name="安徽丰原集团有限公司")
    login("staff")
    found = client.get("/interactions/lookup?q=绥芬").get_json()["enterprises"]
    assert [e["name"] for e in found] == [firm.name]
    assert {p["name"] for p in found[0]["projects"]} == {own_project.name, foreign_project.name}
    login("officer")
    found = client.get("/interactions/lookup?q=润宏经贸").get_json()["enterprises"]
    assert [p["name"] for p in found[0]["projects"]] == [own_project.name]
    assert client.get("/interactions/lookup?q=").get_json() == {"enterprises": []}


def test_lookup_finds_a_partner_by_its_russian_name_and_says_it(client, login):
    factories.enterprise(name="滨海边疆区农业贸易有限公司", name_en="Primorye Agro LLC", name_ru="ООО «Приморье Агро»")
    login("staff")
    found = client.get("/interactions/lookup?q=Приморье").get_json()["enterprises"]
    assert [(e["name"], e["foreign_names"]) for e in found] == [
        ("滨海边疆区农业贸易有限公司", ["Primorye Agro LLC", "ООО «Приморье Агро»"])]


def test_lookup_escapes_nothing_it_should_not_and_is_json(client, login):
    factories.enterprise(name="<b>绥芬河</b>公司")
    login("staff")
    resp = client.get("/interactions/lookup?q=绥芬")
    assert resp.mimetype == "application/json" and resp.get_json()["enterprises"][0]["name"] == "<b>绥芬河</b>公司"


def test_a_follow_up_is_marked_done(client, login, firm, own_project):
    i = factories.interaction(firm, project=own_project, next_follow_up=date(2026, 11, 27))
    login("officer")
    resp = client.post(f"/interactions/{i.id}/done", data={"next": "/"})
    assert resp.status_code == 302 and resp.location == "/" and i.follow_up_done is True


def test_done_ignores_an_offsite_next_and_hides_foreign_records(client, login, firm, foreign_project):
    i = factories.interaction(firm, project=foreign_project, next_follow_up=date(2026, 11, 27))
    login("officer")
    assert client.post(f"/interactions/{i.id}/done").status_code == 404
    login("staff")
    resp = client.post(f"/interactions/{i.id}/done", data={"next": "//evil.example/"})
    assert resp.location.endswith(f"/enterprises/{firm.id}") and i.follow_up_done is True
