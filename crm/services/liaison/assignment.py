"""Leader liaison assignment (领导包联).

The rules admins edit (crm/models/liaison.py):
- 分管: each sector lists the leaders in charge of it;
- investment tiers: 总投资 ≥ min_investment → leaders of `leader_rank` (1 = 书记/市长); the
  highest tier a project reaches applies, and among that rank the sector's 分管 leaders are
  preferred when there are any (a rank-2 tier picks the sector's 副市长; top leaders oversee
  every sector);
- a cap: no leader holds more than `cap` active liaison projects;
- trigger stages: reaching one of them makes a project need a leader.

A project needs a liaison leader when it is active (in the pool, not 投产/终止) and is key,
reaches a tier, or has reached a trigger stage.  The chosen leader is the eligible one with the
fewest active liaison projects below the cap; ties go by (leader_rank, id) so the answer never
depends on row order.  A project that already has an enabled leader keeps them (idempotent).
A project that needs one but gets none is flagged (LiaisonFlag) and the admins are told once.

The pure rules (eligible_leaders, choose_leader, needs_liaison) take plain arguments; assign and
run_all load, decide and write (flush only; the job or view commits).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import AuditEvent, LiaisonConfig, LiaisonFlag, LiaisonTier, Project, StageEvent, User
from crm.models.liaison import liaison_sector_leaders
from crm.models.project import MAIN_STAGES
from crm.services.core import audit, signals
from crm.services.core.clock import utcnow
from crm.services.core.errors import RuleError

INACTIVE_STAGES = ("operating", "dropped")
# The first-date column proving a stage was reached (planned is where every project starts).
_REACHED_ON = {"contact": "contacted_on", "signed": "signed_on", "started": "started_on",
               "operating": "operating_on"}
LEADERS_URL = "/leaders/"
ADMIN_URL = "/admin/liaison"


@dataclass(frozen=True)
class Tier:
    min_investment: Decimal
    leader_rank: int


@dataclass
class Rules:
    """Everything the assignment reads, loaded once per job."""
    leaders: list[User] = field(default_factory=list)  # enabled leaders, in (rank, id) order
    sector_leaders: dict[int, list[User]] = field(default_factory=dict)
    tiers: list[Tier] = field(default_factory=list)  # highest threshold first
    cap: int | None = None
    trigger_stages: frozenset[str] = frozenset()


# --- pure rules -----------------------------------------------------------------------------

def leader_order(leader: User) -> tuple:
    """The stable tie-break: rank first (leaders without a rank last), then id."""
    return (leader.leader_rank if leader.leader_rank is not None else 99, leader.id)


def is_active(project: Project) -> bool:
    return bool(project.in_pool) and project.stage not in INACTIVE_STAGES


def tier_for(investment, tiers: list[Tier]) -> Tier | None:
    if investment is None:
        return None
    reached = [t for t in tiers if Decimal(investment) >= t.min_investment]
    return max(reached, key=lambda t: t.min_investment) if reached else None


def reached_stage(project: Project, stage: str) -> bool:
    if project.stage == stage:
        return True
    column = _REACHED_ON.get(stage)
    return column is not None and getattr(project, column) is not None


def needs_liaison(project: Project, rules: Rules) -> bool:
    if not is_active(project):
        return False
    return (bool(project.is_key) or tier_for(project.total_investment, rules.tiers) is not None
            or any(reached_stage(project, s) for s in rules.trigger_stages))


def has_valid_leader(project: Project, rules: Rules) -> bool:
    """An enabled leader already holds it: keep them, whoever assigned them."""
    return project.liaison_leader_id is not None and any(
        leader.id == project.liaison_leader_id for leader in rules.leaders)


def eligible_leaders(project: Project, rules: Rules) -> list[User]:
    """The leaders who may take the project, in (rank, id) order (see the module docstring)."""
    in_charge = rules.sector_leaders.get(project.sector_id, [])
    tier = tier_for(project.total_investment, rules.tiers)
    if tier is None:
        return sorted(in_charge, key=leader_order)
    ranked = [leader for leader in rules.leaders if leader.leader_rank == tier.leader_rank]
    preferred = [leader for leader in ranked if leader in in_charge]
    return sorted(preferred or ranked, key=leader_order)


def choose_leader(project: Project, leaders: list[User], loads: dict[int, int], cap: int | None) -> User | None:
    """The eligible leader with the fewest active liaison projects and room under the cap."""
    open_ = [leader for leader in leaders if cap is None or loads.get(leader.id, 0) < cap]
    if not open_:
        return None
    return min(open_, key=lambda leader: (loads.get(leader.id, 0),) + leader_order(leader))


# --- loading --------------------------------------------------------------------------------

def current_config() -> LiaisonConfig:
    """The settings to show: the row, or unsaved defaults (reading never writes)."""
    return db.session.get(LiaisonConfig, 1) or LiaisonConfig(cap=None, trigger_stages=[])


def config() -> LiaisonConfig:
    """The settings row to change, created on first use."""
    row = db.session.get(LiaisonConfig, 1)
    if row is None:
        row = LiaisonConfig(id=1, cap=None, trigger_stages=[])
        db.session.add(row)
        db.session.flush()
    return row


def load_rules(lock: bool = False) -> Rules:
    """Rules in four queries.  lock=True holds the leaders' rows (PostgreSQL) so two jobs can't
    both fill the last place under a leader's cap."""
    leader_q = (sa.select(User).where(User.role == "leader", User.is_enabled.is_(True))
                .order_by(User.leader_rank, User.id))
    if lock:
        leader_q = leader_q.with_for_update()
    leaders = db.session.scalars(leader_q).all()
    by_id = {leader.id: leader for leader in leaders}
    sector_leaders: dict[int, list[User]] = {}
    for sector_id, leader_id in db.session.execute(sa.select(liaison_sector_leaders)).all():
        if leader_id in by_id:
            sector_leaders.setdefault(sector_id, []).append(by_id[leader_id])
    tiers = [Tier(Decimal(t.min_investment), t.leader_rank) for t in
             db.session.scalars(sa.select(LiaisonTier).order_by(LiaisonTier.min_investment.desc()))]
    cfg = db.session.get(LiaisonConfig, 1)
    return Rules(leaders=list(leaders), sector_leaders=sector_leaders, tiers=tiers,
                 cap=cfg.cap if cfg else None,
                 trigger_stages=frozenset(cfg.trigger_stages or ()) if cfg else frozenset())


