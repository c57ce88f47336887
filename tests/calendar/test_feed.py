"""The private .ics feed: a real iCalendar document of exactly the user's open follow-ups,
opened by the secret in its URL alone, which a reset ends at once."""
from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar

from crm.extensions import db
from crm.models import AuditEvent
from tests import factories


def _make_link(client) -> str:
    html = client.post("/calendar/subscription").get_data(as_text=True)
    return re.search(r'id="feed-link">([^<]+)<', html).group(1)


def test_the_feed_holds_exactly_the_users_open_follow_ups(app, client, login, users):
    project = factories.project(name="绥芬河木耳深加工项目")
    firm = factories.enterprise(name="东宁黑木耳集团有限公司")
    mine = factories.interaction(firm, project=project, created_by=users["staff"], next_follow_up=date(2026, 12, 9),
                                 next_step="带样品回访")
    late = factories.interaction(created_by=users["staff"], next_follow_up=date(2026, 11, 2))
    factories.interaction(created_by=users["staff"], next_follow_up=date(2026, 12, 10), follow_up_done=True)
    factories.interaction(created_by=factories.user("staff"), next_follow_up=date(2026, 12, 9))
    login("staff")
    link = _make_link(client)
    assert link.startswith("http://crm.test/calendar/feed/") and link.endswith(".ics")

    anonymous = app.test_client()  # a phone: no session, no cookie
    resp = anonymous.get(link.removeprefix("http://crm.test"))
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    cal = Calendar.from_ical(resp.data)
    events = cal.walk("VEVENT")
    assert sorted(str(e["uid"]) for e in events) == sorted(f"follow-up-{i.id}@crm.test" for i in (mine, late))
    event = next(e for e in events if str(e["uid"]) == f"follow-up-{mine.id}@crm.test")
    assert event.decoded("dtstart") == date(2026, 12, 9) and event.decoded("dtend") == date(2026, 12, 10)
    assert "东宁黑木耳集团有限公司" in str(event["summary"]) and "绥芬河木耳深加工项目" in str(event["summary"])
    description = str(event["description"])
    assert "项目：绥芬河木耳深加工项目" in description and "带样品回访" in description
    assert str(event["url"]) == f"http://crm.test/enterprises/{firm.id}"
    assert str(cal["version"]) == "2.0" and cal["prodid"]


def test_a_reset_link_answers_403_at_once_and_the_reset_is_audited(app, client, login, users):
    login("staff")
    first = _make_link(client).removeprefix("http://crm.test")
    phone = app.test_client()
    assert phone.get(first).status_code == 200
    second = _make_link(client).removeprefix("http://crm.test")
    assert second != first
    assert phone.get(first).status_code == 403
    assert phone.get(second).status_code == 200
    assert phone.get("/calendar/feed/not-the-secret.ics").status_code == 403
    rows = db.session.query(AuditEvent).filter_by(object_type="CalendarFeed").order_by(AuditEvent.id).all()
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].changes["token"] == ["[redacted]", "[redacted]"] and rows[1].actor_id == users["staff"].id
    assert all(first.split("/")[-1].removesuffix(".ics") not in str(r.changes) for r in rows)


def test_a_disabled_users_link_stops_working(app, client, login, users):
    login("staff")
    link = _make_link(client).removeprefix("http://crm.test")
    users["staff"].is_enabled = False
    db.session.commit()
    assert app.test_client().get(link).status_code == 403


def test_the_subscription_page_shows_the_link_once(client, login):
    login("officer")
    assert "生成订阅链接" in client.get("/calendar/subscription").get_data(as_text=True)
    assert 'id="feed-link"' in client.post("/calendar/subscription").get_data(as_text=True)
    again = client.get("/calendar/subscription").get_data(as_text=True)
    assert 'id="feed-link"' not in again and "重置订阅链接" in again
