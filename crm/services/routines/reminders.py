"""Contact reminders (联系提醒): what is due, who is told, once per day.

The daily scan (07:30 Asia/Shanghai by the cron schedule, and `flask jobs run reminders`)
writes Reminder rows with INSERT … ON CONFLICT DO NOTHING: the unique key (target, reason,
day, user) makes a second run on the same day insert nothing, and only the rows actually
inserted become notifications.  Candidates are chosen in SQL over indexed columns, one
statement per reason, so the number of statements never grows with the rows scanned.

Who is reminded, per reason:
- follow_up_due: an interaction's next follow-up date has come and it is not done → the
  enterprise's owner, else the contact's author;
- stale: a pool project at a watched stage (contact/signed/started) has had no contact for
  N days (N per stage, edited by an admin; stage moves count as activity) → the project owner;
- stale_escalated: no contact past the second threshold (default 2×N) → the liaison leader;
- problem_overdue: a 问题台账 entry past its 整改时限 and not resolved → the officers of its
  owner department;
- report_missing: the latest month's reports are past their due day and some of the projects a
  department leads have not filed → each officer of that 牵头部门, one reminder per department
  and day naming the projects;
- instruction_overdue: a 领导批示 past its 办理时限 and not 已办结 → the officers of each of its
  responsible units (services/liaison/instructions.py).
Every new reminder is an in-app notification; each user gets one email per scan listing theirs.

A logged contact (signals.interaction_logged → outbox job "interactions.logged") runs
on_interaction_logged: it settles the earlier follow-ups the contact fulfils and tells the
enterprise owner (when someone else logged it) and the project's liaison leader, in-app only.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, joinedload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import (
    Department,
    Enterprise,
    Interaction,
    Notification,
    Problem,
    Project,
    Reminder,
    ReminderSetting,
    User,
)
from crm.services.core import signals
from crm.services.core.clock import local_today, month_label, to_utc_naive, utcnow
from crm.services.core.errors import RuleError
from crm.services.messaging import bell, notify, outbox
from crm.services.pipeline import STAGE_LABELS

# Days without contact before a project is stale, per stage; escalation defaults to twice that.
DEFAULT_STALE_DAYS = {"contact": 14, "signed": 30, "started": 30}
MAX_DAYS = 365
REASONS = ("follow_up_due", "stale", "stale_escalated", "problem_overdue", "report_missing", "instruction_overdue")
_COLUMNS = ["target_type", "target_id", "reason", "day", "user_id", "created_at"]
EMAIL_ITEMS = 30  # reminders listed in one email; the rest are counted
REPORT_NAMES = 10  # projects named in a department's missing-report reminder


class SettingsError(RuleError):
    """Thresholds the rules refuse, each under the stage's escalation field (`<stage>_escalate`)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors={f"{stage}_escalate": message for stage, message in errors.items()})


# --- settings --------------------------------------------------------------------------------

def stage_settings() -> dict[str, tuple[int, int]]:
    """{stage: (stale_days, escalate_days)} for the watched stages: saved rows over the defaults."""
    values = {stage: (days, 2 * days) for stage, days in DEFAULT_STALE_DAYS.items()}
    for row in db.session.scalars(sa.select(ReminderSetting)):
        if row.stage in values:
            values[row.stage] = (row.stale_days, row.escalate_days)
    return values


def save_settings(values: dict[str, tuple[int, int]]) -> None:
    """Store the thresholds (audited); raises SettingsError and stores nothing on bad input."""
    errors = {}
    for stage, (stale, escalate) in values.items():
        if stage not in DEFAULT_STALE_DAYS:
            errors[stage] = _("未知阶段。")
        elif not (1 <= stale <= MAX_DAYS and 1 <= escalate <= MAX_DAYS):
            errors[stage] = _("天数须在 1 到 %(max)s 之间。", max=MAX_DAYS)
        elif escalate <= stale:
            errors[stage] = _("升级天数须大于提醒天数。")
    if errors:
        raise SettingsError(errors)
    rows = {row.stage: row for row in db.session.scalars(sa.select(ReminderSetting))}
    for stage, (stale, escalate) in values.items():
        row = rows.get(stage) or ReminderSetting(stage=stage)
        row.stale_days, row.escalate_days = stale, escalate
        db.session.add(row)
    db.session.flush()