def _active_liaison():
    return sa.and_(Project.in_pool.is_(True), Project.stage.not_in(INACTIVE_STAGES),
                   Project.liaison_leader_id.is_not(None))


def leader_loads(leader_ids=None) -> dict[int, int]:
    """Active liaison projects per leader (one grouped query)."""
    q = (sa.select(Project.liaison_leader_id, sa.func.count()).where(_active_liaison())
         .group_by(Project.liaison_leader_id))
    if leader_ids is not None:
        q = q.where(Project.liaison_leader_id.in_(list(leader_ids)))
    return dict(db.session.execute(q).all())


# --- writing --------------------------------------------------------------------------------

def _notify(user: User, **kw) -> None:
    from crm.services.messaging.notify import notify  # the notifications module sits beside us
    notify(user, **kw)


def set_leader(project: Project, leader: User | None, *, note: str | None = None) -> None:
    """Give the project its liaison leader, tell the people concerned, clear any flag.

    The change of Project.liaison_leader_id is audited by the listener, attributed to whoever
    the caller acts as (the signed-in admin, or audit.acting_as(label="worker") in jobs).
    """
    old = project.liaison_leader
    if old is not None and leader is not None and old.id == leader.id:
        return
    # Keep whoever the caller acts as (admin in a view, "worker" in a job); add only the note.
    with audit.acting_as(*audit._current_actor(), note=note):
        project.liaison_leader = leader
        db.session.execute(sa.delete(LiaisonFlag).where(LiaisonFlag.project_id == project.id))
        db.session.flush()
    if leader is not None:
        _notify(leader, kind="liaison.assigned", title=_("您有新的包联项目：%(name)s", name=project.name),
                body=_("项目“%(name)s”已安排由您包联，请在“我的包联项目”中查看。", name=project.name),
                url=LEADERS_URL, target=project)
    if old is not None and old.is_enabled and (leader is None or old.id != leader.id):
        _notify(old, kind="liaison.released", title=_("包联项目已调整：%(name)s", name=project.name),
                body=_("项目“%(name)s”已改由其他领导包联。", name=project.name), url=LEADERS_URL,
                target=project)


