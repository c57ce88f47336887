"""The quick "记录对接" form (its project select offers a few projects, never all), its lookup, and marking
follow-ups done."""
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine

from crm.extensions import db
from crm.models import AuditEvent, Enterprise, Interaction
from tests import factories

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 in 绥芬河
NOT_YOURS = "所选项目不存在，或您无权记录该项目的对接。"
LINKED, RECENT = "该企业的关联项目", "我最近对接或负责的项目"


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


class _Options(HTMLParser):
    """The project select's options as (group label or None, value, text, selected)."""

    def __init__(self):
        super().__init__()
        self.rows, self.inside, self.group, self.option = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.inside = attrs.get("name") == "project_id"
        elif self.inside and tag == "optgroup":
            self.group = attrs["label"]
        elif self.inside and tag == "option":
            self.option = [self.group, attrs["value"], "", "selected" in attrs]

    def handle_data(self, data):
        if self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            self.rows.append(tuple(self.option))
            self.option = None
        elif tag == "optgroup":
            self.group = None
        elif tag == "select":
            self.inside = False


def options(resp) -> list[tuple]:
    assert resp.status_code == 200
    parser = _Options()
    parser.feed(resp.get_data(as_text=True))
    return parser.rows



def selected(resp) -> list[str]:
    return [text for _group, _value, text, chosen in options(resp) if chosen]


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
    foreign_project.investors.append(firm)
    db.session.commit()
    login("officer")
    assert client.get(f"/interactions/new?project_id={foreign_project.id}").status_code == 404
    resp = client.post("/interactions/new", data=form(firm, project_id=str(foreign_project.id)))
    assert resp.status_code == 200 and NOT_YOURS in errors(resp) and Interaction.query.count() == 0
    assert foreign_project.name not in resp.get_data(as_text=True)
    assert foreign_project.name not in client.get(f"/interactions/new?enterprise_id={firm.id}").get_data(as_text=True)


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


# --- the project select: a few projects, never all of them ------------------------------------

def test_the_form_lists_no_unrelated_project_and_keeps_its_size_as_projects_grow(client, login, users, firm):
    linked = factories.project(name="俄粮油脂化工厂项目")
    linked.investors.append(firm)
    owned = factories.project(name="木材深加工项目", owner=users["staff"])
    factories.many_projects(5)
    db.session.commit()
    login("staff")
    url = f"/interactions/new?enterprise_id={firm.id}"
    few = client.get(url)
    factories.many_projects(300)
    many = client.get(url)
    assert options(many) == options(few) == [
        (None, "", "—", False), (LINKED, str(linked.id), "俄粮油脂化工厂项目", True),
        (RECENT, str(owned.id), "木材深加工项目", False)]
    assert len(many.get_data()) == len(few.get_data()) and "批量测试项目" not in many.get_data(as_text=True)
    assert len(options(client.get("/interactions/new"))) == 2  # none, and the one the user owns


@pytest.mark.parametrize("role", ["staff", "officer"])
def test_the_form_runs_the_same_statements_at_few_and_many_projects(client, login, users, page_statements, role):
    user_id, owner_id, dept_id = users[role].id, users["staff"].id, users[role].department_id

    def grow(n):  # by ids: counting expunges the session's instances
        firm = factories.enterprise()
        for project in factories.many_projects(n, lead_department_id=dept_id, owner_id=owner_id):
            project.investors.append(firm)
            factories.interaction(firm, project=project, created_by_id=user_id, commit=False)
        db.session.commit()
        return firm.id, project.id

    firm_id, project_id = grow(2)
    login(role)
    urls = ["/interactions/new", f"/interactions/new?enterprise_id={firm_id}&project_id={project_id}"]
    few = [page_statements(client, url, fresh=True) for url in urls]
    firm_id, project_id = grow(60)
    urls[1] = f"/interactions/new?enterprise_id={firm_id}&project_id={project_id}"
    assert [page_statements(client, url, fresh=True) for url in urls] == few


def test_opened_from_an_enterprise_it_offers_the_linked_projects_and_picks_the_first(client, login, firm,
                                                                                     own_project, foreign_project):
    own_project.investors.append(firm)
    factories.interaction(firm, project=foreign_project)  # discussed, not invested: linked too
    other, unrelated = factories.enterprise(), factories.project(name="与本企业无关的项目")
    unrelated.investors.append(other)
    db.session.commit()
    login("staff")
    found = options(client.get(f"/interactions/new?enterprise_id={firm.id}"))
    assert [(group, text, chosen) for group, _value, text, chosen in found] == [
        (None, "—", False), (LINKED, "中药材种植加工项目", True), (LINKED, "生物质热电联产项目", False)]
    login("officer")  # the foreign project is not the officer's to log about
    assert selected(client.get(f"/interactions/new?enterprise_id={firm.id}")) == ["中药材种植加工项目"]
    assert "生物质热电联产项目" not in client.get(f"/interactions/new?enterprise_id={firm.id}").get_data(as_text=True)


def test_opened_from_a_project_it_keeps_that_project_first_and_chosen(client, login, firm, own_project):
    other = factories.project(name="绥芬河木业产业园项目")
    other.investors.append(firm)
    db.session.commit()
    login("officer")
    resp = client.get(f"/interactions/new?project_id={own_project.id}&enterprise_id={firm.id}")
    assert options(resp)[:2] == [(None, "", "—", False), (None, str(own_project.id), "中药材种植加工项目", True)]
    assert client.get("/interactions/new?project_id=999999").status_code == 404