# --- candidates: one SELECT per reason -------------------------------------------------------

def _local_midnight_utc(day: date) -> datetime:
    return to_utc_naive(datetime.combine(day, time()))


def _row(target_type: str, target_id, reason: str, user_id, today: date, now: datetime) -> list:
    """The SELECT list matching _COLUMNS."""
    return [sa.literal(target_type), target_id, sa.literal(reason), sa.literal(today, sa.Date), user_id,
            sa.literal(now, sa.DateTime)]


def _due_follow_ups(today: date, now: datetime):
    owner, author = aliased(User), aliased(User)
    user_id = sa.func.coalesce(owner.id, author.id)
    return (sa.select(*_row("interaction", Interaction.id, "follow_up_due", user_id, today, now))
            .select_from(Interaction).join(Enterprise, Enterprise.id == Interaction.enterprise_id)
            .outerjoin(owner, sa.and_(owner.id == Enterprise.owner_id, owner.is_enabled))
            .outerjoin(author, sa.and_(author.id == Interaction.created_by_id, author.is_enabled))
            # ix_interactions_followup serves this range; only the open ones reach the joins.
            .where(Interaction.next_follow_up <= today, Interaction.follow_up_done == sa.false(),
                   user_id.is_not(None)))


def _silent_since(days_by_stage: dict[str, int], today: date):
    """Pool projects with no contact, no stage move and no creation in the last N days of their stage."""
    clauses = []
    for stage, days in days_by_stage.items():
        cutoff_day = today - timedelta(days=days)
        cutoff = _local_midnight_utc(cutoff_day + timedelta(days=1))
        clauses.append(sa.and_(
            Project.stage == stage, Project.created_at < cutoff,
            sa.or_(Project.last_interaction_at.is_(None), Project.last_interaction_at < cutoff),
            sa.or_(Project.stage_on.is_(None), Project.stage_on <= cutoff_day)))
    return sa.and_(Project.in_pool.is_(True), sa.or_(*clauses) if clauses else sa.false())


def stale_clause(today: date):
    """A WHERE condition on Project: stale today by the reminder rule (a pool project at a watched
    stage silent past its stage's 提醒天数): what the daily scan reminds owners of, and what the
    workbenches and the project list's 久未联系 filter show."""
    return _silent_since({stage: days for stage, (days, _escalate) in stage_settings().items()}, today)


def quiet_enterprise_clause(today: date, days: int):
    """A WHERE condition on Enterprise: no contact (and not created) in the last `days` days, the
    same day arithmetic as a stale project's."""
    cutoff = _local_midnight_utc(today - timedelta(days=days) + timedelta(days=1))
    return sa.and_(Enterprise.created_at < cutoff,
                   sa.or_(Enterprise.last_interaction_at.is_(None), Enterprise.last_interaction_at < cutoff))


def quiet_days() -> int:
    """N of "no contact for N days" for an enterprise: the rule's 提醒天数 of the 洽谈 stage, the
    stage a courted firm is in (enterprises have no stage of their own)."""
    return stage_settings()["contact"][0]


def _stale_projects(reason: str, who, days_by_stage: dict[str, int], today: date, now: datetime):
    person = aliased(User)
    return (sa.select(*_row("project", Project.id, reason, person.id, today, now))
            .select_from(Project).join(person, sa.and_(person.id == who, person.is_enabled))
            .where(_silent_since(days_by_stage, today)))


def _officers_of(department_id):
    """A join condition: the enabled officers (部门联络员) of a department."""
    return sa.and_(User.department_id == department_id, User.role == "officer", User.is_enabled)


def _overdue_problems(today: date, now: datetime):
    from crm.services.routines.problems import overdue_clause
    return (sa.select(*_row("problem", Problem.id, "problem_overdue", User.id, today, now))
            .select_from(Problem).join(User, _officers_of(Problem.department_id))
            .where(overdue_clause(today)))


