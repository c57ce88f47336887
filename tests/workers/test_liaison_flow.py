"""End to end through real Redis and a real RQ worker: flag a project key in the web app →
the outbox row → the liaison job → the leader sees it in 我的包联项目; the digest CLI twice
sends one email per recipient."""
from __future__ import annotations

import email.policy
from email import message_from_bytes

import sqlalchemy as sa

from crm.extensions import db
from crm.models import OutboxMessage, Project
from tests import factories
from tests.conftest import run_worker
from workers.cli import register


def test_flagging_a_project_key_assigns_a_leader_who_sees_it(client, login, users, redis, worker_env):
    refs = factories.project_refs()
    vice = factories.leader(2, display_name="陈副市长", username="vice")
    factories.liaison_rules({refs["sector"]: [vice]})
    login("admin")
    resp = client.post("/projects/new", data=factories.project_form(refs, name="海产品加工项目"))
    assert resp.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.name == "海产品加工项目"))
    assert project.liaison_leader_id is None

    form = factories.project_form(refs, name="海产品加工项目", is_key="y", key_level="city")
    assert client.post(f"/projects/{project.id}/edit", data=form).status_code == 302
    row = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.job == "liaison.assign"))
    assert row.payload == {"project_id": project.id} and row.status == "enqueued"  # relayed after the request

    result = run_worker(worker_env)
    assert result.returncode == 0, result.stderr[-2000:]
    db.session.expire_all()
    assert db.session.get(Project, project.id).liaison_leader_id == vice.id
    assert db.session.get(OutboxMessage, row.id).done_at is not None

    login(vice)
    page = client.get("/leaders/").get_data(as_text=True)
    assert "海产品加工项目" in page


def test_digest_cli_twice_sends_one_email_per_recipient(app, users, settings, smtp_server):
    recipients = [u for u in users.values() if u.role != "officer" and u.email]
    old_host, old_port = settings.SMTP_HOST, settings.SMTP_PORT
    settings.SMTP_HOST, settings.SMTP_PORT = "127.0.0.1", smtp_server.port
    try:
        register(app)  # as wsgi.py does
        runner = app.test_cli_runner()
        for _ in range(2):
            result = runner.invoke(args=["jobs", "run", "digest", "--now", "2026-11-30T08:00"])
            assert result.exit_code == 0, result.output
    finally:
        settings.SMTP_HOST, settings.SMTP_PORT = old_host, old_port
    sent_to = sorted(rcpt for m in smtp_server.messages for rcpt in m.rcpt_tos)
    assert sent_to == sorted(u.email for u in recipients)
    subject = message_from_bytes(smtp_server.messages[0].content, policy=email.policy.default)["Subject"]
    assert "2026年第49周（11月30日–12月6日）" in subject