def _flag(project: Project, reason: str, now: datetime) -> bool:
    """Flag the project for admins; True only the first time (the admins are told then)."""
    if db.session.scalar(sa.select(LiaisonFlag.id).where(LiaisonFlag.project_id == project.id)):
        return False
    db.session.add(LiaisonFlag(project_id=project.id, reason=reason, flagged_at=now))
    db.session.flush()
    for admin in _admins():
        _notify(admin, kind="liaison.unassigned", title=_("项目未分配包联领导：%(name)s", name=project.name),
                body=_("项目“%(name)s”需要包联领导，但按现行规则没有可分配的领导（%(reason)s）。请在包联管理页手动分配或调整规则。",
                       name=project.name, reason=FLAG_REASONS[reason]),
                url=ADMIN_URL, target=project)
    return True


FLAG_REASONS = {"no_eligible": "无符合条件的领导", "all_at_cap": "符合条件的领导均已达上限"}


def _admins() -> list[User]:
    return db.session.scalars(sa.select(User).where(User.role == "admin", User.is_enabled.is_(True))
                              .order_by(User.id)).all()


def _clear_flag(project_id: int) -> None:
    db.session.execute(sa.delete(LiaisonFlag).where(LiaisonFlag.project_id == project_id))


def _decide(project: Project, rules: Rules, loads: dict[int, int], now: datetime) -> str:
    """Assign one project; loads is updated in place so a batch respects the cap."""
    if has_valid_leader(project, rules):
        _clear_flag(project.id)
        return "kept"
    if not needs_liaison(project, rules):
        _clear_flag(project.id)
        return "not_needed"
    leaders = eligible_leaders(project, rules)
    leader = choose_leader(project, leaders, loads, rules.cap)
    if leader is None:
        _flag(project, "all_at_cap" if leaders else "no_eligible", now)
        return "unassigned"
    set_leader(project, leader, note=_("按包联规则自动分配"))
    loads[leader.id] = loads.get(leader.id, 0) + 1
    return "assigned"


def assign(project_id: int, now: datetime | None = None) -> str:
    """Assign one project if it needs a leader: "kept", "assigned", "unassigned", "not_needed"
    or "missing".  Flushes; the caller commits."""
    now = now or utcnow()
    project = db.session.get(Project, project_id)
    if project is None:
        return "missing"
    rules = load_rules(lock=True)
    loads = leader_loads(leader.id for leader in rules.leaders)
    return _decide(project, rules, loads, now)


def run_all(now: datetime | None = None) -> dict[str, int]:
    """Assign every active project that needs a leader and has none; clear stale flags.

    A bounded number of reads whatever the pool size, then one write per changed project.
    """
    now = now or utcnow()
    rules = load_rules(lock=True)
    valid_ids = [leader.id for leader in rules.leaders]
    loads = leader_loads(valid_ids)
    candidates = db.session.scalars(
        sa.select(Project).where(Project.in_pool.is_(True), Project.stage.not_in(INACTIVE_STAGES),
                                 sa.or_(Project.liaison_leader_id.is_(None),
                                        Project.liaison_leader_id.not_in(valid_ids or [-1])))
        .order_by(Project.id)).all()
    counts = {"assigned": 0, "unassigned": 0, "not_needed": 0, "kept": 0}
    for project in candidates:
        counts[_decide(project, rules, loads, now)] += 1
    # Flags of projects that meanwhile got a leader by hand or left the pool.
    candidate_ids = {p.id for p in candidates}
    stale = [f for f in db.session.scalars(sa.select(LiaisonFlag.project_id)) if f not in candidate_ids]
    if stale:
        db.session.execute(sa.delete(LiaisonFlag).where(LiaisonFlag.project_id.in_(stale)))
    db.session.flush()
    return counts


def unassigned_flags() -> list[LiaisonFlag]:
    """The admin list 未分配包联领导的项目, with what the template shows loaded."""
    return db.session.scalars(
        sa.select(LiaisonFlag).options(sa.orm.joinedload(LiaisonFlag.project).joinedload(Project.sector))
        .order_by(LiaisonFlag.flagged_at, LiaisonFlag.id)).all()


# --- triggers -------------------------------------------------------------------------------

def _enqueue(project: Project) -> None:
    from crm.services.messaging import outbox
    outbox.enqueue("liaison.assign", project_id=project.id)


def _crossed_tier(old, new, tiers: list[Tier]) -> bool:
    return tier_for(new, tiers) is not None and tier_for(new, tiers) != tier_for(old, tiers)


