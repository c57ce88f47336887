"""An overdue 批示 reminds its unit's officers through the real daily job: the cron's
"reminders.scan" runs in a real RQ worker, writes the reminder and the notification, and the
officer's email goes out through the outbox to a real SMTP server.  Once a day: a second scan
on the same day reminds nobody again."""
from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Notification, Reminder
from crm.services.liaison import instructions
from crm.services.messaging import outbox
from tests import factories
from tests.conftest import run_worker

TODAY = date(2026, 11, 28)


def _scan_in_worker(redis, env) -> None:
    outbox.enqueue("reminders.scan", now=f"{TODAY.isoformat()}T07:30")
    db.session.commit()
    outbox.relay(redis)
    result = run_worker(env)  # the scan, then the mail jobs it queued
    assert result.returncode == 0, result.stderr[-2000:]
    outbox.relay(redis)
    result = run_worker(env)
    assert result.returncode == 0, result.stderr[-2000:]


def test_an_overdue_instruction_reminds_its_units_officers_once(users, redis, smtp_server, worker_env):
    officer, leader = users["officer"], users["leader"]
    bystander = factories.user("officer", department_obj=factories.department("商务局"))
    project = factories.project(name="俄粮油脂化工厂项目", liaison_leader_id=leader.id)
    late = instructions.add_instruction(leader, project, "请工信科局协调铁路专用线接轨。", False,
                                        unit_ids=[officer.department_id], deadline=TODAY - timedelta(days=2),
                                        today=TODAY - timedelta(days=12))
    closed = instructions.add_instruction(leader, project, "已办结的批示。", False, unit_ids=[officer.department_id],
                                          deadline=TODAY - timedelta(days=2), today=TODAY - timedelta(days=12))
    instructions.reply(officer, closed, "已办理。")
    instructions.accept(leader, closed)
    db.session.commit()
    env = dict(worker_env, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port))

    _scan_in_worker(redis, env)
    db.session.expire_all()
    assert db.session.execute(sa.select(Reminder.target_id, Reminder.user_id).where(
        Reminder.reason == "instruction_overdue")).all() == [(late.id, officer.id)]
    note = db.session.scalars(sa.select(Notification).where(Notification.kind == "reminder.instruction_overdue")).one()
    assert note.user_id == officer.id and note.title == "批示办理逾期：俄粮油脂化工厂项目"
    assert "已逾期 2 天" in note.body and note.url == f"/projects/{project.id}#instructions"
    mails = [email.message_from_bytes(m.content, policy=email.policy.default) for m in smtp_server.messages]
    overdue = [m["To"] for m in mails if m["Subject"] == "【招商项目管家】批示办理逾期：俄粮油脂化工厂项目"]
    assert len(overdue) == 1 and officer.email in overdue[0]
    assert not any(bystander.email in m["To"] for m in mails)

    _scan_in_worker(redis, env)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Reminder.id)).where(Reminder.reason == "instruction_overdue")) == 1
