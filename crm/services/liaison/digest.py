"""Weekly digest (周报): Monday 08:00 Asia/Shanghai, one email per (recipient, ISO week).

Content by role: leaders get their liaison projects with the risk picture of 我的包联 (the same
rows, sections and counts: services/liaison/risk.py), staff their follow-ups and enterprises,
admins (领导小组办公室) the whole pipeline; everyone gets the stage moves and new contacts of the
7 days before `now`, the overdue follow-ups, and the 2025 goals; a chain's 链长 (and admins) also the
chain gaps without a contact in 30 days (services/chains/digest.py).  The week's data is loaded
once (a fixed number of statements) and indexed once by leader, owner, creator and project, so
each recipient's slice is a few dictionary lookups: 200 recipients cost what one does plus the
rendering.

Exactly once, the rule:
1. run_weekly renders each recipient's message and CLAIMS it: INSERT DigestDelivery(user, week,
   status 'claimed', message).  The unique key (user_id, iso_week) decides: a unique violation
   means another run owns that recipient, and this run skips it.
2. send_one moves the row 'claimed' → 'sending' with a compare-and-set UPDATE and COMMITS, then
   talks SMTP, then sets 'sent' and commits.  Only the run whose UPDATE matched may send, so two
   jobs for one row (a re-dispatch racing a slow job) send once.
3. A row still 'claimed' proves no send was attempted (the CAS comes first), so a later run may
   re-dispatch claims older than CLAIM_TIMEOUT (their job died or was lost with Redis).
4. A row left 'sending' (the worker died during SMTP) is "unknown": the mail may have gone out.
   It is NEVER sent again automatically (at most one email beats a duplicate).  The cron's
   reconcile_stale marks it 'unknown' after SENDING_TIMEOUT, and the jobs page lists it, with
   the 'failed' ones, for an administrator to resend (resend: back to 'claimed', audited).
   SMTP errors that prove the server did not take the message (refused connection, refused
   sender/recipient/data) put the row back to 'claimed' for a retry, up to MAX_ATTEMPTS.

This module commits (run_weekly after claiming, send_one between the states): each state must be
durable before the side effect that follows it.
"""
from __future__ import annotations

import email
import email.policy
import smtplib
import socket
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import DigestDelivery, Enterprise, Interaction, Project, StageEvent, User
from crm.models.digest import RESENDABLE
from crm.models.project import STAGES
from crm.services.chains import digest as chain_digest
from crm.services.core.clock import local_today, utcnow, week_label
from crm.services.core.errors import RuleError
from crm.services.liaison import risk
from crm.services.liaison.charts import bar_chart_png
from crm.services.liaison.leaders import iso_week

WINDOW = timedelta(days=7)
CLAIM_TIMEOUT = timedelta(minutes=10)
# Longer than a send can take (its job's RQ timeout, the SMTP timeout): a row 'sending' for
# longer belongs to a dead worker.
SENDING_TIMEOUT = timedelta(minutes=15)
ATTENTION_LIMIT = 50
MAX_ATTEMPTS = 3
LIST_LIMIT = 20
RECIPIENT_ROLES = ("admin", "staff", "leader")
CHART_CID = "pipeline-chart"
STAGE_COLORS = {"planned": "#6c757d", "contact": "#0d6efd", "signed": "#6610f2", "started": "#fd7e14",
                "operating": "#198754", "paused": "#adb5bd", "dropped": "#212529"}
# SMTP failures where the server provably did not accept the message: safe to try again.
NOT_SENT = (ConnectionRefusedError, socket.gaierror, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
            smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused,
            smtplib.SMTPDataError)


@dataclass
class Week:
    """Everything a digest shows, loaded once for all recipients."""
    now: datetime
    iso_week: str
    start: datetime  # UTC, inclusive
    moves: list[StageEvent]
    contacts: list[Interaction]
    overdue: list[Interaction]
    projects: list[Project]
    enterprises_by_owner: dict[int, int]
    goals: list
    index: dict = field(default_factory=dict)  # built by _index_week: key -> positions
    liaison: dict = field(default_factory=dict)  # leader id -> risk rows (services/liaison/risk.py)
    chain_gaps: list = field(default_factory=list)  # services/chains/digest.stale_gaps

    def pick(self, name: str, keys) -> list:
        """The rows of list `name` (moves, contacts, overdue) under any of `keys`, in list order."""
        index, rows = self.index[name], getattr(self, name)
        positions = set()
        for key in keys:
            positions.update(index.get(key, ()))
        return [rows[p] for p in sorted(positions)]

    def projects_of(self, role: str, user_id: int) -> list[Project]:
        return self.index["projects"].get((role, user_id), [])


