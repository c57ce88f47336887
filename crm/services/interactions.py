"""对接记录: logging a contact with an enterprise, and closing its follow-up.

Logging keeps enterprise/project.last_interaction_at current (lists and stale-project
reminders read that column instead of aggregating) and announces the record on
signals.interaction_logged, inside the caller's transaction.

The quick form never lists every loggable project (10,000 at province scale): it offers an
enterprise's linked projects and the user's own recent ones, both read here.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Enterprise, Interaction, Project, User
from crm.models.enterprise import INTERACTION_KIND
from crm.services.core import access, signals
from crm.services.core.clock import local_today
from crm.services.enterprises import ValidationError, check_lengths, clean_text, linked_projects

KIND_LABELS = INTERACTION_KIND  # defined with its column (crm/models/enterprise.py)
# Clocks on phones drift; a contact logged "now" may be a few minutes ahead of the server.
FUTURE_SLACK = timedelta(minutes=10)
EARLIEST = datetime(2000, 1, 1)
MAX_FOLLOW_UP = timedelta(days=3 * 366)
RECENT_LIMIT = 20
# Recent projects come from the user's latest logs only: a bounded index walk whatever their history.
RECENT_SCAN = 200
_FIELDS = ("kind", "occurred_at", "our_participants", "their_participants", "summary", "outcome",
           "next_step", "next_follow_up")


def _errors(enterprise: Enterprise | None, data: dict, now: datetime) -> dict[str, str]:
    errors = {}
    if enterprise is None:
        errors["enterprise"] = _("请选择对接企业。")
    if data["kind"] not in KIND_LABELS:
        errors["kind"] = _("请选择对接方式。")
    if not data["summary"]:
        errors["summary"] = _("请填写对接内容。")
    occurred = data["occurred_at"]
    if occurred > now + FUTURE_SLACK:
        errors["occurred_at"] = _("对接时间不能晚于当前时间。")
    elif occurred < EARLIEST:
        errors["occurred_at"] = _("对接时间过早，请检查日期。")
    follow_up = data["next_follow_up"]
    if follow_up and "occurred_at" not in errors:
        day = local_today(occurred)
        if follow_up < day:
            errors["next_follow_up"] = _("下次跟进日期不能早于对接日期。")
        elif follow_up > day + MAX_FOLLOW_UP:
            errors["next_follow_up"] = _("下次跟进日期不能晚于对接日期三年以上。")
    check_lengths(Interaction, data, errors)
    return errors


def _touch(record: Enterprise | Project, occurred: datetime) -> None:
    """Keep the latest contact time; logging an older contact must not move it back."""
    if record.last_interaction_at is None or occurred > record.last_interaction_at:
        record.last_interaction_at = occurred


def log_interaction(actor: User, enterprise: Enterprise | None, project: Project | None, data: dict,
                    now: datetime) -> Interaction:
    """Record one contact; occurred_at is naive UTC (default: now), next_follow_up a local date.

    Any project may be named, also one whose investors do not include this enterprise (a
    new lead for it).  Raises access.Denied or ValidationError; flushes, never commits.
    """
    access.require(access.can_log_interaction(actor, project))
    data = {key: clean_text(data.get(key)) for key in _FIELDS}
    data["occurred_at"] = data["occurred_at"] or now
    errors = _errors(enterprise, data, now)
    if errors:
        raise ValidationError(errors)
    interaction = Interaction(enterprise=enterprise, project=project, created_by_id=actor.id, **data)
    db.session.add(interaction)
    _touch(enterprise, data["occurred_at"])
    if project is not None:
        _touch(project, data["occurred_at"])
    db.session.flush()
    signals.interaction_logged.send(interaction)
    return interaction


def mark_follow_up_done(actor: User, interaction: Interaction) -> None:
    access.require(access.can_log_interaction(actor, interaction.project))
    interaction.follow_up_done = True
    db.session.flush()


# 改期 shortcuts on the workbench: days after today.
RESCHEDULE_SHORTCUTS = {"tomorrow": 1, "week": 7}


def reschedule_follow_up(actor: User, interaction: Interaction, day, *, today=None) -> None:
    """改期: move an open follow-up to `day` (a date, or a RESCHEDULE_SHORTCUTS key), from today
    up to MAX_FOLLOW_UP ahead; raises ValidationError and changes nothing on a bad date.  The
    audit trail records old → new (Interaction is audited)."""
    access.require(access.can_log_interaction(actor, interaction.project))
    today = today or local_today()
    if day in RESCHEDULE_SHORTCUTS:
        day = today + timedelta(days=RESCHEDULE_SHORTCUTS[day])
    if interaction.follow_up_done or interaction.next_follow_up is None:
        raise ValidationError({"next_follow_up": _("该跟进已完成，无需改期。")})
    if not isinstance(day, date):
        raise ValidationError({"next_follow_up": _("请选择新的跟进日期。")})
    if day < today:
        raise ValidationError({"next_follow_up": _("新的跟进日期不能早于今天。")})
    if day > today + MAX_FOLLOW_UP:
        raise ValidationError({"next_follow_up": _("新的跟进日期不能晚于三年以后。")})
    interaction.next_follow_up = day
    db.session.flush()


def loggable_projects(user: User):
    """A WHERE condition on Project: those the user may log contacts about (as
    access.can_log_interaction, which for a project is access.can_edit_project)."""
    return access.editable_projects(user)


def linked_loggable(user: User, enterprise_ids) -> list:
    """(enterprise_id, project_id, name) rows, by name: the projects these enterprises invest in or
    were contacted about, that the user may log about.  One statement."""
    links = linked_projects(enterprise_ids)
    return db.session.execute(
        sa.select(links.c.enterprise_id, Project.id, Project.name).join(Project, Project.id == links.c.project_id)
        .where(loggable_projects(user)).order_by(Project.name, Project.id)).all()


def _in_charge(user: User):
    """Projects the user answers for: owned (经合中心 staff), or led by an officer's department."""
    if user.role == "officer":
        return Project.lead_department_id == user.department_id if user.department_id else sa.false()
    return Project.owner_id == user.id


def recent_projects(user: User, limit: int = RECENT_LIMIT) -> list:
    """(id, name) of at most `limit` loggable projects the user works on: those they logged about
    lately first, then those in their charge, most recently contacted first.  One statement."""
    logged = (sa.select(Interaction.project_id, Interaction.occurred_at)
              .where(Interaction.created_by_id == user.id, Interaction.project_id.is_not(None))
              .order_by(Interaction.occurred_at.desc()).limit(RECENT_SCAN).subquery())
    latest = (sa.select(logged.c.project_id, sa.func.max(logged.c.occurred_at).label("at"))
              .group_by(logged.c.project_id).subquery())
    return db.session.execute(
        sa.select(Project.id, Project.name).outerjoin(latest, latest.c.project_id == Project.id)
        .where(loggable_projects(user), sa.or_(latest.c.project_id.is_not(None), _in_charge(user)))
        .order_by(latest.c.at.is_(None), latest.c.at.desc(), Project.last_interaction_at.is_(None),
                  Project.last_interaction_at.desc(), Project.name, Project.id)
        .limit(limit)).all()