def _overdue_instructions(today: date, now: datetime):
    from crm.models import Instruction
    from crm.models.liaison import instruction_units
    from crm.services.liaison.instructions import overdue_clause
    return (sa.select(*_row("instruction", Instruction.id, "instruction_overdue", User.id, today, now))
            .select_from(Instruction).join(instruction_units, instruction_units.c.instruction_id == Instruction.id)
            .join(User, _officers_of(instruction_units.c.department_id))
            .where(overdue_clause(today)))


def report_month(today: date) -> tuple[date, date]:
    """The latest month whose report is past due on `today` (this month after its due day, else
    the one before), and that report's due date."""
    from crm.services.routines import dispatch
    due_day = dispatch.routine_settings().report_due_day
    month = dispatch.month_start(today)
    if today <= dispatch.due_date(month, due_day):
        month = dispatch.add_months(month, -1)
    return month, dispatch.due_date(month, due_day)


def _owing(month: date):
    """Projects whose report for `month` is missing: dispatch's rule (dispatch.active_clause, no
    report filed for the month) as a WHERE clause, so the scan asks per department whether it
    owes any (EXISTS) instead of listing every project's row as dispatch.missing_reports does."""
    from crm.models import ProgressReport
    from crm.services.routines.dispatch import active_clause
    filed = sa.select(ProgressReport.id).where(ProgressReport.project_id == Project.id,
                                               ProgressReport.month == month)
    return sa.and_(active_clause(), ~filed.exists())


def _missing_reports(month: date, today: date, now: datetime):
    """Each officer of a 牵头部门 that owes `month`'s reports (past due): one reminder per
    department and day listing its projects, not one per project (a department may lead hundreds)."""
    owes = sa.select(Project.id).where(Project.lead_department_id == User.department_id, _owing(month)).exists()
    return (sa.select(*_row("department", User.department_id, "report_missing", User.id, today, now))
            .where(User.role == "officer", User.is_enabled, User.department_id.is_not(None), owes))


# --- writing: only the reminders that are new today ------------------------------------------