def _positions(rows: list, keys) -> dict:
    index = defaultdict(list)
    for position, row in enumerate(rows):
        for key in keys(row):
            index[key].append(position)
    return index


def _index_week(week: Week) -> Week:
    """Key every row once, so slicing for a recipient never walks the whole week."""
    def interaction_keys(i):
        return (("project", i.project_id), ("creator", i.created_by_id), ("owner", i.enterprise.owner_id))

    projects = defaultdict(list)
    for p in week.projects:
        projects[("leader", p.liaison_leader_id)].append(p)
        projects[("staff", p.owner_id)].append(p)
    week.index = {"projects": projects, "moves": _positions(week.moves, lambda m: (("project", m.project_id),)),
                  "contacts": _positions(week.contacts, interaction_keys),
                  "overdue": _positions(week.overdue, interaction_keys)}
    return week


def load_week(now: datetime) -> Week:
    """Six selects (plus the goals'), whatever the number of rows or recipients."""
    today = local_today(now)
    start = now - WINDOW
    moves = db.session.scalars(
        sa.select(StageEvent).options(joinedload(StageEvent.project))
        .where(StageEvent.recorded_at >= start, StageEvent.recorded_at < now)
        .order_by(StageEvent.occurred_on, StageEvent.id)).all()
    contacts = db.session.scalars(
        sa.select(Interaction).options(joinedload(Interaction.enterprise), joinedload(Interaction.project),
                                       joinedload(Interaction.created_by))
        .where(Interaction.occurred_at >= start, Interaction.occurred_at < now)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())).all()
    overdue = db.session.scalars(
        sa.select(Interaction).options(joinedload(Interaction.enterprise), joinedload(Interaction.project))
        .where(Interaction.next_follow_up < today, Interaction.follow_up_done.is_(False))
        .order_by(Interaction.next_follow_up, Interaction.id)).all()
    projects = db.session.scalars(
        sa.select(Project).options(joinedload(Project.sector)).where(Project.in_pool.is_(True))
        .order_by(Project.id)).all()
    by_owner = dict(db.session.execute(
        sa.select(Enterprise.owner_id, sa.func.count()).where(Enterprise.owner_id.is_not(None))
        .group_by(Enterprise.owner_id)).all())
    from crm.services.reports.metrics import goal_statuses
    week = Week(now, iso_week(today), start, moves, contacts, overdue, projects, by_owner, goal_statuses(today))
    week.chain_gaps = chain_digest.stale_gaps(now)
    # Leaders get 我的包联's picture: the same rows, sections and counts on the same day.
    week.liaison = risk.for_leaders(today)
    return _index_week(week)


def _scope(user: User, week: Week):
    """(projects, index keys of the contacts) the recipient is responsible for; None = all.

    Leaders: their liaison projects.  Staff: the projects they own, plus contacts they logged
    or with enterprises they own.
    """
    if user.role == "admin":
        return week.projects, None
    if user.role == "leader":
        projects = [row.project for row in week.liaison.get(user.id, [])]
        return projects, [("project", p.id) for p in projects]
    projects = week.projects_of("staff", user.id)
    return projects, [("project", p.id) for p in projects] + [("creator", user.id), ("owner", user.id)]


def _listed(items: list) -> dict:
    return {"items": items[:LIST_LIMIT], "total": len(items), "more": max(len(items) - LIST_LIMIT, 0)}


def digest_for(user: User, week: Week) -> dict:
    """The recipient's slice of the week, as plain data for the templates."""
    projects, keys = _scope(user, week)
    project_keys = None if keys is None else [("project", p.id) for p in projects]

    def rows(name: str, wanted) -> list:
        return getattr(week, name) if wanted is None else week.pick(name, wanted)

    by_stage = Counter(p.stage for p in projects)
    rows_of_leader = week.liaison.get(user.id, [])
    return {
        "user": user, "role": user.role, "iso_week": week.iso_week,
        "subject": _("招商周报 %(week)s · 绥芬河市", week=week_label(week.iso_week)),
        "period": (local_today(week.start), local_today(week.now - timedelta(seconds=1))),
        "projects": _listed(sorted(projects, key=lambda p: (p.stage in ("operating", "dropped"), p.id))),
        "liaison": _listed(rows_of_leader) if user.role == "leader" else None,
        "sections": risk.sections(rows_of_leader) if user.role == "leader" else None,
        "by_stage": [(s, by_stage.get(s, 0)) for s in STAGES],
        "moves": _listed(rows("moves", project_keys)),
        "contacts": _listed(rows("contacts", keys)),
        "overdue": _listed(rows("overdue", keys)),
        "enterprises": week.enterprises_by_owner.get(user.id, 0) if user.role == "staff" else None,
        "goals": week.goals,
        "chain_gaps": _listed(chain_digest.for_recipient(user, week.chain_gaps)),
        "base_url": current_app.extensions["settings"].BASE_URL.rstrip("/"),
    }


