"""Stage rules of the project pipeline (README "Stage rules").

planned 谋划 → contact 洽谈 → signed 签约 → started 开工 → operating 投产, with the side states
paused 暂缓 and dropped 终止.  A normal move goes one step forward with its evidence; skips and
moves back are for admins, with a reason; dates never run backward; each milestone counts
once, at its first date.  Every move writes a StageEvent (and, through the audit listener,
an AuditEvent) and announces itself on `signals.stage_moved`.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Project, StageEvent, User
from crm.models.project import MAIN_STAGES, SIDE_STAGES, STAGE, STAGES
from crm.services.core import access, audit, signals
from crm.services.core.clock import local_today
from crm.services.core.errors import RuleError
from crm.services.core.locking import lock_for_update

STAGE_LABELS = STAGE  # value → label, defined once with the column (crm/models/project.py)

# The first-date column each milestone fills, in stage order.
MILESTONE_FIELDS = {"contact": "contacted_on", "signed": "signed_on", "started": "started_on",
                    "operating": "operating_on"}


class StageError(RuleError):
    """A move the rules refuse; the message is shown to the user as is."""


def base_stage(project: Project) -> str:
    """The main-line stage a project stands at (for paused/dropped: the last one reached)."""
    if project.stage in MAIN_STAGES:
        return project.stage
    for ev in reversed(project.stage_events):
        if ev.to_stage in MAIN_STAGES:
            return ev.to_stage
        if ev.from_stage in MAIN_STAGES:
            return ev.from_stage
    return "planned"


def last_event_date(project: Project) -> date | None:
    dates = [ev.occurred_on for ev in project.stage_events]
    return max(dates) if dates else None


def classify(project: Project, to_stage: str) -> str:
    """"normal", "resume", "side" or "override" (skip, move back, revive a dropped project)."""
    if to_stage in SIDE_STAGES:
        return "side"
    if project.stage == "dropped":
        return "override"
    step = MAIN_STAGES.index(to_stage) - MAIN_STAGES.index(base_stage(project))
    if step == 0 and project.stage == "paused":
        return "resume"
    return "normal" if step == 1 else "override"


def _check_dates(project: Project, to_stage: str, on: date, today: date, last: date | None = None) -> None:
    """`last`: the latest move's date when the project's events are not at hand (a probe)."""
    if on > today:
        raise StageError(_l("日期不能晚于今天（%(today)s）。", today=today.isoformat()))
    last = last or last_event_date(project)
    if last and on < last:
        raise StageError(_l("日期不能早于上一次阶段变更（%(last)s）：阶段日期不能倒流。", last=last.isoformat()))
    if to_stage in MAIN_STAGES:
        # 开工 ≥ 签约 ≥ 首次洽谈: compare with every earlier milestone already dated.
        for earlier in MAIN_STAGES[1:MAIN_STAGES.index(to_stage)]:
            earlier_on = getattr(project, MILESTONE_FIELDS[earlier])
            if earlier_on and on < earlier_on:
                raise StageError(_l("%(stage)s日期不能早于%(earlier)s日期（%(on)s）。",
                                    stage=STAGE_LABELS[to_stage], earlier=STAGE_LABELS[earlier],
                                    on=earlier_on.isoformat()))


def _check_evidence(to_stage: str, kind: str, contract_amount) -> None:
    if to_stage == "signed" and kind != "resume":
        if contract_amount is None or Decimal(contract_amount) <= 0:
            raise StageError(_l("签约需要填写签约日期和大于零的签约金额（万元）。"))


def _fill_milestones(project: Project, to_stage: str, on: date, contract_amount) -> None:
    """First dates only: reaching a stage (even by a skip) implies every earlier milestone."""
    if to_stage not in MAIN_STAGES:
        return
    for stage in MAIN_STAGES[1:MAIN_STAGES.index(to_stage) + 1]:
        field = MILESTONE_FIELDS[stage]
        if getattr(project, field) is None:
            setattr(project, field, on)
            if stage == "signed" and contract_amount is not None:
                project.signed_amount = Decimal(contract_amount)


def move_stage(project: Project, to_stage: str, *, actor: User, occurred_on: date | None,
               contract_amount=None, evidence: str | None = None, reason: str | None = None,
               today: date | None = None) -> StageEvent:
    """Move `project` to `to_stage`, or raise StageError/access.Denied and change nothing.

    The project's row is locked and read again first: two requests moving it at once are
    checked one after the other, so the second sees the first one's move."""
    lock_for_update(project)
    access.require(access.can_edit_project(actor, project), _l("无权修改该项目。"))
    kind = target_kind(project, to_stage, actor)
    if occurred_on is None:
        raise StageError(_l("请填写发生日期。"))
    reason = (reason or "").strip() or None
    if kind == "side" and not reason:
        raise StageError(_l("暂缓或终止项目必须填写原因。"))
    if kind == "override" and not reason:
        raise StageError(_l("跳级、回退或恢复已终止项目必须填写原因。"))
    _check_dates(project, to_stage, occurred_on, today or local_today())
    _check_evidence(to_stage, kind, contract_amount)

    event = StageEvent(
        project=project, from_stage=project.stage, to_stage=to_stage, occurred_on=occurred_on,
        contract_amount=Decimal(contract_amount) if contract_amount not in (None, "") else None,
        evidence=(evidence or "").strip() or None, reason=reason, is_override=kind == "override",
        recorded_by_id=actor.id,
    )
    with audit.acting_as(actor, note=reason or audit.current_note()):  # an import's row, when no reason
        project.stage = to_stage
        project.stage_on = occurred_on
        _fill_milestones(project, to_stage, occurred_on, contract_amount)
        db.session.add(event)
        db.session.flush()
    signals.stage_moved.send(project, event=event)
    return event


