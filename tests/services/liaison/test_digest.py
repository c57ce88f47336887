"""Weekly digest (周报): content per role, the email's parts, and exactly one email per
(recipient, ISO week) however often it runs."""
from __future__ import annotations

import email
import email.policy
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import DigestDelivery, StageEvent
from crm.services.liaison import digest
from tests import factories

MONDAY_8AM = datetime(2026, 11, 23, 0, 0)  # Monday 2026-11-23 08:00 Asia/Shanghai, ISO week 2026-W48
LAST_WEEK = MONDAY_8AM - timedelta(days=3)


@pytest.fixture
def mailbox(app, settings):
    """The .eml files deliver() writes when no SMTP host is set, emptied for each test."""
    shutil.rmtree(settings.outbox_dir, ignore_errors=True)

    def read() -> list[email.message.EmailMessage]:
        if not settings.outbox_dir.exists():
            return []
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(settings.outbox_dir.glob("*.eml"))]
    yield read
    shutil.rmtree(settings.outbox_dir, ignore_errors=True)


@pytest.fixture
def week(users):
    """A leader's key project that moved this week, a staff member's enterprise with a new
    contact and an overdue follow-up, a project of nobody's, and the two key-project goals."""
    staff, leader = users["staff"], users["leader"]
    firm = factories.enterprise(name="东宁生物科技有限公司", owner_id=staff.id)
    key = factories.project(name="包联重点项目", is_key=True, total_investment=Decimal("60000"),
                            liaison_leader_id=leader.id, stage="contact")
    other = factories.project(name="他人项目", owner_id=None)
    db.session.add(StageEvent(project=key, from_stage="planned", to_stage="contact", occurred_on=date(2026, 11, 19),
                              recorded_at=LAST_WEEK))
    db.session.add(StageEvent(project=other, from_stage="planned", to_stage="contact", occurred_on=date(2026, 10, 1),
                              recorded_at=MONDAY_8AM - timedelta(days=30)))
    factories.interaction(firm, project_id=key.id, summary="洽谈用地<script>", occurred_at=LAST_WEEK,
                          created_by_id=staff.id)
    factories.interaction(firm, summary="上月电话", occurred_at=MONDAY_8AM - timedelta(days=40),
                          next_follow_up=date(2026, 11, 1))
    factories.goal(code="kpc", name="重点推进生物领域产业项目", target=Decimal(5), unit="个",
                   measure="computed:key_projects_count")
    factories.goal(code="kpi", name="重点推进生物领域产业项目总投资", target=Decimal(15), unit="亿元",
                   measure="computed:key_projects_investment")
    factories.goal(code="gross", name="生物经济总产值", target=Decimal(10), unit="亿元", measure="manual",
                   manual_value=Decimal("3.5"))
    db.session.commit()
    return {"key": key, "other": other, "firm": firm}


def test_leaders_get_their_liaison_projects(week, users):
    d = digest.build_digest(users["leader"], MONDAY_8AM)
    assert [p.name for p in d["projects"]["items"]] == ["包联重点项目"]
    assert [m.project.name for m in d["moves"]["items"]] == ["包联重点项目"]
    assert d["contacts"]["total"] == 1 and d["overdue"]["total"] == 0
    assert d["iso_week"] == "2026-W48" and d["subject"] == "招商周报 2026年第48周（11月23日–29日） · 绥芬河市"


def test_staff_get_their_follow_ups_and_enterprises(week, users):
    d = digest.build_digest(users["staff"], MONDAY_8AM)
    assert d["enterprises"] == 1
    assert [i.summary for i in d["overdue"]["items"]] == ["上月电话"]
    assert [i.summary for i in d["contacts"]["items"]] == ["洽谈用地<script>"]
    assert d["moves"]["total"] == 0


def test_admins_get_the_whole_pipeline_and_the_goals(week, users):
    d = digest.build_digest(users["admin"], MONDAY_8AM)
    assert d["projects"]["total"] == 2 and dict(d["by_stage"])["contact"] == 1
    assert d["moves"]["total"] == 1  # last month's move is not this week's
    goals = {s.goal.code: s.value for s in d["goals"]}
    assert goals == {"kpc": Decimal(1), "kpi": Decimal("6"), "gross": Decimal("3.5")}


