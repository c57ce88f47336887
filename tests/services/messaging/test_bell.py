"""The bell's unread count kept in Redis: read without SQL, renewed by every write that changes it."""
import re
from datetime import date, datetime

import pytest
from flask import current_app

from crm.extensions import db
from crm.services.messaging import bell, notify
from crm.services.routines import reminders
from tests import factories


@pytest.fixture
def cached(app, redis, monkeypatch):
    """The cache on (the suite counts in SQL so that statement counts do not depend on it)."""
    monkeypatch.setattr(current_app.extensions["settings"], "BELL_CACHE_SECONDS", 60)
    return redis


def shown(client, statements=None) -> tuple[str | None, int]:
    """(the bell's number on the home page, how many COUNTs of notifications the page ran)."""
    if statements is None:
        response, counts = client.get("/"), None
    else:
        with statements() as counted:
            response = client.get("/")
        counts = sum("FROM notifications" in s and "count(" in s.lower() for s in counted.statements)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    match = re.search(r'data-unread="(\d+)"', html)
    return (match.group(1) if match else None), counts


def test_the_next_page_reads_the_count_from_redis_without_sql(client, login, users, statements, cached):
    for _ in range(3):
        factories.notification(users["staff"])
    login("staff")
    assert shown(client, statements) == ("3", 1)
    assert shown(client, statements) == ("3", 0)
    cached.flushdb()  # Redis restarted empty: the next page counts again
    assert shown(client, statements) == ("3", 1)
    assert shown(client, statements) == ("3", 0)


def test_a_notification_committed_by_any_path_shows_on_the_next_page(client, login, users, cached):
    login("staff")
    assert shown(client) == (None, None)
    notify.notify(users["staff"], kind="x", title="新提醒")
    db.session.commit()
    assert shown(client)[0] == "1"
    factories.notification(users["staff"])  # an ORM row written without notify()
    assert shown(client)[0] == "2"


def test_the_reminder_scan_renews_the_count_of_each_reminded_user(client, login, users, cached):
    staff = login("staff")
    assert shown(client)[0] is None
    firm = factories.enterprise(owner=staff)
    factories.interaction(firm, created_by=staff, next_follow_up=date(2026, 11, 28))
    reminders.scan(datetime(2026, 11, 27, 23, 30))
    db.session.commit()
    assert shown(client)[0] == "1"


def test_reading_one_or_all_shows_at_once(client, login, users, cached):
    notes = [factories.notification(users["staff"]) for _ in range(3)]
    login("staff")
    assert shown(client)[0] == "3"
    client.post(f"/notifications/{notes[0].id}/read")
    assert shown(client)[0] == "2"
    client.post("/notifications/read-all")
    assert shown(client)[0] is None


def test_a_write_committed_while_a_page_counts_is_not_hidden_by_its_stored_count(app, users, cached):
    user_id = users["staff"].id

    def count_then_another_worker_writes():
        before = notify.unread_count(user_id)
        factories.notification(users["staff"])  # commits, renewing the user's token
        return before
    assert bell.unread(cached, user_id, count_then_another_worker_writes) == 0
    assert bell.unread(cached, user_id, lambda: notify.unread_count(user_id)) == 1


def test_a_request_that_changed_the_notifications_counts_its_own_rows(app, users, cached):
    user_id = users["staff"].id
    assert bell.unread(cached, user_id, lambda: notify.unread_count(user_id)) == 0
    factories.notification(users["staff"], commit=False)
    db.session.flush()
    assert bell.unread(cached, user_id, lambda: notify.unread_count(user_id)) == 1
    db.session.rollback()
    assert bell.unread(cached, user_id, lambda: notify.unread_count(user_id)) == 0


def test_with_redis_down_the_bell_is_counted_in_sql(client, login, users, statements, cached, redis_server):
    factories.notification(users["staff"])
    login("staff")
    redis_server.stop()
    assert shown(client, statements) == ("1", 1)
    notify.notify(users["staff"], kind="x", title="停机时的提醒")
    db.session.commit()  # the token cannot be renewed: logged, and the page still counts in SQL
    assert shown(client, statements) == ("2", 1)
