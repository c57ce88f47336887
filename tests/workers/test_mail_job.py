"""A reminder email through a real worker to a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import email.policy
from email import message_from_bytes

import sqlalchemy as sa

from crm.extensions import db
from crm.models import OutboxMessage
from crm.services.core.clock import local_today, utcnow
from crm.services.messaging import outbox
from crm.services.routines import reminders
from tests import factories
from tests.conftest import run_worker


def test_a_worker_sends_the_reminder_email_with_text_and_html_to_one_recipient(users, redis, smtp_server, worker_env):
    staff = users["staff"]
    firm = factories.enterprise(name="绥芬河市润宏经贸有限公司", owner=staff)
    factories.interaction(firm, created_by=staff, next_follow_up=local_today(), summary="电话沟通中药材加工合作")
    reminders.scan(utcnow())
    db.session.commit()
    assert outbox.relay(redis) == 1

    result = run_worker(dict(worker_env, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port)))
    assert result.returncode == 0, result.stderr[-2000:]

    (sent,) = smtp_server.messages
    assert sent.rcpt_tos == [staff.email]
    parsed = message_from_bytes(sent.content, policy=email.policy.default)
    assert parsed["Subject"] == "【招商项目管家】跟进到期：绥芬河市润宏经贸有限公司"
    assert [a.addr_spec for a in parsed["To"].addresses] == [staff.email]
    assert "电话沟通中药材加工合作" in parsed.get_body(("plain",)).get_content()
    assert f"http://crm.test/enterprises/{firm.id}" in parsed.get_body(("html",)).get_content()
    db.session.expire_all()
    assert db.session.scalar(sa.select(OutboxMessage.status).where(OutboxMessage.job == "mail.notification")) == "done"
