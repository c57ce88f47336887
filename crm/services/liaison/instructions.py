"""领导批示 as a loop: a leader writes a 批示 to one or more responsible units with a deadline;
an officer of a unit replies (待办 → 办理中); the leader accepts (→ 已办结) or sends it back with
a note (→ 待办).  Every change goes through the ORM inside audit.acting_as, so the audit trail
has who, when and old → new state.  Overdue: past its deadline and not 已办结 (computed, never
stored), the same rule for the reminders, 我的包联, the digest and the project page.

The lists other pages use (awaiting_reply, awaiting_my_decision, replies_since) are one
statement each plus their eager loads, whatever their length.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Department, Instruction, InstructionReply, Project, User
from crm.models.liaison import INSTRUCTION_STATE, instruction_units
from crm.services.core import access, audit
from crm.services.core.clock import local_today, utcnow
from crm.services.enterprises import ValidationError

STATE_LABELS = INSTRUCTION_STATE
TEXT_MAX = 2000
DEFAULT_DAYS = 14  # the deadline a new 批示 form starts with: the usual two weeks, changed at will
NOTE_MAX = 1000


# --- rules as SQL and as Python -----------------------------------------------------------

def default_deadline(today: date | None = None) -> date:
    return (today or local_today()) + timedelta(days=DEFAULT_DAYS)


def overdue_clause(today: date):
    return sa.and_(Instruction.deadline < today, Instruction.state != "done")


def is_overdue(instruction: Instruction, today: date) -> bool:
    return instruction.deadline is not None and instruction.deadline < today and instruction.state != "done"


def addressed_to(department_ids):
    """A WHERE condition on Instruction: addressed to any of these departments."""
    return Instruction.id.in_(sa.select(instruction_units.c.instruction_id)
                              .where(instruction_units.c.department_id.in_(list(department_ids))))


def can_reply(user: User, instruction: Instruction) -> bool:
    """An officer of one of its responsible units, while it is not 已办结."""
    return (user.role == "officer" and user.department_id is not None and instruction.state != "done"
            and user.department_id in {d.id for d in instruction.units})


def can_see(user: User, instruction: Instruction) -> bool:
    """Its leader, admins and staff, and the officers of its units."""
    if user.role in ("admin", "staff"):
        return True
    if user.role == "leader":
        return instruction.leader_id == user.id
    return user.role == "officer" and user.department_id in {d.id for d in instruction.units}


def can_decide(user: User, instruction: Instruction) -> bool:
    return user.role == "leader" and instruction.leader_id == user.id


def problem_owner(instruction: Instruction) -> int | None:
    """The unit a problem opened from the 批示 goes to: the project's 牵头部门 when it is one of
    the units, else the first unit; None when the 批示 names no unit."""
    ids = [d.id for d in instruction.units]
    if instruction.project.lead_department_id in ids:
        return instruction.project.lead_department_id
    return ids[0] if ids else None


# --- writing -------------------------------------------------------------------------------

def _text(value, field: str, limit: int, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: _("内容不能超过 %(n)s 个字符。", n=limit)})
    return text


def _units(unit_ids) -> list[Department]:
    ids = sorted({int(i) for i in unit_ids or () if i})
    units = db.session.scalars(sa.select(Department).where(Department.id.in_(ids)).order_by(Department.id)).all()
    if not ids or len(units) != len(ids):
        raise ValidationError({"unit_ids": _("请选择承办单位。")})
    return list(units)


def officers_of(department_ids) -> list[User]:
    return db.session.scalars(sa.select(User).where(
        User.department_id.in_(list(department_ids)), User.role == "officer", User.is_enabled.is_(True))
        .order_by(User.id)).all()


def _tell(users, *, kind: str, title: str, body: str, instruction: Instruction) -> None:
    from crm.services.messaging.notify import notify
    seen = set()
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            notify(user, kind=kind, title=title, body=body, url=f"/projects/{instruction.project_id}#instructions",
                   target=instruction)


def add_instruction(leader: User, project: Project, text: str, follow_up_required: bool, *,
                    unit_ids, deadline: date | None, today: date | None = None,
                    now: datetime | None = None) -> Instruction:
    """Write a 批示 to its units with a deadline; tells the project's owner and the units'
    officers.  Raises ValidationError and saves nothing on bad input.  Flushes; the caller commits."""
    from crm.services.liaison.leaders import liaison_project
    liaison_project(leader, project)
    today = today or local_today(now)
    errors = {}
    try:
        text = _text(text, "text", TEXT_MAX, _("请填写批示内容。"))
    except ValidationError as error:
        errors.update(error.errors)
    try:
        units = _units(unit_ids)
    except ValidationError as error:
        errors.update(error.errors)
    if deadline is None:
        errors["deadline"] = _("请填写办理时限。")
    elif deadline < today:
        errors["deadline"] = _("办理时限不能早于今天。")
    if errors:
        raise ValidationError(errors)
    with audit.acting_as(leader):
        instruction = Instruction(project=project, leader_id=leader.id, text=text, state="todo",
                                  follow_up_required=bool(follow_up_required), deadline=deadline,
                                  units=units, created_at=now or utcnow())
        db.session.add(instruction)
        db.session.flush()
    title = _("%(leader)s对项目“%(name)s”作出批示", leader=leader.display_name, name=project.name)
    body = text + "\n" + _("承办单位：%(units)s；办理时限：%(d)s",
                           units="、".join(d.name for d in units), d=deadline.isoformat())
    _tell([project.owner, *officers_of(d.id for d in units)], kind="instruction", title=title, body=body,
          instruction=instruction)
    return instruction


def reply(officer: User, instruction: Instruction, text: str, now: datetime | None = None) -> InstructionReply:
    """The unit's reply (办理情况): 待办/办理中 → 办理中; tells the leader."""
    access.require(can_reply(officer, instruction))
    text = _text(text, "text", TEXT_MAX, _("请填写办理情况。"))
    with audit.acting_as(officer):
        answer = InstructionReply(instruction=instruction, author_id=officer.id,
                                  department_id=officer.department_id, text=text, created_at=now or utcnow())
        db.session.add(answer)
        instruction.state = "doing"
        db.session.flush()
    _tell([instruction.leader], kind="instruction.reply", instruction=instruction,
          title=_("%(unit)s回复了批示：%(name)s", unit=officer.department.name, name=instruction.project.name),
          body=text)
    return answer