def _tiers() -> list[Tier]:
    return [Tier(Decimal(m), r) for m, r in
            db.session.execute(sa.select(LiaisonTier.min_investment, LiaisonTier.leader_rank))]


def on_project_saved(project: Project, changes: dict | None = None, **_kw) -> None:
    """Queue an assignment when the project became key or its investment crossed a tier."""
    changes = changes or {}
    if project.liaison_leader_id is not None or not is_active(project):
        return
    became_key = "is_key" in changes and bool(changes["is_key"][1]) and not bool(changes["is_key"][0])
    crossed = False
    if "total_investment" in changes:
        old, new = changes["total_investment"]
        crossed = _crossed_tier(old, new, _tiers())
    if became_key or crossed:
        _enqueue(project)


def on_stage_moved(project: Project, event: StageEvent | None = None, **_kw) -> None:
    """Queue an assignment when the project reached a configured trigger stage."""
    if project.liaison_leader_id is not None or not is_active(project) or event is None:
        return
    cfg = db.session.get(LiaisonConfig, 1)
    if cfg and event.to_stage in (cfg.trigger_stages or ()) and event.to_stage in MAIN_STAGES:
        _enqueue(project)


signals.project_saved.connect(on_project_saved)
signals.stage_moved.connect(on_stage_moved)


# --- admin edits ----------------------------------------------------------------------------

class LiaisonError(RuleError):
    """An edit the rules refuse; the message is shown to the admin as is."""


def add_tier(min_investment, leader_rank: int) -> LiaisonTier:
    """A new investment tier; two tiers at the same threshold would contradict each other."""
    if db.session.scalar(sa.select(LiaisonTier.id).where(LiaisonTier.min_investment == min_investment)):
        raise LiaisonError(_("已有相同投资额的档位。"), field="min_investment")
    tier = LiaisonTier(min_investment=min_investment, leader_rank=leader_rank)
    db.session.add(tier)
    db.session.flush()
    return tier


def assign_by_hand(project: Project, leader: User, *, reason: str | None = None) -> None:
    """An admin's (re)assignment: any enabled leader, but never past the cap."""
    if leader.role != "leader" or not leader.is_enabled:
        raise LiaisonError(_("只能选择已启用的市级领导。"))
    cap = current_config().cap
    if cap is not None and project.liaison_leader_id != leader.id and is_active(project):
        if leader_loads([leader.id]).get(leader.id, 0) >= cap:
            raise LiaisonError(_("%(name)s 已包联 %(n)s 个在推项目，达到上限；请先调整上限或其他项目。",
                                 name=leader.display_name, n=cap))
    set_leader(project, leader, note=reason or _("管理员手动分配"))


def sector_leader_ids() -> dict[int, set[int]]:
    rows = db.session.execute(sa.select(liaison_sector_leaders)).all()
    result: dict[int, set[int]] = {}
    for sector_id, leader_id in rows:
        result.setdefault(sector_id, set()).add(leader_id)
    return result


def _names(ids: set[int], names: dict[int, str]) -> list[str]:
    """The audit log names people: an id means nothing to whoever reads it later."""
    return [names.get(i, str(i)) for i in sorted(ids)]


def set_sector_leaders(wanted: dict[int, set[int]], actor: User) -> int:
    """Replace the 分管 table (sector → leader ids); audited per changed sector.  Returns the
    number of sectors changed.  Ids of non-leaders are refused."""
    leader_ids = set(db.session.scalars(sa.select(User.id).where(User.role == "leader")))
    if any(ids - leader_ids for ids in wanted.values()):
        raise LiaisonError(_("只能选择市级领导。"))
    current = sector_leader_ids()
    names = dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(leader_ids))).all())
    changed = 0
    for sector_id in set(current) | set(wanted):
        old, new = current.get(sector_id, set()), wanted.get(sector_id, set())
        if old == new:
            continue
        changed += 1
        table = liaison_sector_leaders
        if old - new:
            db.session.execute(sa.delete(table).where(table.c.sector_id == sector_id,
                                                      table.c.leader_id.in_(old - new)))
        for leader_id in sorted(new - old):
            db.session.execute(sa.insert(table).values(sector_id=sector_id, leader_id=leader_id))
        db.session.add(AuditEvent(actor_id=actor.id, actor_label=actor.username, object_type="Sector",
                                  object_id=sector_id, action="liaison",
                                  changes={"liaison_leaders": [_names(old, names), _names(new, names)]}))
    db.session.flush()
    return changed
