"""The quarterly review of the rolling reserve pool (滚动储备库): README "Stage rules" and the rules below.

A review compares the pool as the previous review left it (P: its "in" and "kept" rows; empty
before the first review) with the projects now, and records one batch:

- 出库 out:  projects in P or flagged in_pool that reached 投产 (operating) or 终止 (dropped);
             and projects of P whose in_pool flag was cleared by hand since.  in_pool := False.
- 入库 in:   projects not in P, not leaving, that are flagged in_pool (added or created since
             the last review), or that are new 谋划 candidates: in_pool False, stage planned,
             created after the previous review was run.  in_pool := True.
- 保留 kept: projects of P still flagged in_pool and not leaving.

These are the proposals.  The committee decides per project (POOL_DECISIONS): 入库 (in the pool
after the review), 出库 (out, with a reason), 暂缓 or 待定 (left as the previous review left it:
in the pool if it was, otherwise not admitted, recorded as "held").  Confirming applies every
decision in one transaction, or refuses the whole review and changes nothing.

The pool as it stood at review R is then exactly R's "in" + "kept" rows (project_ids_as_of).
Paused projects stay in the pool: only operating and dropped leave.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.i18n import lazy_pgettext as _p
from crm.models import PoolReview, PoolReviewItem, Project, User
from crm.models.pool import POOL_ACTIONS, POOL_DECISIONS
from crm.services.core import audit, queries
from crm.services.core.errors import RuleError

LEAVING_STAGES = ("operating", "dropped")
QUARTER_RE = re.compile(r"^\d{4}-Q[1-4]$")
# The review pages list this many projects of each kind and count the rest: a province's first
# review takes in 10,000 projects, a 3 MB page.  The project list shows a whole pool, paged.
LIST_LIMIT = 200
DECISION_LABELS = {"in": _l("入库"), "out": _l("出库"), "defer": _p("pool decision", "暂缓"), "pending": _l("待定")}
ACTION_LABELS = {"in": _l("入库"), "out": _l("出库"), "kept": _l("保留"), "held": _l("未入库")}
# The reason proposed for an 出库, by the project's stage (a hand-cleared flag otherwise).
OUT_REASONS = {"operating": _l("已投产"), "dropped": _l("已终止")}
NOTE_MAX = 500


class PoolError(RuleError):
    """A review the rules refuse; the message is shown as a form error."""


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def last_review() -> PoolReview | None:
    return db.session.scalars(
        sa.select(PoolReview).order_by(PoolReview.reviewed_on.desc(), PoolReview.id.desc()).limit(1)).first()


def project_ids_as_of(review_id: int):
    """A select of the ids of the projects in the pool as it stood after review `review_id`.

    Use it as a filter: `Project.id.in_(pool.project_ids_as_of(review_id))`.
    """
    return sa.select(PoolReviewItem.project_id).where(
        PoolReviewItem.review_id == review_id, PoolReviewItem.action.in_(("in", "kept")))


@dataclass
class ReviewPlan:
    previous: PoolReview | None
    incoming: list[Project] = field(default_factory=list)
    outgoing: list[Project] = field(default_factory=list)
    kept: list[Project] = field(default_factory=list)
    was_in: set[int] = field(default_factory=set)  # the pool the previous review left

    def actions(self):
        for action, projects in (("in", self.incoming), ("out", self.outgoing), ("kept", self.kept)):
            for project in projects:
                yield action, project


@dataclass
class ReviewPreview:
    """What a review run now would record, for the page: how many projects of each action
    ("in", "out", "kept") and the first LIST_LIMIT of each, loaded for display."""
    previous: PoolReview | None
    counts: dict[str, int]
    shown: dict[str, list[Project]]


def _classified(previous: PoolReview | None, pool: set[int] | None = None) -> dict[str, list[int]]:
    """The candidates' ids by action, in id order, from (id, stage, in_pool) rows alone: two
    statements, however many projects a province's pool holds.  `pool`: the previous review's
    pool when the caller has read it already."""
    if pool is None:
        pool = _pool_of(previous)
    candidates = [Project.in_pool.is_(True), sa.and_(Project.in_pool.is_(False), Project.stage == "planned",
                                                     *([Project.created_at > previous.created_at] if previous else []))]
    if pool:
        candidates.append(Project.id.in_(project_ids_as_of(previous.id)))
    ids: dict[str, list[int]] = {"in": [], "out": [], "kept": []}
    for project_id, stage, in_pool in db.session.execute(
            sa.select(Project.id, Project.stage, Project.in_pool).where(sa.or_(*candidates)).order_by(Project.id)):
        was_in = project_id in pool
        if stage in LEAVING_STAGES or (was_in and not in_pool):
            ids["out"].append(project_id)
        else:
            ids["kept" if was_in else "in"].append(project_id)
    return ids


def _pool_of(previous: PoolReview | None) -> set[int]:
    return set(db.session.scalars(project_ids_as_of(previous.id))) if previous else set()


def _loaded(ids: list[int]) -> list[Project]:
    """The projects of `ids` in that order, with what the review pages show of them."""
    return list(queries.in_order(Project, ids, (joinedload(Project.sector), joinedload(Project.lead_department))))


def plan_review() -> ReviewPlan:
    """What a review run now would record, every project of it loaded (run_review updates them)."""
    previous = last_review()
    pool = _pool_of(previous)
    ids = _classified(previous, pool)
    return ReviewPlan(previous, _loaded(ids["in"]), _loaded(ids["out"]), _loaded(ids["kept"]), pool)


def preview_review(limit: int | None = None) -> ReviewPreview:
    """The review page's preview: every count, and only the first `limit` projects of each action
    loaded (a province's first review takes in 10,000).  Changes nothing."""
    limit = LIST_LIMIT if limit is None else limit
    previous = last_review()
    ids = _classified(previous)
    return ReviewPreview(previous, {action: len(action_ids) for action, action_ids in ids.items()},
                         {action: _loaded(action_ids[:limit]) for action, action_ids in ids.items()})


def _check(quarter: str, reviewed_on: date, previous: PoolReview | None, today: date) -> str:
    quarter = (quarter or "").strip().upper()
    if not QUARTER_RE.match(quarter):
        raise PoolError(_l("季度格式应为 YYYY-Qn，例如 2026-Q4。"))
    if reviewed_on is None or reviewed_on > today:
        raise PoolError(_l("评审日期不能晚于今天（%(today)s）。", today=today.isoformat()))
    if db.session.scalar(sa.select(PoolReview.id).where(PoolReview.quarter == quarter)):
        raise PoolError(_l("%(quarter)s 已经评审过，每个季度只评审一次。", quarter=quarter))
    if previous is not None:
        if quarter < previous.quarter:
            raise PoolError(_l("季度不能早于上一次评审（%(q)s）。", q=previous.quarter))
        if reviewed_on < previous.reviewed_on:
            raise PoolError(_l("评审日期不能早于上一次评审（%(d)s）。", d=previous.reviewed_on.isoformat()))
    return quarter


def proposed(project: Project, action: str) -> tuple[str, str]:
    """The decision and note a candidate starts with: what the rules above propose."""
    if action == "out":
        return "out", str(OUT_REASONS.get(project.stage, _l("已移出储备库")))
    return "in", ""


def parse_decisions(form) -> dict[int, tuple[str, str]]:
    """The page's per-project fields (decision-<id>, note-<id>) as {project id: (decision, note)}."""
    decisions = {}
    for key, value in form.items():
        name, _dash, ident = key.partition("-")
        if name == "decision" and ident.isdigit():
            decisions[int(ident)] = (value.strip(), (form.get(f"note-{ident}") or "").strip())
    return decisions


def _decide(project: Project, decision: str, note: str) -> None:
    """Refuse a decision the rules do not allow for this project."""
    name = project.display_name
    if decision not in POOL_DECISIONS:
        raise PoolError(_l("项目“%(name)s”的评审决定无效。", name=name))
    if decision == "out" and not note:
        raise PoolError(_l("项目“%(name)s”出库须填写理由。", name=name))
    if decision == "in" and project.stage in LEAVING_STAGES:
        raise PoolError(_l("项目“%(name)s”已投产或已终止，不能入库。", name=name))
    if len(note) > NOTE_MAX:
        raise PoolError(_l("项目“%(name)s”的备注不能超过 %(n)s 字。", name=name, n=NOTE_MAX))


def _action(decision: str, was_in: bool) -> str:
    """What a decision does to membership: 暂缓 and 待定 leave a project where the last review left it."""
    if decision == "out":
        return "out"
    if decision == "in" or was_in:
        return "kept" if was_in else "in"
    return "held"


def _items(plan: ReviewPlan, decisions: dict[int, tuple[str, str]]) -> list[tuple[Project, str, str, str]]:
    """(project, decision, note, action) of every candidate, every decision checked first."""
    candidates = {project.id: (action, project) for action, project in plan.actions()}
    unknown = sorted(set(decisions) - set(candidates))
    if unknown:
        raise PoolError(_l("项目 %(ids)s 不在本次评审的候选项目中，请刷新页面后重新评审。",
                           ids="、".join(map(str, unknown[:10]))))
    rows = []
    for project_id, (proposal, project) in candidates.items():
        decision, note = decisions.get(project_id) or proposed(project, proposal)
        _decide(project, decision, note)
        rows.append((project, decision, note, _action(decision, project_id in plan.was_in)))
    return rows


def run_review(*, quarter: str, reviewed_on: date, note: str | None, actor: User, today: date,
               decisions: dict[int, tuple[str, str]] | None = None) -> PoolReview:
    """Record a review batch and roll the pool (in_pool flags) by the committee's decisions
    (projects without one take the proposal); raises PoolError and changes nothing."""
    if actor.role != "admin":
        raise PoolError(_l("只有管理员可以进行储备库评审。"))
    plan = plan_review()
    quarter = _check(quarter, reviewed_on, plan.previous, today)
    rows = _items(plan, decisions or {})
    review = PoolReview(quarter=quarter, reviewed_on=reviewed_on, reviewed_by_id=actor.id,
                        note=(note or "").strip() or None)
    with audit.acting_as(actor, note=str(_l("储备库评审 %(q)s", q=quarter))):
        db.session.add(review)
        for project, decision, item_note, action in rows:
            review.items.append(PoolReviewItem(project_id=project.id, action=action, stage_at_review=project.stage,
                                               decision=decision, note=item_note or None))
            project.in_pool = action in ("in", "kept")
        db.session.flush()
    return review


def reviews(limit: int = 200) -> list[tuple[PoolReview, dict]]:
    """Reviews newest first, each with its counts per action (two statements)."""
    rows = db.session.scalars(sa.select(PoolReview).options(joinedload(PoolReview.reviewed_by))
                              .order_by(PoolReview.reviewed_on.desc(), PoolReview.id.desc()).limit(limit)).all()
    counts = db.session.execute(
        sa.select(PoolReviewItem.review_id, PoolReviewItem.action, sa.func.count())
        .where(PoolReviewItem.review_id.in_([r.id for r in rows]))
        .group_by(PoolReviewItem.review_id, PoolReviewItem.action)).all()
    by_review: dict[int, dict] = {r.id: dict.fromkeys(POOL_ACTIONS, 0) for r in rows}
    for review_id, action, count in counts:
        by_review[review_id][action] = count
    return [(r, by_review[r.id]) for r in rows]


def review_lists(review: PoolReview, limit: int | None = None) -> dict:
    """A review's page: the pool it left ("pool": its in and kept rows), its "out" and "held" rows, each
    the first `limit` by project id with the projects' sector and lead department loaded, and
    "counts" of every action.  The same few statements however many projects the review covered."""
    limit = LIST_LIMIT if limit is None else limit
    counts = dict(db.session.execute(
        sa.select(PoolReviewItem.action, sa.func.count()).where(PoolReviewItem.review_id == review.id)
        .group_by(PoolReviewItem.action)).all())

    def first(actions) -> list[PoolReviewItem]:
        return db.session.scalars(
            sa.select(PoolReviewItem).where(PoolReviewItem.review_id == review.id, PoolReviewItem.action.in_(actions))
            .options(selectinload(PoolReviewItem.project).joinedload(Project.sector),
                     selectinload(PoolReviewItem.project).joinedload(Project.lead_department))
            .order_by(PoolReviewItem.project_id).limit(limit)).all()

    return {"pool": first(("in", "kept")), "out": first(("out",)), "held": first(("held",)),
            "counts": {action: counts.get(action, 0) for action in POOL_ACTIONS}}


def set_membership(actor: User, projects: list[Project], in_pool: bool) -> list[Project]:
    """Add projects to the pool or take them out by hand, between reviews (the project list's
    bulk action; the next review reads the flags as it reads a hand edit).  All or nothing: a
    project that has reached 投产 or 终止 cannot be added, as a review would not admit it.
    Returns the projects whose flag changed; the audit trail records each, with a note."""
    if in_pool:
        leaving = [p for p in projects if p.stage in LEAVING_STAGES]
        if leaving:
            raise PoolError(_l("项目“%(name)s”已投产或已终止，不能入库。", name=leaving[0].display_name))
    changed = [p for p in projects if bool(p.in_pool) != in_pool]
    with audit.acting_as(actor, note=str(_l("加入储备库") if in_pool else _l("移出储备库"))):
        for project in changed:
            project.in_pool = in_pool
        db.session.flush()
    return changed