def test_the_users_recent_and_own_projects_are_offered_newest_first_and_capped(client, login, users, firm):
    staff = users["staff"]
    owned = factories.project(name="我负责的项目", owner=staff)
    logged = factories.many_projects(25)
    for days, project in enumerate(logged):
        factories.interaction(firm, project=project, created_by=staff, occurred_at=datetime(2026, 11, 1)
                              + timedelta(days=days), commit=False)
    factories.interaction(firm, project=factories.project(name="同事记录的项目"), created_by=users["admin"])
    login("staff")
    found = options(client.get("/interactions/new"))
    assert [value for _group, value, _text, _chosen in found[1:]] == [str(p.id) for p in reversed(logged[-20:])]
    assert {group for group, *_rest in found[1:]} == {RECENT} and owned.name not in str(found)


def test_a_project_not_offered_but_loggable_is_still_accepted(client, login, firm, own_project):
    login("staff")  # e.g. from the project page: the select offered it as the chosen one
    assert client.post("/interactions/new", data=form(firm, project_id=str(own_project.id))).status_code == 302
    assert Interaction.query.one().project_id == own_project.id


def test_a_linked_project_picked_on_the_form_is_saved(client, login, firm, own_project):
    own_project.investors.append(firm)
    db.session.commit()
    login("officer")
    (linked,) = [value for group, value, _text, _chosen in options(client.get(
        f"/interactions/new?enterprise_id={firm.id}")) if group == LINKED]
    assert client.post("/interactions/new", data=form(firm, project_id=linked)).status_code == 302
    assert Interaction.query.one().project_id == own_project.id and own_project.last_interaction_at is not None


@pytest.mark.parametrize("role, project_id", [("staff", "999999"), ("staff", "abc"), ("staff", str(2**64)),
                                              ("officer", "999999")])
def test_a_missing_project_is_refused_with_a_message(client, login, firm, role, project_id):
    login(role)
    resp = client.post("/interactions/new", data=form(firm, project_id=project_id))
    assert NOT_YOURS in errors(resp) and Interaction.query.count() == 0 and firm.last_interaction_at is None


def test_a_refused_form_is_shown_again_with_the_posted_project_and_the_enterprises_projects(client, login, firm,
                                                                                           own_project):
    linked = factories.project(name="俄粮油脂化工厂项目")
    linked.investors.append(firm)
    db.session.commit()
    login("staff")
    resp = client.post("/interactions/new", data=form(firm, project_id=str(own_project.id), summary=""))
    assert "请填写对接内容" in errors(resp) and Interaction.query.count() == 0
    assert selected(resp) == ["中药材种植加工项目"]
    assert (LINKED, str(linked.id), "俄粮油脂化工厂项目", False) in options(resp)


def test_staff_file_a_new_enterprise_in_place_with_its_credit_code(client, login):
    login("staff")
    code = factories.valid_credit_code()
    data = {"enterprise": "绥芬河市新来的贸易有限公司", "enterprise_id": "", "project_id": "", "kind": "phone",
            "occurred_at": "2026-11-28T09:30", "summary": "首次电话联系"}
    resp = client.post("/interactions/new", data=data)
    assert "勾选下面的“新建”" in errors(resp) and Enterprise.query.count() == 0
    resp = client.post("/interactions/new", data=data | {"create_enterprise": "y", "credit_code": code.lower()})
    firm = Enterprise.query.one()
    assert resp.status_code == 302 and resp.location.endswith(f"/enterprises/{firm.id}")
    assert (firm.name, firm.credit_code) == ("绥芬河市新来的贸易有限公司", code)
    assert Interaction.query.one().enterprise_id == firm.id
    assert AuditEvent.query.filter_by(object_type="Enterprise", object_id=firm.id, action="create").count() == 1


def test_a_new_enterprise_refused_by_the_rules_files_nothing_and_logs_nothing(client, login):
    login("staff")
    taken = factories.enterprise(name="已登记公司", credit_code=factories.valid_credit_code())
    data = {"enterprise": "另一家新公司", "enterprise_id": "", "project_id": "", "kind": "phone",
            "occurred_at": "2026-11-28T09:30", "summary": "首次电话联系", "create_enterprise": "y"}
    resp = client.post("/interactions/new", data=data | {"credit_code": taken.credit_code})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "该统一社会信用代码已登记" in errors(resp)
    assert f'href="/enterprises/{taken.id}"' in html
    resp = client.post("/interactions/new", data=data | {"credit_code": "12345"})
    assert "统一社会信用代码无效" in errors(resp)
    resp = client.post("/interactions/new", data=data | {"enterprise": "（）", "credit_code": ""})
    assert "不能只包含标点" in errors(resp)
    assert Enterprise.query.count() == 1 and Interaction.query.count() == 0


def test_an_officer_cannot_file_an_enterprise_from_the_form(client, login, own_project):
    login("officer")
    data = {"enterprise": "绥芬河市新来的贸易有限公司", "enterprise_id": "", "project_id": str(own_project.id),
            "kind": "phone", "occurred_at": "2026-11-28T09:30", "summary": "首次电话联系", "create_enterprise": "y"}
    resp = client.post("/interactions/new", data=data)
    assert "请联系经合中心" in errors(resp) and Enterprise.query.count() == 0
    assert "create_enterprise" not in client.get("/interactions/new").get_data(as_text=True)
