"""The notification list, mark read, and the bell's unread count."""
import re
from datetime import datetime

from crm.extensions import db
from crm.models import Notification
from tests import factories


def bell(html: str) -> str | None:
    match = re.search(r'data-unread="(\d+)"', html)
    return match.group(1) if match else None


def test_the_list_shows_only_my_notifications_escaped_and_the_bell_counts_unread(client, login, users):
    me = users["staff"]
    factories.notification(me, title="跟进到期：<script>alert(1)</script>")
    factories.notification(me, title="项目久未联系：中药材加工", read_at=datetime(2026, 11, 1))
    factories.notification(users["leader"], title="别人的提醒")
    login("staff")
    html = client.get("/notifications/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)" in html and "<script>alert(1)" not in html
    assert "项目久未联系" in html and "别人的提醒" not in html
    assert bell(html) == "1"
    unread = client.get("/notifications/?unread=1").get_data(as_text=True)
    assert "跟进到期" in unread and "项目久未联系" not in unread


def test_mark_read_then_go_to_the_target(client, login, users):
    note = factories.notification(users["staff"], url="/enterprises/42")
    login("staff")
    resp = client.post(f"/notifications/{note.id}/read", data={"go": "1"})
    assert resp.status_code == 302 and resp.location.endswith("/enterprises/42")
    assert db.session.get(Notification, note.id).read_at is not None
    assert bell(client.get("/notifications/").get_data(as_text=True)) is None


def test_a_stored_outside_link_is_never_followed(client, login, users):
    note = factories.notification(users["staff"], url="//evil.example.com/x")
    login("staff")
    resp = client.post(f"/notifications/{note.id}/read", data={"go": "1"})
    assert resp.location.endswith("/notifications/")


def test_someone_elses_notification_is_404_and_stays_unread(client, login, users):
    note = factories.notification(users["leader"])
    login("staff")
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert db.session.get(Notification, note.id).read_at is None


def test_mark_all_read_touches_only_mine(client, login, users):
    for _ in range(3):
        factories.notification(users["staff"])
    other = factories.notification(users["leader"])
    login("staff")
    resp = client.post("/notifications/read-all", follow_redirects=True)
    assert "已将 3 条提醒标为已读" in resp.get_data(as_text=True)
    assert Notification.query.filter_by(user_id=users["staff"].id, read_at=None).count() == 0
    assert db.session.get(Notification, other.id).read_at is None


def test_the_list_runs_the_same_statements_for_3_or_40_notifications(client, login, users, page_statements):
    login("staff")

    def count(n):
        for _ in range(n):
            factories.notification(users["staff"], commit=False)
        db.session.commit()
        return page_statements(client, "/notifications/")
    assert count(3) == count(37)


def test_the_bell_stays_in_the_top_bar_on_phones_from_one_count(client, login, users, statements):
    factories.notification(users["staff"], title="跟进到期")
    login("staff")
    with statements() as counted:
        html = client.get("/notifications/").get_data(as_text=True)
    assert html.count('data-unread="1"') == 2  # one in the bar for phones, one beside the menu for wider screens
    phone_bar = html[html.index('d-flex d-lg-none'):html.index('id="mainnav"')]
    assert 'data-unread="1"' in phone_bar and "记录对接" in phone_bar
    assert sum("FROM notifications" in s and "count(" in s.lower() for s in counted.statements) == 1


def test_a_backlog_of_a_hundred_or_more_shows_99_plus_counted_no_further(client, login, users, statements):
    from crm.services.messaging import notify
    for n in range(notify.BELL_CAP + 20):
        factories.notification(users["staff"], title=f"项目久未联系：第{n}号项目", commit=False)
    db.session.commit()
    login("staff")
    with statements() as counted:
        html = client.get("/").get_data(as_text=True)
    assert bell(html) == "100" and ">99+</span>" in html and "（99+ 条未读）" in html
    count = next(s for s in counted.statements if "FROM notifications" in s and "count(" in s.lower())
    assert "LIMIT" in count.upper()

