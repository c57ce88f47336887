"""The weekly digest survives a worker killed mid-run: exactly one email per recipient.

A real `rq worker` process (SimpleWorker: jobs run in the worker's own process, so SIGKILL
stops the sending itself) works against the test Redis and delivers to a real aiosmtpd server.
The SMTP handler kills the worker while it waits for the answer to the k-th message: the worst
moment, the message is in but its row still says 'sending'.  A second run re-dispatches the
claims left behind and a fresh worker drains the queue.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from crm.extensions import db
from crm.models import DigestDelivery
from crm.services.liaison import digest
from crm.services.messaging import outbox
from tests import factories
from tests.conftest import _free_port

MONDAY_8AM = datetime(2026, 11, 23, 0, 0)
RECIPIENTS, KILL_AT = 6, 3
RQ = str(Path(sys.executable).with_name("rq"))


class KillingHandler:
    """Counts delivered messages; kills the worker process group while it waits on message k."""

    def __init__(self):
        self.received: list[str] = []
        self.worker: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope):
        self.received.extend(envelope.rcpt_tos)
        if len(self.received) == KILL_AT and self.worker is not None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
        return "250 OK"


@pytest.fixture
def smtp():
    handler = KillingHandler()
    port = _free_port()  # aiosmtpd's start-up self-check cannot connect to port 0
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _worker(env: dict, redis_url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [RQ, "worker", "--burst", "--url", redis_url, "--serializer", "json",
         "--worker-class", "rq.worker.SimpleWorker", *outbox.QUEUES],
        env=env, cwd=Path(__file__).resolve().parents[2], start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_killed_worker_still_sends_exactly_one_email_per_recipient(app, settings, smtp, redis, redis_url,
                                                                    worker_env):
    handler, port = smtp
    people = [factories.user("staff") for _ in range(RECIPIENTS)]
    digest.run_weekly(MONDAY_8AM, send=False)  # claims + outbox rows, committed
    assert outbox.relay(redis) == RECIPIENTS
    env = dict(worker_env, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))

    handler.worker = _worker(env, redis_url)
    handler.worker.wait(timeout=120)
    assert handler.worker.returncode == -signal.SIGKILL and len(handler.received) == KILL_AT
    db.session.expire_all()
    statuses = Counter(db.session.scalars(sa.select(DigestDelivery.status)))
    assert statuses == {"sent": KILL_AT - 1, "sending": 1, "claimed": RECIPIENTS - KILL_AT}

    handler.worker = None
    again = digest.run_weekly(MONDAY_8AM + digest.CLAIM_TIMEOUT + timedelta(minutes=1), send=False)
    assert again == {"claimed": 0, "redispatched": RECIPIENTS - KILL_AT, "sent": 0}
    outbox.relay(redis)
    second = _worker(env, redis_url)
    assert second.wait(timeout=120) == 0

    assert Counter(handler.received) == Counter(p.email for p in people)
    db.session.expire_all()
    statuses = Counter(db.session.scalars(sa.select(DigestDelivery.status)))
    assert statuses == {"sent": RECIPIENTS - 1, "sending": 1}  # the killed one: delivered, status unknown
