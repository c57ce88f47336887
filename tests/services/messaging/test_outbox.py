"""The outbox: rows commit with the action, the relay pushes each once, Redis down loses nothing."""
from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa
from rq import Queue
from rq.job import Job

from crm.extensions import db
from crm.models import OutboxMessage
from crm.redis_conn import get_redis
from crm.services.core.clock import utcnow
from crm.services.messaging import outbox
from tests import factories
from tests.conftest import _free_port


def _rows(*jobs):
    rows = [outbox.enqueue(job, interaction_id=n) for n, job in enumerate(jobs, 1)]
    db.session.commit()
    return rows


def test_enqueue_only_adds_to_the_callers_transaction(app):
    outbox.enqueue("interactions.logged", interaction_id=1)
    db.session.rollback()
    assert OutboxMessage.query.count() == 0


def test_the_relay_pushes_each_row_once_with_its_id_timeout_and_retry(app, redis):
    check, mail = _rows("interactions.logged", "mail.notification")
    assert outbox.relay(redis) == 2 and outbox.relay(redis) == 0
    job = outbox.fetch_job(outbox.job_id(check.id), redis)
    assert job.id == f"outbox-{check.id}" and job.args == [check.id] and job.timeout == outbox.DEFAULT_TIMEOUT
    assert job.origin == "default" and job.retries_left is None
    mail_job = outbox.fetch_job(outbox.job_id(mail.id), redis)
    assert mail_job.origin == "mail" and mail_job.timeout == 60 and mail_job.retries_left == 4
    assert {r.status for r in OutboxMessage.query} == {"enqueued"}


def test_with_redis_down_the_relay_returns_nothing_and_the_rows_wait(app, settings):
    rows = _rows("interactions.logged", "interactions.logged")
    down = get_redis(replace(settings, REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0"))  # nothing listens
    assert outbox.relay(down) == 0
    db.session.expire_all()
    assert [r.status for r in rows] == ["pending", "pending"] and outbox.pending_count() == 2


def test_a_stale_claim_is_pushed_again_only_if_rq_lost_the_job(app, redis):
    kept, lost = _rows("interactions.logged", "interactions.logged")
    assert outbox.relay(redis) == 2
    outbox.fetch_job(outbox.job_id(lost.id), redis).delete()  # e.g. Redis restarted without its data
    db.session.execute(sa.update(OutboxMessage).values(enqueued_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    outbox.relay(redis)
    assert Job.exists(outbox.job_id(lost.id), connection=redis)
    assert len(Queue("default", connection=redis)) == 2  # the kept job was not pushed a second time


def test_a_row_runs_once_even_if_executed_twice(app):
    from workers.jobs import execute_row
    firm = factories.enterprise()
    interaction = factories.interaction(firm)
    row = outbox.enqueue("interactions.logged", interaction_id=interaction.id)
    db.session.commit()
    assert execute_row(row.id) == 0
    db.session.commit()
    assert execute_row(row.id) == "already done"
    assert (row.status, row.attempts) == ("done", 1) and row.done_at is not None


def test_inline_claims_can_be_given_back(app):
    rows = _rows("interactions.logged")
    assert outbox.claim_pending() == [rows[0].id] and outbox.claim_pending() == []
    assert outbox.release(rows[0].id) and outbox.pending_count() == 1