def _insert_select(select) -> list:
    """INSERT the selected reminders, skipping those that exist; the rows actually inserted."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = Reminder.__table__
    stmt = (insert(table).from_select(_COLUMNS, select).on_conflict_do_nothing()
            .returning(table.c.id, table.c.target_type, table.c.target_id, table.c.reason, table.c.user_id))
    return db.session.execute(stmt).all()


def scan(now: datetime | None = None) -> dict[str, int]:
    """Write today's reminders and their notifications (flushes; the caller commits).

    Returns the number of new reminders per reason.
    """
    now = now or utcnow()
    today = local_today(now)
    thresholds = stage_settings()
    month, due = report_month(today)
    new = {
        "follow_up_due": _insert_select(_due_follow_ups(today, now)),
        "stale": _insert_select(_stale_projects(
            "stale", Project.owner_id, {s: n for s, (n, _m) in thresholds.items()}, today, now)),
        "stale_escalated": _insert_select(_stale_projects(
            "stale_escalated", Project.liaison_leader_id, {s: m for s, (_n, m) in thresholds.items()}, today, now)),
        "problem_overdue": _insert_select(_overdue_problems(today, now)),
        "report_missing": _insert_select(_missing_reports(month, today, now)),
        "instruction_overdue": _insert_select(_overdue_instructions(today, now)),
    }
    rows = [row for reason_rows in new.values() for row in reason_rows]
    if rows:
        _notify_new(rows, {"today": today, "now": now, "month": month, "month_text": month_label(month),
                           "due_text": due.isoformat(),
                           "words": {key: str(text) for key, text in WORDS.items()}})
    return {reason: len(reason_rows) for reason, reason_rows in new.items()}


# --- what a notification says ----------------------------------------------------------------

# Translated once per scan, not once per notification: a province-wide first scan words ~10⁵.
WORDS = {
    "follow_up.title": _l("跟进到期：%(name)s"),
    "follow_up.body": _l("约定的跟进日期：%(day)s。上次对接内容：%(summary)s"),
    "follow_up.step": _l("下一步：%(step)s"),
    "stale.title": _l("项目久未联系：%(name)s"),
    "stale_escalated.title": _l("【升级】包联项目久未联系：%(name)s"),
    "stale.body": _l("项目处于“%(stage)s”阶段，已超过提醒期限未联系。%(since)s。"),
    "stale.since": _l("最近一次对接：%(day)s"),
    "stale.never": _l("尚无对接记录"),
    "problem.title": _l("问题整改逾期：%(name)s"),
    "problem.body": _l("问题：%(text)s\n整改时限：%(deadline)s，已逾期 %(days)s 天。"),
    "report.title": _l("月度调度未报：%(name)s 有 %(n)s 个项目"),
    "instruction.title": _l("批示办理逾期：%(name)s"),
    "instruction.body": _l("批示：%(text)s\n办理时限：%(deadline)s，已逾期 %(days)s 天，请尽快回复办理情况。"),
    "report.body": _l("%(month)s 的月度调度应于 %(due)s 前报送，以下项目至今未报：%(projects)s"),
}


def _clip(text: str | None, limit: int = 80) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + "…"


def _follow_up_text(w: dict, interaction, enterprise_name: str) -> dict:
    body = w["follow_up.body"] % {"day": interaction.next_follow_up.isoformat(), "summary": _clip(interaction.summary)}
    if interaction.next_step:
        body += "\n" + w["follow_up.step"] % {"step": _clip(interaction.next_step, 200)}
    return {"title": w["follow_up.title"] % {"name": enterprise_name}, "body": body,
            "url": f"/enterprises/{interaction.enterprise_id}", "target_type": "Interaction"}


def _stale_text(w: dict, reason: str, project) -> dict:
    last = project.last_interaction_at
    since = w["stale.since"] % {"day": local_today(last).isoformat()} if last else w["stale.never"]
    stage = str(STAGE_LABELS.get(project.stage, project.stage))
    return {"title": w[f"{reason}.title"] % {"name": project.name},
            "body": w["stale.body"] % {"stage": stage, "since": since},
            "url": f"/projects/{project.id}", "target_type": "Project"}


def _problem_text(w: dict, problem, today: date) -> dict:
    body = w["problem.body"] % {"text": _clip(problem.description), "deadline": problem.deadline.isoformat(),
                                "days": (today - problem.deadline).days}
    return {"title": w["problem.title"] % {"name": problem.project_name}, "body": body,
            "url": f"/routines/problems?project={problem.project_id}&overdue=1", "target_type": "Problem"}


def _instruction_text(w: dict, instruction, today: date) -> dict:
    body = w["instruction.body"] % {"text": _clip(instruction.text), "deadline": instruction.deadline.isoformat(),
                                    "days": (today - instruction.deadline).days}
    return {"title": w["instruction.title"] % {"name": instruction.project_name}, "body": body,
            "url": f"/projects/{instruction.project_id}#instructions", "target_type": "Instruction"}


def _report_text(w: dict, department: dict, when: dict) -> dict:
    names = department["projects"]
    listed = "、".join(names[:REPORT_NAMES]) + ("…" if len(names) > REPORT_NAMES else "")
    return {"title": w["report.title"] % {"name": department["name"], "n": len(names)},
            "body": w["report.body"] % {"month": when["month_text"], "due": when["due_text"], "projects": listed},
            "url": f"/routines/dispatch?month={when['month']:%Y-%m}", "target_type": "Department"}


def _owing_departments(department_ids, month: date) -> dict[int, dict]:
    """{department id: {"name", "projects": names owing `month`'s report, in 专栏 order}}."""
    from crm.services.routines.dispatch import column_order
    found = {}
    for department_id, department_name, project_name in db.session.execute(
            sa.select(Department.id, Department.name, Project.name)
            .join(Project, Project.lead_department_id == Department.id)
            .where(Department.id.in_(department_ids), _owing(month)).order_by(*column_order())):
        found.setdefault(department_id, {"name": department_name, "projects": []})["projects"].append(project_name)
    return found


def _load_targets(rows: list, when: dict) -> dict:
    """The records the new reminders are about: one query per kind of target, no id lists.

    This scan's reminders are those created at `now` within the id range it just inserted.
    """
    ids = [row.id for row in rows]

    def about(target_type: str):
        return sa.select(Reminder.target_id).where(
            Reminder.id.between(min(ids), max(ids)), Reminder.created_at == when["now"],
            Reminder.target_type == target_type)
    return {
        "interaction": {row.id: row for row in db.session.execute(
            sa.select(Interaction.id, Interaction.enterprise_id, Interaction.summary, Interaction.next_step,
                      Interaction.next_follow_up, Enterprise.name.label("enterprise_name"))
            .join(Enterprise, Enterprise.id == Interaction.enterprise_id)
            .where(Interaction.id.in_(about("interaction"))))},
        "project": {row.id: row for row in db.session.execute(
            sa.select(Project.id, Project.name, Project.stage, Project.last_interaction_at)
            .where(Project.id.in_(about("project"))))},
        "problem": {row.id: row for row in db.session.execute(
            sa.select(Problem.id, Problem.project_id, Problem.description, Problem.deadline,
                      Project.name.label("project_name")).join(Project, Project.id == Problem.project_id)
            .where(Problem.id.in_(about("problem"))))},
        "department": _owing_departments(about("department"), when["month"]),
        "instruction": _instructions_about(about("instruction")),
    }


def _instructions_about(ids) -> dict:
    from crm.models import Instruction
    return {row.id: row for row in db.session.execute(
        sa.select(Instruction.id, Instruction.project_id, Instruction.text, Instruction.deadline,
                  Project.name.label("project_name")).join(Project, Project.id == Instruction.project_id)
        .where(Instruction.id.in_(ids)))}


def _text_for(row, targets: dict, when: dict) -> dict:
    w = when["words"]
    if row.target_type == "interaction":
        interaction = targets["interaction"][row.target_id]
        text = _follow_up_text(w, interaction, interaction.enterprise_name)
    elif row.target_type == "problem":
        text = _problem_text(w, targets["problem"][row.target_id], when["today"])
    elif row.target_type == "instruction":
        text = _instruction_text(w, targets["instruction"][row.target_id], when["today"])
    elif row.target_type == "department":
        text = _report_text(w, targets["department"][row.target_id], when)
    else:
        text = _stale_text(w, row.reason, targets["project"][row.target_id])
    return {"user_id": row.user_id, "kind": f"reminder.{row.reason}", "target_id": row.target_id,
            "created_at": when["now"], **text}


def _notify_new(rows: list, when: dict) -> None:
    """One notification per new reminder, one email per user; a constant number of statements.

    The notifications go in as one executemany INSERT, then their ids come back by their keys,
    which are unique per reminder, read above the highest id before the insert (the primary
    key's range; nothing else inserts at `now` under a reminder kind).  INSERT … RETURNING
    did the same through SQLAlchemy's "insertmanyvalues" batches: 1.6 of a province scan's
    2.0 s on PostgreSQL, against 0.2 s now.
    """
    targets = _load_targets(rows, when)
    rows = sorted(rows, key=lambda row: (row.user_id, row.id))
    notes = [_text_for(row, targets, when) for row in rows]
    table = Notification.__table__
    key_columns = (table.c.user_id, table.c.kind, table.c.target_type, table.c.target_id)
    # Ids drawn after this read are above it, even beside a concurrent uncommitted insert.
    before = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
    db.session.execute(sa.insert(table), notes)
    bell.changed({n["user_id"] for n in notes})
    inserted = db.session.execute(sa.select(table.c.id, *key_columns).where(
        table.c.id > before, table.c.created_at == when["now"], table.c.kind.startswith("reminder."))).all()
    note_ids = {tuple(found[1:]): found.id for found in inserted}
    links = [{"rid": row.id, "nid": note_ids[(n["user_id"], n["kind"], n["target_type"], n["target_id"])]}
             for row, n in zip(rows, notes)]
    reminders_table = Reminder.__table__
    db.session.execute(sa.update(reminders_table).where(reminders_table.c.id == sa.bindparam("rid"))
                       .values(notification_id=sa.bindparam("nid")), links)
    _email_each_user([(n["user_id"], link["nid"]) for n, link in zip(notes, links)])


def _email_each_user(notes: list[tuple[int, int]]) -> None:
    """One "mail.notification" job per user with an email address, naming their new notifications.

    An email lists at most EMAIL_ITEMS of them and counts the rest: the app lists them all.
    """
    by_user = defaultdict(list)
    for user_id, note_id in notes:
        by_user[user_id].append(note_id)
    emails = dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(list(by_user)))).all())
    for user_id, ids in by_user.items():
        if emails.get(user_id):
            notify.email_notifications(ids[:EMAIL_ITEMS], more=len(ids) - len(ids[:EMAIL_ITEMS]))
    db.session.flush()


