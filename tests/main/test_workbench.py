"""工作台 `/` per role: what each sees, 完成 and 改期 in place, counts that agree with the linked
pages and the bell, forms that open focused, and a constant number of SQL statements."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from crm.extensions import db
from crm.models import Interaction, Summary, User
from crm.services.workbench.admin import late_key
from tests import factories

TODAY = date(2026, 12, 7)
NOON = datetime(2026, 12, 7, 4, 0)  # naive UTC, 12:00 in Shanghai
OLD = NOON - timedelta(days=90)


@pytest.fixture(autouse=True)
def on_today():
    with time_machine.travel(datetime(2026, 12, 7, 4, 0, tzinfo=UTC), tick=False):
        yield


def section_count(html: str, key: str) -> int:
    block = html[html.index(f'id="wb-{key}"'):]
    return int(re.search(r'wb-count">(\d+)<', block).group(1))


def _staff_items(me, n: int = 1):
    for k in range(n):
        firm = factories.enterprise(owner_id=me.id, created_at=OLD, last_interaction_at=NOON - timedelta(days=30),
                                    commit=False)
        project = factories.project(owner_id=me.id, stage="contact", created_at=OLD, commit=False,
                                    last_interaction_at=NOON - timedelta(days=30))
        factories.interaction(firm, project=project, next_follow_up=TODAY - timedelta(days=k % 3), commit=False,
                              created_by_id=me.id, next_step=f"发送用地资料{k}")
    db.session.commit()


def _officer_items(me, n: int = 1):
    for k in range(n):
        project = factories.project(lead_department_id=me.department_id, stage="signed", created_at=OLD,
                                    last_interaction_at=NOON - timedelta(days=40))
        factories.problem(project, deadline=TODAY - timedelta(days=k % 2))


def _leader_items(me, n: int = 1):
    for _k in range(n):
        project = factories.foreign_project(liaison_leader_id=me.id, stage="contact", created_at=OLD,
                                            last_interaction_at=NOON - timedelta(days=20))
        factories.problem(project, escalation_level=2)
        factories.interaction(project=project, next_follow_up=TODAY - timedelta(days=2))


def _admin_items(me, n: int = 1):
    _officer_items(factories.user("officer", department_obj=factories.department(f"部门{n}")), n)


def test_staff_workbench_lists_follow_ups_quiet_firms_and_stale_projects(client, login, users):
    _staff_items(users["staff"])
    login("staff")
    html = client.get("/").get_data(as_text=True)
    assert "发送用地资料0" in html and "已逾期" not in html and "今天" in html
    assert section_count(html, "follow_ups") == 1
    assert section_count(html, "quiet_enterprises") == 1 and "14 天未联系" in html
    assert section_count(html, "stale_projects") == 1
    shown = " ".join(re.findall(r">([^<]*)<", html.split('id="wb-follow_ups"')[1].split("</section>")[0]))
    assert "12月7日" in shown and "2026-12" not in shown  # dates as readers say them, never ISO


def test_complete_and_reschedule_in_place(client, login, users):
    _staff_items(users["staff"], 2)
    done, later = Interaction.query.order_by(Interaction.id).all()
    login("staff")
    resp = client.post(f"/interactions/{done.id}/done", data={"next": "/"})
    assert resp.status_code == 302 and resp.location.endswith("/")
    resp = client.post(f"/interactions/{later.id}/reschedule", data={"next": "/", "shortcut": "tomorrow"},
                       follow_redirects=True)
    assert "已改期至 12月8日。" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Interaction, done.id).follow_up_done
    assert db.session.get(Interaction, later.id).next_follow_up == date(2026, 12, 8)
    html = client.post(f"/interactions/{later.id}/reschedule", data={"next": "/", "day": "2026-12-01"},
                       follow_redirects=True).get_data(as_text=True)
    assert "新的跟进日期不能早于今天。" in html
    assert db.session.get(Interaction, later.id).next_follow_up == date(2026, 12, 8)
    resp = client.post(f"/interactions/{later.id}/reschedule", data={"next": "/", "day": "2026-12-20"})
    assert resp.status_code == 302 and db.session.get(Interaction, later.id).next_follow_up == date(2026, 12, 20)


def test_officer_workbench_counts_agree_with_the_dispatch_page(client, login, users):
    me = users["officer"]
    _officer_items(me, 2)
    login("officer")
    html = client.get("/").get_data(as_text=True)
    assert section_count(html, "owed_reports") == 2 and "12月5日截止" in html
    assert section_count(html, "open_problems") == 2 and section_count(html, "department_projects") == 2
    link = re.search(r'href="(/routines/dispatch\?[^"]+)"', html).group(1).replace("&amp;", "&")
    dispatch_html = client.get(link).get_data(as_text=True)
    assert re.search(r'id="owed-total">(\d+)<', dispatch_html).group(1) == "2"
    form = client.get(re.search(r'href="(/routines/reports/[^"]+)"', html).group(1)).get_data(as_text=True)
    assert re.search(r'<input[^>]*autofocus[^>]*name="invest_month"|<input[^>]*name="invest_month"[^>]*autofocus', form)


def test_leader_workbench_opens_the_instruction_form_focused(client, login, users):
    _leader_items(users["leader"])
    login("leader")
    html = client.get("/").get_data(as_text=True)
    assert section_count(html, "liaison_projects") == 1 and section_count(html, "escalated_problems") == 1
    assert "标记本周已阅" in html
    target = re.search(r'href="(/leaders/\?instruct=\d+)"', html).group(1)
    page = client.get(target).get_data(as_text=True)
    assert re.search(r"<details[^>]* open>", page) and "autofocus" in page


def test_admin_workbench_shows_late_items_and_health(client, login, users, redis):
    _admin_items(users["admin"], 2)
    login("admin")
    html = client.get("/").get_data(as_text=True)
    assert "部门2" in html and section_count(html, "late_by_department") == 5  # 2 reports, 1 problem, 2 projects
    assert "统计数据更新于 12:00" in html  # the stored counts say when they were counted
    db.session.remove()
    assert db.session.get(Summary, late_key(TODAY)) is not None  # kept: the next request reads them
    assert "联系提醒（每日 07:30）" in html and "尚无记录" in html


@pytest.mark.parametrize("role, make", [("staff", _staff_items), ("officer", _officer_items),
                                        ("leader", _leader_items), ("admin", _admin_items)])
def test_each_workbench_runs_the_same_statements_for_little_or_much_data(client, login, users, redis,
                                                                         page_statements, role, make):
    uid = login(role).id
    make(users[role], 1)
    small = page_statements(client, "/", fresh=True)
    make(db.session.get(User, uid), 12)  # the first count emptied the session
    assert page_statements(client, "/", fresh=True) == small


def test_the_bell_counts_what_the_unread_list_shows(client, login, users):
    for k in range(5):
        factories.notification(users["staff"], title=f"提醒{k}")
    factories.notification(users["staff"], title="已读", read_at=datetime(2026, 12, 1))
    login("staff")
    home = client.get("/").get_data(as_text=True)
    unread = client.get("/notifications/?unread=1").get_data(as_text=True)
    shown = len(re.findall(r"提醒\d", unread))
    assert re.search(r'data-unread="(\d+)"', home).group(1) == str(shown) == "5"


def test_quick_form_focuses_the_first_empty_field_and_offers_date_shortcuts(client, login, users):
    firm = factories.enterprise()
    login("staff")
    blank = client.get("/interactions/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*autofocus[^>]*name="enterprise"|<input[^>]*name="enterprise"[^>]*autofocus', blank)
    assert 'data-follow-up="2026-12-08"' in blank and 'data-follow-up="2026-12-14"' in blank
    prefilled = client.get(f"/interactions/new?enterprise_id={firm.id}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*autofocus[^>]*name="summary"|<textarea[^>]*name="summary"[^>]*autofocus', prefilled)
    assert not re.search(r'<input[^>]*name="enterprise"[^>]*autofocus', prefilled)


def test_the_admin_workbench_says_so_when_redis_is_down(client, login, users, redis, redis_server):
    login("admin")
    redis_server.stop()  # the `redis` fixture starts it again after the test
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "任务队列（Redis）暂时无法连接" in html
    assert section_count(html, "system_health") == 1