def _decided(leader: User, instruction: Instruction) -> None:
    access.require(can_decide(leader, instruction))
    if instruction.state != "doing":
        raise ValidationError({None: _("该批示尚无待审阅的回复。") if instruction.state == "todo"
                               else _("该批示已办结。")})


def accept(leader: User, instruction: Instruction) -> Instruction:
    """The leader accepts the replies: 办理中 → 已办结."""
    _decided(leader, instruction)
    with audit.acting_as(leader):
        instruction.state = "done"
        db.session.flush()
    return instruction


def send_back(leader: User, instruction: Instruction, note: str) -> Instruction:
    """The leader sends it back with a note: 办理中 → 待办; tells the units' officers."""
    _decided(leader, instruction)
    note = _text(note, "note", NOTE_MAX, _("退回时请写明原因。"))
    with audit.acting_as(leader, note=note):
        instruction.state, instruction.returned_note = "todo", note
        db.session.flush()
    _tell(officers_of(d.id for d in instruction.units), kind="instruction.returned", instruction=instruction,
          title=_("批示被退回：%(name)s", name=instruction.project.name), body=note)
    return instruction


# --- reading -------------------------------------------------------------------------------

def _listing():
    return sa.select(Instruction).options(
        joinedload(Instruction.project), joinedload(Instruction.leader), selectinload(Instruction.units),
        selectinload(Instruction.replies).joinedload(InstructionReply.author),
        selectinload(Instruction.replies).joinedload(InstructionReply.department))


def _by_deadline(query):
    return query.order_by(Instruction.deadline.is_(None), Instruction.deadline, Instruction.id)


def awaiting_reply(department_ids) -> list[Instruction]:
    """批示 waiting for a reply from any of these departments (待办), soonest deadline first."""
    return db.session.scalars(_by_deadline(_listing().where(
        Instruction.state == "todo", addressed_to(department_ids)))).all()


def awaiting_reply_on_projects(owner: User) -> list[Instruction]:
    """批示 on the projects this staff member is responsible for that no unit has answered yet (待办)."""
    owned = sa.select(Project.id).where(Project.owner_id == owner.id)
    return db.session.scalars(_by_deadline(_listing().where(
        Instruction.state == "todo", Instruction.project_id.in_(owned)))).all()


def awaiting_my_decision(leader: User) -> list[Instruction]:
    """The leader's 批示 that have a reply and wait for accept or send back (办理中)."""
    return db.session.scalars(_by_deadline(_listing().where(
        Instruction.leader_id == leader.id, Instruction.state == "doing"))).all()


def replies_since(leader: User, since: datetime) -> list[InstructionReply]:
    """Replies to the leader's 批示 written at or after `since` (UTC), newest first."""
    return db.session.scalars(
        sa.select(InstructionReply).join(Instruction, Instruction.id == InstructionReply.instruction_id)
        .options(joinedload(InstructionReply.instruction).joinedload(Instruction.project),
                 joinedload(InstructionReply.author), joinedload(InstructionReply.department))
        .where(Instruction.leader_id == leader.id, InstructionReply.created_at >= since)
        .order_by(InstructionReply.created_at.desc(), InstructionReply.id.desc())).all()


def for_department(department_id: int) -> list[Instruction]:
    """Every 批示 addressed to the department: open ones first, soonest deadline first."""
    return db.session.scalars(_listing().where(addressed_to([department_id])).order_by(
        Instruction.state == "done", Instruction.deadline.is_(None), Instruction.deadline,
        Instruction.id.desc())).all()


def open_by_project(leader: User) -> dict[int, list[Instruction]]:
    """project_id → the leader's 批示 not yet 已办结, oldest first (我的包联 shows them with their replies)."""
    found: dict[int, list[Instruction]] = {}
    for instruction in db.session.scalars(_listing().where(
            Instruction.leader_id == leader.id, Instruction.state != "done").order_by(Instruction.id)):
        found.setdefault(instruction.project_id, []).append(instruction)
    return found


def project_stats(project_ids, today: date) -> dict[int, tuple[int, int, int]]:
    """project_id → (open, waiting for a reply (待办), overdue) 批示; one statement."""
    rows = db.session.execute(
        sa.select(Instruction.project_id, sa.func.count(),
                  sa.func.sum(sa.case((Instruction.state == "todo", 1), else_=0)),
                  sa.func.sum(sa.case((Instruction.deadline < today, 1), else_=0)))
        .where(Instruction.state != "done", Instruction.project_id.in_(project_ids))
        .group_by(Instruction.project_id))
    return {pid: (int(n), int(todo or 0), int(overdue or 0)) for pid, n, todo, overdue in rows}