# --- per contact -----------------------------------------------------------------------------

def settle_follow_ups(interaction: Interaction) -> int:
    """Mark done the earlier open follow-ups this contact fulfils; returns how many.

    An earlier contact's follow-up with the same enterprise and the same project (or both
    none) that was due on or before this contact's day is fulfilled by it, so it must not
    keep reminding anyone.  Follow-ups planned for later stay open.
    """
    day = local_today(interaction.occurred_at)
    same_project = (Interaction.project_id.is_(None) if interaction.project_id is None
                    else Interaction.project_id == interaction.project_id)
    earlier = db.session.scalars(sa.select(Interaction).where(
        Interaction.enterprise_id == interaction.enterprise_id, same_project, Interaction.id != interaction.id,
        Interaction.occurred_at <= interaction.occurred_at, Interaction.follow_up_done == sa.false(),
        Interaction.next_follow_up <= day)).all()
    for other in earlier:
        other.follow_up_done = True  # through the ORM, so the audit trail records it
    db.session.flush()
    return len(earlier)


def _contact_recipients(interaction: Interaction) -> list[tuple[User, str]]:
    """(user, link) for the enterprise owner and the liaison leader, never the author, each once."""
    candidates = [(interaction.enterprise.owner, f"/enterprises/{interaction.enterprise_id}")]
    if interaction.project is not None:
        candidates.append((interaction.project.liaison_leader, f"/projects/{interaction.project_id}"))
    seen, found = {interaction.created_by_id}, []
    for user, url in candidates:
        if user is not None and user.is_enabled and user.id not in seen:
            seen.add(user.id)
            found.append((user, url))
    return found


