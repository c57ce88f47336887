"""Lost updates: two people edit one record; the second save, made from a form filled before the
first one's, answers 409 with the first person's changes and keeps what the second one typed,
and the first person's save survives.  Over real HTTP on a threaded server."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest

from crm.extensions import db
from crm.models import Project, User
from tests import factories
from tests.reliability.concurrent_http import Browser, at_once, serving


def version_in(page: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    assert match, "the form carries no version"
    return match.group(1) or match.group(2)


def _stored(project_id: int) -> Project:
    db.session.rollback()
    return db.session.get(Project, project_id, populate_existing=True)


def test_a_stale_project_save_answers_409_and_the_first_save_survives(app, users):
    refs = factories.project_refs()
    project_id = factories.project(name="旧项目名称", lead_department=refs["dept"], sector=refs["sector"]).id
    base_form = factories.project_form(refs, name="旧项目名称")
    with serving(app) as base:
        first, second = Browser(base, "staff"), Browser(base, "admin")
        url = f"/projects/{project_id}/edit"
        v1, v2 = version_in(first.get(url)[1]), version_in(second.get(url)[1])
        assert v1 == v2 == "1"
        status, _body = first.post(url, {**base_form, "version": v1, "name": "甲改的项目名称"})
        assert status == 302
        status, body = second.post(url, {**base_form, "version": v2, "notes": "乙写的备注，不能丢"})
        assert status == 409
        page = html.unescape(body)
        assert "其他人已修改了这条记录" in page
        assert "项目名称" in page and "旧项目名称" in page and "甲改的项目名称" in page  # the other's change, named
        assert users["staff"].display_name in page
        assert "乙写的备注，不能丢" in page  # what this person typed is still in the form
        assert _stored(project_id).name == "甲改的项目名称" and _stored(project_id).notes is None
        # Saving the 409 page's form again is a knowing overwrite, from the version it now carries.
        status, _body = second.post(url, {**base_form, "version": version_in(body), "notes": "乙写的备注，不能丢"})
        assert status == 302
    stored = _stored(project_id)
    assert stored.notes == "乙写的备注，不能丢" and stored.version == 3


def test_two_simultaneous_saves_of_one_version_one_wins_and_one_answers_409(app, users):
    refs = factories.project_refs()
    base_form = factories.project_form(refs, name="同时编辑的项目")
    tries, outcomes = 3, []
    with serving(app) as base:
        first, second = Browser(base, "staff"), Browser(base, "admin")
        for _ in range(tries):
            project_id = factories.project(name="同时编辑的项目", lead_department=refs["dept"],
                                           sector=refs["sector"]).id
            url = f"/projects/{project_id}/edit"
            replies = at_once([lambda url=url: first.post(url, {**base_form, "version": "1", "notes": "甲的备注"}),
                               lambda url=url: second.post(url, {**base_form, "version": "1", "notes": "乙的备注"})])
            statuses = [r[0] for r in replies]
            outcomes.append(statuses)
            assert sorted(statuses) == [302, 409], replies
            winner = "甲的备注" if statuses[0] == 302 else "乙的备注"
            stored = _stored(project_id)
            assert stored.notes == winner and stored.version == 2


# --- every record edited through a form: a stale save answers 409 and the first save survives ----

def _enterprise(users):
    from crm.models import Enterprise
    e = factories.enterprise(name="绥芬河润宏经贸有限公司")
    base = {"name": e.name, "country": "中国", "status": "prospect", "role": "target", "sector_id": "", "owner_id": "",
            "source_channel": ""}
    return (f"/enterprises/{e.id}/edit", {**base, "short_name": "甲改的简称"}, {**base, "region": "乙填的地区"},
            lambda: _fresh(Enterprise, e.id).short_name == "甲改的简称", ("简称", "甲改的简称"))


def _contact(users):
    from crm.models import Contact
    c = factories.contact(name="王经理")
    return (f"/enterprises/{c.enterprise_id}/contacts/{c.id}/edit", {"name": "王经理", "title": "甲改的职务"},
            {"name": "王经理", "phone": "0453-3921234", "title": "乙填的职务"},
            lambda: _fresh(Contact, c.id).title == "甲改的职务", ("甲改的职务",))


def _problem(users):
    from crm.models import Problem
    p = factories.problem()
    base = {"department_id": p.department_id, "deadline": "2027-01-15", "status": "in_progress"}
    return (f"/routines/problems/{p.id}/edit", {**base, "description": "甲改的问题描述"},
            {**base, "description": "乙填的问题描述"},
            lambda: _fresh(Problem, p.id).description == "甲改的问题描述", ("问题描述", "甲改的问题描述"))


def _report(users):
    from crm.models import ProgressReport
    r = factories.progress_report(month=date(2026, 11, 1))
    base = {"invest_month": "100", "invest_cumulative": "1000", "funds_in_place": "800"}
    return (f"/routines/reports/{r.project_id}/2026-11", {**base, "progress": "甲写的进展"},
            {**base, "progress": "乙填的进展"},
            lambda: _fresh(ProgressReport, r.id).progress == "甲写的进展", ("甲写的进展",))


def _goal(users):
    from crm.models import Goal
    g = factories.goal(name="生物经济总产值")
    return (f"/dashboard/goals/{g.id}/value", {"value": "6.5", "as_of": "2026-06-30", "source": "甲的数据来源"},
            {"value": "7", "as_of": "2026-07-31", "source": "乙填的数据来源"},
            lambda: _fresh(Goal, g.id).manual_source == "甲的数据来源", ("数据来源", "甲的数据来源"))


def _user(users):
    u = factories.user("staff", display_name="旧姓名")
    base = {"username": u.username, "role": "staff", "department_id": 0, "is_enabled": "y"}
    return (f"/admin/users/{u.id}/edit", {**base, "display_name": "甲改的姓名"},
            {**base, "display_name": "旧姓名", "title": "乙填的职务"},
            lambda: _fresh(User, u.id).display_name == "甲改的姓名", ("姓名", "甲改的姓名"))


def _fresh(model, ident):
    db.session.rollback()
    return db.session.get(model, ident, populate_existing=True)


RECORDS = {"enterprise": _enterprise, "contact": _contact, "problem": _problem, "report": _report, "goal": _goal,
           "user": _user}


def _signed_in(app, username):
    client = app.test_client()
    assert client.post("/auth/login", data={"username": username, "password": factories.PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("record", list(RECORDS))
def test_a_stale_save_answers_409_and_keeps_both_peoples_work(app, users, record):
    url, first_form, second_form, first_survives, shown = RECORDS[record](users)
    first, second = _signed_in(app, "admin"), _signed_in(app, "admin")
    v1 = version_in(first.get(url).get_data(as_text=True))
    v2 = version_in(second.get(url).get_data(as_text=True))
    assert first.post(url, data={**first_form, "version": v1}).status_code == 302
    resp = second.post(url, data={**second_form, "version": v2})
    page = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 409, page[:2000]
    assert "其他人已修改了这条记录" in page and all(text in page for text in shown)
    assert any(value in page for value in second_form.values() if isinstance(value, str) and value.startswith("乙"))
    assert first_survives()
    assert version_in(page) == str(int(v1) + 1)  # saving the 409 page again is a knowing overwrite


def test_a_change_of_the_sharing_departments_alone_makes_an_open_project_form_stale(app, users):
    refs = factories.project_refs()
    project_id = factories.project(name="共享部门项目", lead_department=refs["dept"], sector=refs["sector"]).id
    form = factories.project_form(refs, name="共享部门项目", investor_ids=[], department_ids=[])
    first, second = _signed_in(app, "staff"), _signed_in(app, "admin")
    url = f"/projects/{project_id}/edit"
    v1, v2 = (version_in(c.get(url).get_data(as_text=True)) for c in (first, second))
    assert first.post(url, data={**form, "version": v1, "department_ids": [str(refs["other"].id)]}).status_code == 302
    resp = second.post(url, data={**form, "version": v2, "notes": "乙的备注"})
    assert resp.status_code == 409 and "农业农村局" in resp.get_data(as_text=True)
    assert [d.id for d in _fresh(Project, project_id).departments] == [refs["other"].id]