def build_digest(user: User, now: datetime | None = None) -> dict:
    return digest_for(user, load_week(now or utcnow()))


def chart_png(digest: dict) -> bytes:
    from crm.services.pipeline import STAGE_LABELS
    bars = tuple((str(STAGE_LABELS[s]), n, STAGE_COLORS[s]) for s, n in digest["by_stage"] if s != "dropped")
    return bar_chart_png(_("项目阶段分布"), bars)


def num(value) -> str:
    """A goal figure without trailing zeros: 15.00 → "15", 0.35 → "0.35"."""
    if value is None:
        return "—"
    text = f"{Decimal(value):,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def template_context(data: dict, chart_src: str = "") -> dict:
    from crm.services.interactions import KIND_LABELS
    return {"d": data, "chart_src": chart_src, "num": num, "KIND_LABELS": KIND_LABELS}


def _render(user: User, week: Week) -> EmailMessage:
    from crm.services.messaging.mail import build_message
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        data = digest_for(user, week)
        text = render_template("digest/email.txt", **template_context(data))
        html = render_template("digest/email.html", **template_context(data, f"cid:{CHART_CID}"))
        return build_message(user.email, data["subject"], text, html=html,
                             inline_images={CHART_CID: (chart_png(data), "png")})


def render(user: User, now: datetime | None = None) -> EmailMessage:
    """The email the user gets this week (also the admin preview)."""
    return _render(user, load_week(now or utcnow()))


def recipients() -> list[User]:
    return db.session.scalars(
        sa.select(User).where(User.is_enabled.is_(True), User.role.in_(RECIPIENT_ROLES),
                              User.email.is_not(None), User.email != "")
        .order_by(User.id)).all()


def _claim(user: User, week: str, message: bytes, now: datetime) -> int | None:
    """INSERT the claim; None when another run already holds this (user, week)."""
    try:
        with db.session.begin_nested():
            row = DigestDelivery(user_id=user.id, iso_week=week, status="claimed", claimed_at=now,
                                 message=message)
            db.session.add(row)
        return row.id
    except IntegrityError:
        return None


def run_weekly(now: datetime | None = None, send: bool = True) -> dict[str, int]:
    """Claim this week's digests; send them now (send=True) or queue one job per recipient.

    Returns counts: claimed (new rows), redispatched (stale claims picked up again), sent.
    Running it again in the same ISO week claims nothing new.
    """
    now = now or utcnow()
    week = iso_week(local_today(now))
    taken = set(db.session.scalars(sa.select(DigestDelivery.user_id).where(DigestDelivery.iso_week == week)))
    todo = [u for u in recipients() if u.id not in taken]
    claimed = []
    if todo:
        data = load_week(now)
        for user in todo:
            row_id = _claim(user, week, _render(user, data).as_bytes(), now)
            if row_id is not None:
                claimed.append(row_id)
    stale = db.session.scalars(sa.select(DigestDelivery.id).where(
        DigestDelivery.iso_week == week, DigestDelivery.status == "claimed",
        DigestDelivery.claimed_at < now - CLAIM_TIMEOUT, DigestDelivery.id.not_in(claimed or [-1]))).all()
    ids = claimed + list(stale)
    sent = 0
    if send:
        db.session.commit()
        sent = sum(send_one(i, now) == "sent" for i in ids)
    else:
        from crm.services.messaging import outbox
        for i in ids:
            outbox.enqueue("digest.send_one", delivery_id=i)
        db.session.commit()
    return {"claimed": len(claimed), "redispatched": len(stale), "sent": sent}