def test_the_email_has_text_html_and_the_inline_chart(week, users):
    msg = digest.render(users["leader"], MONDAY_8AM)
    assert msg["Subject"] == "招商周报 2026年第48周（11月23日–29日） · 绥芬河市"
    assert msg["To"].addresses[0].addr_spec == users["leader"].email
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "包联重点项目" in text and "包联重点项目" in html
    assert "洽谈用地&lt;script&gt;" in html and "<script>" not in html
    assert f'src="cid:{digest.CHART_CID}"' in html
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"].strip("<>") == digest.CHART_CID
    assert images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"


def test_running_twice_sends_one_email_per_recipient(week, users, mailbox):
    first = digest.run_weekly(MONDAY_8AM, send=True)
    second = digest.run_weekly(MONDAY_8AM + timedelta(hours=1), send=True)
    assert first == {"claimed": 3, "redispatched": 0, "sent": 3}  # officers get none
    assert second == {"claimed": 0, "redispatched": 0, "sent": 0}
    to = sorted(m["To"].addresses[0].addr_spec for m in mailbox())
    assert to == sorted(u.email for u in users.values() if u.role != "officer")
    assert set(db.session.scalars(sa.select(DigestDelivery.status))) == {"sent"}


def test_a_new_iso_week_sends_again(week, users, mailbox):
    digest.run_weekly(MONDAY_8AM, send=True)
    digest.run_weekly(MONDAY_8AM + timedelta(days=7), send=True)
    assert len(mailbox()) == 6


def test_a_stale_claim_is_sent_by_a_later_run_but_a_sending_row_never_again(week, users, mailbox):
    leader, staff = users["leader"], users["staff"]
    db.session.add_all([
        DigestDelivery(user_id=leader.id, iso_week="2026-W48", status="claimed", claimed_at=MONDAY_8AM,
                       message=digest.render(leader, MONDAY_8AM).as_bytes()),
        DigestDelivery(user_id=staff.id, iso_week="2026-W48", status="sending", claimed_at=MONDAY_8AM,
                       message=digest.render(staff, MONDAY_8AM).as_bytes()),
    ])
    db.session.commit()
    soon = digest.run_weekly(MONDAY_8AM + timedelta(minutes=5), send=True)
    assert soon == {"claimed": 1, "redispatched": 0, "sent": 1}  # the admin; the leader's claim is still young
    later = digest.run_weekly(MONDAY_8AM + timedelta(minutes=11), send=True)
    assert later == {"claimed": 0, "redispatched": 1, "sent": 1}
    to = [m["To"].addresses[0].addr_spec for m in mailbox()]
    assert to.count(leader.email) == 1 and to.count(staff.email) == 0


def test_a_refused_connection_puts_the_claim_back_for_a_retry(week, users, settings, monkeypatch, mailbox):
    monkeypatch.setattr(settings, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setattr(settings, "SMTP_PORT", 9)  # nothing listens on discard: refused
    digest.run_weekly(MONDAY_8AM, send=False)
    row = db.session.scalars(sa.select(DigestDelivery).where(DigestDelivery.user_id == users["leader"].id)).one()
    with pytest.raises(OSError):
        digest.send_one(row.id, MONDAY_8AM)
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("claimed", 1) and "ConnectionRefused" in row.error
    monkeypatch.setattr(settings, "SMTP_HOST", "")
    assert digest.send_one(row.id, MONDAY_8AM) == "sent"
    assert digest.send_one(row.id, MONDAY_8AM) == "skipped"


def test_building_for_many_recipients_runs_a_bounded_number_of_statements(week, statements):
    def count(n):
        for _ in range(n):
            u = factories.user("staff")
            factories.interaction(factories.enterprise(owner_id=u.id), occurred_at=LAST_WEEK, created_by_id=u.id)
        users = digest.recipients()
        with statements() as counter:
            data = digest.load_week(MONDAY_8AM)
            for u in users:
                digest.digest_for(u, data)
        return len(counter)

    assert count(3) == count(30)
