"""A digest whose worker is killed mid-send (a real rq worker, kill -9, a real SMTP server that
is holding the DATA) does not stay 'sending' forever: the cron's reconcile job marks it
'unknown', the jobs page shows it, and only an administrator's resend (audited) sends it again,
once."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, DigestDelivery, OutboxMessage
from crm.services.core.clock import local_now
from crm.services.liaison import digest
from crm.services.messaging import outbox
from tests import factories
from tests.conftest import _free_port, run_worker

ROOT = Path(__file__).resolve().parents[2]


class StallingSink:
    """A real SMTP server's handler: the first message's DATA hangs until released and is then
    refused (its client is gone by then); later messages are accepted and kept."""

    def __init__(self):
        self.messages, self.stalled, self.release, self.first = [], threading.Event(), threading.Event(), True

    async def handle_DATA(self, server, session, envelope):
        if self.first:
            self.first = False
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 sender went away"
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller
    sink = StallingSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    try:
        yield sink
    finally:
        sink.release.set()
        controller.stop()


def _kill_worker_mid_send(env: dict, sink: StallingSink) -> None:
    """Start a real worker, wait until its work horse is inside SMTP DATA, then kill -9 it all."""
    from crm.services.messaging.outbox import QUEUES
    rq = str(Path(sys.executable).with_name("rq"))
    proc = subprocess.Popen([rq, "worker", "--url", env["REDIS_URL"], "--worker-class", "workers.worker.AppWorker",
                             *QUEUES], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert sink.stalled.wait(120), "the worker never reached SMTP"
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        for pid in [proc.pid, *map(int, children)]:
            os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        sink.release.set()


def _status(delivery_id: int) -> str:
    db.session.expire_all()
    return db.session.get(DigestDelivery, delivery_id).status


def test_a_digest_killed_mid_send_is_reconciled_and_resent_once_by_an_admin(
        client, login, users, redis, worker_env, smtp_sink):
    staff = users["staff"]
    delivery = factories.digest_delivery(staff, status="claimed", sending_at=None, attempts=0,
                                         message=digest.render(staff).as_bytes())
    outbox.enqueue("digest.send_one", delivery_id=delivery.id)
    db.session.commit()
    assert outbox.relay(redis) == 1
    env = dict(worker_env, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_sink.port))

    _kill_worker_mid_send(env, smtp_sink)
    assert _status(delivery.id) == "sending" and smtp_sink.messages == []
    assert digest.send_one(delivery.id) == "skipped"  # never sent again on its own

    # The cron's job, run by a real worker: too early changes nothing, after the timeout it marks.
    def reconcile(after: timedelta) -> None:
        outbox.queue("default", redis).enqueue("workers.jobs.scheduled", kwargs={
            "name": "digest.reconcile", "now": (local_now() + after).replace(tzinfo=None).isoformat()})
        result = run_worker(env)
        assert result.returncode == 0, result.stderr[-2000:]

    reconcile(timedelta(minutes=1))
    assert _status(delivery.id) == "sending"
    reconcile(digest.SENDING_TIMEOUT + timedelta(minutes=1))
    assert _status(delivery.id) == "unknown"
    marked = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "DigestDelivery")).one()
    assert marked.changes == {"status": ["sending", "unknown"]} and marked.actor_label == "cron"

    admin = login("admin")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert f'data-delivery="{delivery.id}"' in page and "状态不明" in page and staff.email in page
    resp = client.post(f"/admin/jobs/digests/{delivery.id}/resend", follow_redirects=True)
    assert "周报已重新排队发送" in resp.get_data(as_text=True)
    assert _status(delivery.id) == "claimed"
    resent = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "DigestDelivery")
                                .order_by(AuditEvent.id.desc())).first()
    assert resent.changes == {"status": ["unknown", "claimed"]} and resent.actor_id == admin.id

    result = run_worker(env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _status(delivery.id) == "sent"
    assert [m.rcpt_tos for m in smtp_sink.messages] == [[staff.email]]

    # Sent now: a second resend is refused, queues nothing, and nothing more goes out.
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    resp = client.post(f"/admin/jobs/digests/{delivery.id}/resend", follow_redirects=True)
    assert "不能重发" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == rows
    run_worker(env)
    assert len(smtp_sink.messages) == 1 and "没有需要处理的周报" in client.get("/admin/jobs/").get_data(as_text=True)


def test_the_jobs_page_lists_interrupted_digests_in_constant_statements(client, login, statements):
    login("admin")

    def count(n: int) -> int:
        for _ in range(n):
            factories.digest_delivery()
        with statements() as counter:
            assert client.get("/admin/jobs/").status_code == 200
        return len(counter)

    assert count(1) == count(6)
