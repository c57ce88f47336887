"""NUL and the other C0 control characters in any text a browser sends: PostgreSQL refused NUL
with an HTTP 500 and SQLite stored it.  The request layer drops them from every form field and
every query-string filter (crm/web/input_text.py); tab, line feed and carriage return stay."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise, Interaction, Project
from tests import factories
from tests.enterprises.test_views import form as enterprise_form
from tests.interactions.test_views import form as interaction_form

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DIRT = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f"


def dirty(text: str) -> str:
    """`text` with every refused control character after its first character."""
    return text[0] + DIRT + text[1:]


def text_columns(model):
    return [c.name for c in model.__table__.columns if isinstance(c.type, sa.String)]


def assert_clean(model) -> None:
    """No text column of any `model` row holds a control character (but \\t \\n \\r)."""
    db.session.expire_all()
    for row in model.query.all():
        for name in text_columns(model):
            value = getattr(row, name)
            assert not (isinstance(value, str) and CONTROL.search(value)), (model.__name__, name, value)


def test_the_login_before_any_session_takes_a_nul_without_a_500(client, users):
    resp = client.post("/auth/login", data={"username": dirty(users["staff"].username), "password": "x\x00y"})
    assert resp.status_code == 200 and "用户名或密码" in resp.get_data(as_text=True)
    resp = client.post("/auth/login", data={"username": dirty(users["staff"].username),
                                            "password": factories.PASSWORD})
    assert resp.status_code == 302  # the username without its control characters


@pytest.mark.parametrize("url", ["/projects/?q=", "/enterprises/?q=", "/enterprises/lookup?q=",
                                 "/interactions/lookup?q=", "/pipeline/?q=", "/routines/problems/projects?q=",
                                 "/routines/problems?status=", "/projects/export.xlsx?q=",
                                 "/enterprises/export.xlsx?q=", "/admin/liaison?q="])
def test_a_nul_in_a_query_string_filter_is_no_500(client, login, url):
    login("admin")
    factories.enterprise(name="绥芬河市润宏经贸有限公司")
    resp = client.get(url + "%E7%BB%A5%00%01%1F%E8%8A%AC")
    assert resp.status_code == 200, (url, resp.status_code)


def test_single_line_and_multi_line_fields_are_stored_without_control_characters(client, login):
    login("staff")
    resp = client.post("/enterprises/new", data=enterprise_form(
        name=dirty("绥芬河市润宏经贸有限公司"), short_name=dirty("润宏"), address=dirty("绥芬河市通天路"),
        description="第一行\x00\r\n\t第二行\x1b"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    firm = Enterprise.query.one()
    assert (firm.name, firm.short_name, firm.address) == ("绥芬河市润宏经贸有限公司", "润宏", "绥芬河市通天路")
    assert firm.description == "第一行\r\n\t第二行"  # a textarea keeps its line breaks and tabs
    assert_clean(Enterprise)


def test_a_project_and_a_contact_log_with_nul_everywhere_are_saved_clean(client, login):
    login("staff")
    refs = factories.project_refs()
    data = {key: dirty(value) if isinstance(value, str) and value else value
            for key, value in factories.project_form(refs, notes="备注", site="综保区").items()}
    resp = client.post("/projects/new", data=data)
    assert resp.status_code == 302, re.findall(r'invalid-feedback d-block">(.*?)</div>', resp.get_data(as_text=True))
    assert Project.query.one().name == "对俄中药材进口加工产业园项目"
    assert_clean(Project)
    firm = refs["investor"]
    resp = client.post("/interactions/new", data=interaction_form(
        firm, summary=dirty("来访洽谈中药材加工合作"), our_participants=dirty("刘洋"), next_step="下一步\x00\n跟进"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    log = Interaction.query.one()
    assert (log.summary, log.next_step) == ("来访洽谈中药材加工合作", "下一步\n跟进")
    assert_clean(Interaction)


def test_a_nul_in_every_field_of_the_problem_and_report_forms_is_no_500(client, login):
    login("admin")
    project = factories.project(name="冷链物流中心项目")
    for url, data in ((f"/routines/problems/new?project_id={project.id}",
                       {"project_id": f"{project.id}\x00", "description": dirty("用地报批慢"),
                        "deadline": "2030-01-01\x00"}),
                      ("/admin/users/new", {"username": dirty("zhangsan"), "display_name": dirty("张三"),
                                            "role": "staff\x00", "password": "x\x00" * 8})):
        resp = client.post(url, data=data)
        assert resp.status_code in (200, 302), (url, resp.status_code)