def check_history(steps, today: date, start: Project | None = None, last: date | None = None
                  ) -> tuple[str, str] | None:
    """The first problem, as (stage, message), of moving a new 谋划 project (or `start`, whose
    latest move is dated `last`) through `steps` [(stage, date, contract amount, …)], one move
    each, by the rules of move_stage; None when every move would pass.  Changes nothing: an
    import checks all its rows before it saves any (services/stage_import).  Reasons are the
    caller's to check."""
    probe = Project(stage="planned")  # transient: never added to the session
    if start is not None:
        probe.stage = start.stage
        for field in MILESTONE_FIELDS.values():
            setattr(probe, field, getattr(start, field))
    for stage, on, amount, *_reason in steps:
        try:  # a main stage is checked against each earlier milestone, which names the one it precedes
            _check_dates(probe, stage, on, today, last if stage in SIDE_STAGES or start is not None else None)
            _check_evidence(stage, classify(probe, stage), amount)
        except StageError as error:
            return stage, str(error)
        probe.stage, last = stage, on
        _fill_milestones(probe, stage, on, amount)
    return None


def target_kind(project: Project, to_stage: str, user: User) -> str:
    """classify() of a move the user may pick at all, or StageError saying why not: the stage the
    project stands at, or a skip or move back by anyone but an admin.  Reasons, dates and evidence
    are move_stage's to check; the board asks this when a card is dropped, before its form opens."""
    if to_stage not in STAGES:
        raise StageError(_l("未知阶段：%(stage)s", stage=to_stage))
    if to_stage == project.stage:
        raise StageError(_l("项目已处于该阶段。"))
    kind = classify(project, to_stage)
    if kind == "override" and user.role != "admin":
        raise StageError(_l("只能逐级推进一个阶段；跳级或回退须由管理员操作并说明原因。"))
    return kind


def allowed_targets(project: Project, user: User) -> list[str]:
    """Stages the user may pick in the move form (the rules above still check the details)."""
    if not access.can_edit_project(user, project):
        return []
    targets = []
    for stage in STAGES:
        try:
            target_kind(project, stage, user)
        except StageError:
            continue
        targets.append(stage)
    return targets


def default_target(project: Project, user: User) -> str | None:
    """The stage the move form preselects: the next main-line stage when it is the only one on
    the main line the user may pick (staff's one step forward; 暂缓/终止 stay a deliberate choice)."""
    main = [s for s in allowed_targets(project, user) if s in MAIN_STAGES]
    return main[0] if len(main) == 1 and classify(project, main[0]) == "normal" else None