def on_interaction_logged(interaction_id: int) -> int:
    """The "interactions.logged" job: settle fulfilled follow-ups, tell the people concerned.

    The enterprise owner hears of a contact someone else logged, and the project's liaison
    leader of any contact about it: in-app only (a busy day would otherwise flood mailboxes).
    Returns the number of users notified.
    """
    from crm.services.interactions import KIND_LABELS
    interaction = db.session.get(Interaction, interaction_id, options=[
        joinedload(Interaction.enterprise).joinedload(Enterprise.owner), joinedload(Interaction.created_by),
        joinedload(Interaction.project).joinedload(Project.liaison_leader)])
    if interaction is None:
        return 0
    settle_follow_ups(interaction)
    recipients = _contact_recipients(interaction)
    author = interaction.created_by.display_name if interaction.created_by else _("系统")
    about = interaction.enterprise.name
    if interaction.project is not None:
        about = f"{about} · {interaction.project.name}"
    body = _("%(kind)s：%(summary)s", kind=KIND_LABELS.get(interaction.kind, interaction.kind),
             summary=_clip(interaction.summary, 200))
    if interaction.next_follow_up:
        body += "\n" + _("下次跟进：%(day)s", day=interaction.next_follow_up.isoformat())
    for user, url in recipients:
        notify.notify(user, kind="interaction.logged", title=_("%(author)s 新增对接记录：%(about)s",
                                                               author=author, about=about),
                      body=body, url=url, target=interaction, email=False)
    return len(recipients)


@signals.interaction_logged.connect
def _queue_interaction_job(interaction, **kw) -> None:
    outbox.enqueue("interactions.logged", interaction_id=interaction.id)