def _set(delivery_id: int, expect: str | None, **values) -> bool:
    """Compare-and-set the row's state and commit; True when this caller made the change."""
    query = sa.update(DigestDelivery).where(DigestDelivery.id == delivery_id)
    if expect is not None:
        query = query.where(DigestDelivery.status == expect)
    changed = db.session.execute(query.values(**values)).rowcount == 1
    db.session.commit()
    return changed


def send_one(delivery_id: int, now: datetime | None = None) -> str:
    """Send one claimed digest: "sent", "skipped" (not ours / already handled) or raises."""
    from crm.services.messaging.mail import deliver
    now = now or utcnow()
    if not _set(delivery_id, "claimed", status="sending", sending_at=now,
                attempts=DigestDelivery.attempts + 1):
        return "skipped"
    row = db.session.get(DigestDelivery, delivery_id)
    message = email.message_from_bytes(row.message, policy=email.policy.default)
    try:
        deliver(message, current_app.extensions["settings"])
    except NOT_SENT as exc:
        # Provably not accepted: back to 'claimed' so a retry (or the next run) sends it.
        status = "failed" if row.attempts >= MAX_ATTEMPTS else "claimed"
        _set(delivery_id, "sending", status=status, error=f"{type(exc).__name__}: {exc}"[:500])
        raise
    except Exception as exc:
        _set(delivery_id, "sending", error=f"{type(exc).__name__}: {exc}"[:500])  # stays 'sending': unknown
        raise
    _set(delivery_id, "sending", status="sent", sent_at=utcnow(), error=None)
    return "sent"


def week_status(now: datetime | None = None) -> dict[str, int]:
    """Deliveries of the current ISO week by status, for the admin page."""
    week = iso_week(local_today(now or utcnow()))
    return dict(db.session.execute(
        sa.select(DigestDelivery.status, sa.func.count()).where(DigestDelivery.iso_week == week)
        .group_by(DigestDelivery.status)).all())



class ResendError(RuleError):
    """The delivery is not (or no longer) one an administrator may resend."""


def reconcile_stale(now: datetime | None = None) -> int:
    """From cron: 'sending' rows older than SENDING_TIMEOUT become 'unknown' (audited), so the
    jobs page shows them; returns how many.  The caller commits."""
    from crm.services.core import audit
    now = now or utcnow()
    stale = db.session.scalars(sa.select(DigestDelivery.id).where(
        DigestDelivery.status == "sending", DigestDelivery.sending_at < now - SENDING_TIMEOUT)).all()
    error = _("发送中断（worker 在发送时停止），邮件可能已发出，也可能没有。")
    marked = 0
    for delivery_id in stale:
        changed = db.session.execute(sa.update(DigestDelivery).where(
            DigestDelivery.id == delivery_id, DigestDelivery.status == "sending").values(
            status="unknown", error=str(error))).rowcount
        if changed:
            audit.record("DigestDelivery", delivery_id, "update", {"status": ["sending", "unknown"]})
            marked += 1
    db.session.flush()
    return marked


def needs_attention(limit: int = ATTENTION_LIMIT) -> list[DigestDelivery]:
    """Deliveries an administrator should look at ('unknown', 'failed'), newest first, with
    their recipient: one statement."""
    return db.session.scalars(
        sa.select(DigestDelivery).options(joinedload(DigestDelivery.user))
        .where(DigestDelivery.status.in_(RESENDABLE))
        .order_by(DigestDelivery.iso_week.desc(), DigestDelivery.id.desc()).limit(limit)).all()


def resend(delivery_id: int, now: datetime | None = None) -> None:
    """An administrator's resend: 'unknown'/'failed' → 'claimed' (compare-and-set, audited), and
    one digest.send_one queued; raises ResendError otherwise.  The caller commits."""
    from crm.services.core import audit
    from crm.services.messaging import outbox
    row = db.session.get(DigestDelivery, delivery_id)
    old = row.status if row is not None else None
    changed = old in RESENDABLE and db.session.execute(sa.update(DigestDelivery).where(
        DigestDelivery.id == delivery_id, DigestDelivery.status == old).values(
        status="claimed", claimed_at=now or utcnow(), error=None)).rowcount == 1
    if not changed:
        raise ResendError(_("这封周报不在“状态不明”或“发送失败”状态，不能重发。"))
    audit.record("DigestDelivery", delivery_id, "update", {"status": [old, "claimed"]}, note="resend")
    outbox.enqueue("digest.send_one", delivery_id=delivery_id)
    db.session.flush()
