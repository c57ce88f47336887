"""`flask jobs run|status|relay`: the jobs by hand, without workers.

A contact logged in the web app with a follow-up due today → `jobs run reminders --now …` →
one reminder, one notification, one .eml in the outbox; running again adds nothing.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from crm.extensions import db
from crm.models import Notification, OutboxMessage, Reminder
from crm.services.messaging import mail, outbox
from tests import factories
from workers.cli import register

LOGGED_AT = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)  # 09:30 in 绥芬河


@pytest.fixture
def runner(app):
    register(app)  # as wsgi.py does
    return app.test_cli_runner()


def _log_contact(client, login, firm, follow_up: str):
    # Signed in on the same clock: a session cookie from the (real) future would be refused.
    with time_machine.travel(LOGGED_AT, tick=False):
        login("staff")
        resp = client.post("/interactions/new", data={
            "enterprise": firm.name, "enterprise_id": str(firm.id), "project_id": "", "kind": "phone",
            "occurred_at": "2026-11-28T09:30", "summary": "电话沟通中药材加工合作", "next_follow_up": follow_up})
    assert resp.status_code == 302 and "/enterprises/" in resp.location


def test_jobs_run_reminders_writes_one_reminder_and_one_eml_and_nothing_the_second_time(
        runner, client, login, users, settings, redis):
    staff = users["staff"]
    firm = factories.enterprise(name="绥芬河市润宏经贸有限公司", owner=staff)
    _log_contact(client, login, firm, "2026-11-28")
    before = set(mail.outbox_files(settings))

    first = runner.invoke(args=["jobs", "run", "reminders", "--now", "2026-11-28T07:30"])
    assert first.exit_code == 0, first.output
    assert "'follow_up_due': 1" in first.output
    assert Reminder.query.count() == 1 and Notification.query.count() == 1
    (eml,) = set(mail.outbox_files(settings)) - before
    message = mail.read_message(eml)
    assert message["to"] == f"{staff.display_name} <{staff.email}>"
    assert message["subject"] == "【招商项目管家】跟进到期：绥芬河市润宏经贸有限公司"
    assert "电话沟通中药材加工合作" in message["text"] and "http://crm.test/enterprises/" in message["html"]
    assert OutboxMessage.query.filter_by(job="mail.notification").one().done_at is not None

    again = runner.invoke(args=["jobs", "run", "reminders", "--now", "2026-11-28T18:00"])
    assert again.exit_code == 0 and "'follow_up_due': 0" in again.output
    assert Reminder.query.count() == 1 and set(mail.outbox_files(settings)) - before == {eml}


def test_a_bad_now_is_a_usage_error(runner):
    result = runner.invoke(args=["jobs", "run", "reminders", "--now", "昨天"])
    assert result.exit_code == 2 and "ISO" in result.output


def test_a_mail_that_fails_inline_is_left_for_the_workers(runner, settings, app):
    from dataclasses import replace

    from tests.conftest import _free_port
    staff = factories.user("staff")
    factories.interaction(factories.enterprise(owner=staff), next_follow_up=datetime(2026, 11, 28).date())
    app.extensions["settings"] = replace(settings, SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port())  # nobody listens
    try:
        result = runner.invoke(args=["jobs", "run", "reminders", "--now", "2026-11-28T07:30"])
    finally:
        app.extensions["settings"] = settings
    assert result.exit_code == 0 and "left for the workers" in result.output
    assert Notification.query.count() == 1 and outbox.pending_count() == 1


def test_jobs_status_and_relay_on_the_command_line(runner, redis):
    outbox.enqueue("interactions.logged", interaction_id=1)
    db.session.commit()
    assert "outbox pending: 1" in runner.invoke(args=["jobs", "status"]).output
    assert runner.invoke(args=["jobs", "relay"]).output.strip() == "relayed 1"
    status = runner.invoke(args=["jobs", "status"]).output
    assert "outbox pending: 0" in status and "queue default: 1 queued, 0 failed" in status and "workers: 0" in status
