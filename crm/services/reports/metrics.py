"""The 2025 goals (发展目标) and the dashboard's aggregates.

A goal whose `measure` is "computed:<metric>" gets its current value from the data; a
"manual" goal shows the latest GoalValue an admin entered (by as_of, then id), falling back
to Goal.manual_value.  Definitions (shown on the dashboard as the formulas):

- key_projects_count: projects with is_key true and stage ≠ dropped (终止) — 重点推进生物领域产业项目.
- key_projects_investment: Σ total_investment (万元) of those projects, shown in the goal's unit (亿元).
- high_tech_enterprises: local enterprises (region contains 绥芬河, source 本地企业, or status
  invested) in a bio sector (sector set), tagged 高新技术企业.
- specialized_enterprises: local enterprises tagged 专精特新 (the plan's goal is city-wide).
- innovation_platforms: InnovationPlatform rows of level 省级 recognised on or before today.

Every function here runs a fixed number of statements, whatever the number of rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import current_lang, term
from crm.i18n import lazy_gettext as _l
from crm.models import (
    Enterprise,
    EnterpriseTag,
    Goal,
    GoalValue,
    InnovationPlatform,
    Problem,
    Project,
    Sector,
    StageEvent,
)
from crm.models.metrics import PLATFORM_LEVELS
from crm.models.project import STAGES
from crm.services.core import audit, versions
from crm.services.core.errors import RuleError
from crm.services.core.money import YI, format_wan

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class MetricError(RuleError):
    """Input the rules refuse; the message is shown as a form error."""


class FieldError(MetricError):
    """A refusal that belongs to one form field."""

    def __init__(self, field: str, message):
        super().__init__(message, field=field)


def percent(numerator, denominator) -> Decimal | None:
    """numerator / denominator × 100, rounded half-up to 0.01; None when the denominator is 0."""
    numerator, denominator = Decimal(numerator or 0), Decimal(denominator or 0)
    if denominator == 0:
        return None
    return (numerator * HUNDRED / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


def plain_number(value) -> str:
    """10.00 → "10", 1.2345 → "1.2345", 12000 → "12,000" (no exponent, no trailing zeros)."""
    if value is None:
        return "—"
    text = f"{Decimal(value):,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def goal_amount(value, unit: str, lang: str | None = None) -> str:
    """A goal's figure with its unit as the reader's language writes it: money through the
    money formatter ("10 亿元" / "CNY 1 billion", not "10 100M CNY"), other units as a plain
    number and the unit word ("2 家" / "2 firms")."""
    if value is None:
        return "—"
    lang = lang or current_lang()
    if unit in ("万元", "亿元"):
        return format_wan(convert(Decimal(value), unit, "万元"), lang)
    return f"{plain_number(value)} {term(unit)}"


def money(value) -> Decimal:
    """A SQL sum as Decimal 万元 to the cent (SQLite sums NUMERIC as float)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


# ---- computed measures -------------------------------------------------------------------

def key_project_filter():
    """重点推进生物领域产业项目: key projects not terminated."""
    return sa.and_(Project.is_key.is_(True), Project.stage != "dropped")


LOCAL_REGION, LOCAL_SOURCE, INVESTED = "绥芬河", "本地企业", "invested"


def local_enterprise_filter():
    """"Our" enterprises: located in 绥芬河, local by source, or already invested here.  The values
    are written into the SQL (literal_execute), not bound: a database uses LOCAL_FIRMS_INDEX, whose
    condition is this same expression, only when it can see that the query's WHERE implies it."""
    def value(text):
        return sa.literal(text, literal_execute=True)
    return sa.or_(Enterprise.region.like(value(f"%{LOCAL_REGION}%")),
                  Enterprise.source_channel == value(LOCAL_SOURCE), Enterprise.status == value(INVESTED))


# The local firms' ids and sectors (a third of the firms), so the tagged-firm count reads this
# instead of every tagged firm's row.  The revisions d8f3b5a1e726/a3e5c8f1b702 build it with this
# same condition, written out as SQL.
LOCAL_FIRMS_INDEX = sa.Index("ix_enterprises_local", Enterprise.id, Enterprise.sector_id,
                             sqlite_where=local_enterprise_filter(), postgresql_where=local_enterprise_filter())


HIGH_TECH, SPECIALIZED = "高新技术企业", "专精特新"


def _key_projects(today: date) -> dict[str, tuple[Decimal, str]]:
    """Both key-project figures from one pass over the projects."""
    count, total = db.session.execute(sa.select(sa.func.count(Project.id), sa.func.sum(Project.total_investment))
                                      .where(key_project_filter())).one()
    return {"key_projects_count": (Decimal(count or 0), "个"), "key_projects_investment": (money(total), "万元")}


def local_firms(dialect: sa.engine.Dialect) -> sa.Subquery:
    """The local firms' ids and sectors, read from LOCAL_FIRMS_INDEX.  SQLite's planner prefers
    looking each tagged firm up by rowid, which reads its whole row, so it is told the index
    (INDEXED BY: SQLAlchemy writes no SQLite hints, hence the text; it fails loudly, not slowly,
    if the index or its condition drifts from the filter)."""
    if dialect.name != "sqlite":
        return sa.select(Enterprise.id, Enterprise.sector_id).where(local_enterprise_filter()).subquery("local_firms")
    where = local_enterprise_filter().compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return (sa.text(f"SELECT enterprises.id, enterprises.sector_id FROM enterprises "
                    f"INDEXED BY {LOCAL_FIRMS_INDEX.name} WHERE {where}")
            .columns(Enterprise.id, Enterprise.sector_id).subquery("local_firms"))


def local_tagged_select(dialect: sa.engine.Dialect) -> sa.Select:
    """Both tagged-firm figures from one join of the two tags' rows with the local firms.
    (enterprise, tag) is the tags' key, so a firm counts once per tag without DISTINCT."""
    tag, local = EnterpriseTag.tag, local_firms(dialect)
    return (sa.select(sa.func.count().filter(sa.and_(tag == HIGH_TECH, local.c.sector_id.is_not(None))),
                      sa.func.count().filter(tag == SPECIALIZED))
            .join_from(local, EnterpriseTag, EnterpriseTag.enterprise_id == local.c.id)
            .where(tag.in_((HIGH_TECH, SPECIALIZED))))


def _local_tagged(today: date) -> dict[str, tuple[Decimal, str]]:
    high_tech, specialized = db.session.execute(local_tagged_select(db.session.get_bind().dialect)).one()
    return {"high_tech_enterprises": (Decimal(high_tech or 0), "家"),
            "specialized_enterprises": (Decimal(specialized or 0), "家")}


def _platforms(today: date) -> dict[str, tuple[Decimal, str]]:
    count = db.session.scalar(sa.select(sa.func.count(InnovationPlatform.id)).where(
        InnovationPlatform.level == "省级", InnovationPlatform.recognized_on <= today))
    return {"innovation_platforms": (Decimal(count or 0), "家")}


# metric name -> (function(today) -> {metric: (value, unit)}, the formula shown on the dashboard);
# a function serves the metrics one statement can answer together, and runs once per request.
COMPUTED = {
    "key_projects_count": (_key_projects, _l("“重点项目”标记为是、且阶段不是“终止”的项目个数")),
    "key_projects_investment": (_key_projects, _l("上述重点项目的总投资之和（万元 ÷ 10000 = 亿元）")),
    "high_tech_enterprises": (_local_tagged, _l("本地企业（地区含“绥芬河”、来源为本地企业或已落地投资）中，"
                                                "属生物产业且带“高新技术企业”标签的企业数")),
    "specialized_enterprises": (_local_tagged, _l("本地企业中带“专精特新”标签的企业数")),
    "innovation_platforms": (_platforms, _l("创新平台名单中级别为“省级”、认定日期不晚于今天的平台数")),
}


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """万元 ↔ 亿元; other units pass through unchanged."""
    if from_unit == "万元" and to_unit == "亿元":
        return (value / YI).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if from_unit == "亿元" and to_unit == "万元":
        return value * YI
    return value


# ---- goal status ------------------------------------------------------------------------

@dataclass
class GoalStatus:
    goal: Goal
    value: Decimal | None
    computed: bool
    formula: str
    as_of: date | None = None
    source: str | None = None

    @property
    def progress(self) -> Decimal | None:
        """Share of the target reached, in percent (may exceed 100)."""
        if self.value is None:
            return None
        return percent(self.value, self.goal.target)

    @property
    def bar(self) -> Decimal:
        """The progress bar's width: the progress capped at 100."""
        return min(self.progress or Decimal(0), HUNDRED)

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= self.goal.target


def latest_values(goal_ids=None) -> dict[int, GoalValue]:
    """The latest GoalValue of each goal (greatest as_of, then greatest id), in one statement."""
    newer = sa.orm.aliased(GoalValue)
    latest_id = (sa.select(newer.id).where(newer.goal_id == GoalValue.goal_id)
                 .order_by(newer.as_of.desc(), newer.id.desc()).limit(1).scalar_subquery())
    query = sa.select(GoalValue).where(GoalValue.id == latest_id)
    if goal_ids is not None:
        query = query.where(GoalValue.goal_id.in_(list(goal_ids)))
    return {v.goal_id: v for v in db.session.scalars(query)}


def goal_statuses(today: date, computed: dict | None = None) -> list[GoalStatus]:
    """Every goal with its current value, in the plan's order.  `computed`: the computed metrics'
    (value, unit) already at hand (the dashboard's stored figures); else they are counted here."""
    goals = db.session.scalars(sa.select(Goal).order_by(Goal.sort_order, Goal.id)).all()
    entered = latest_values()
    cache: dict = {}  # function -> its figures
    statuses = []
    for goal in goals:
        metric = goal.measure.removeprefix("computed:") if goal.measure.startswith("computed:") else None
        if metric in COMPUTED:
            func, formula = COMPUTED[metric]
            if computed is not None and metric in computed:
                value, unit = computed[metric]
                statuses.append(GoalStatus(goal, convert(value, unit, goal.unit), True, str(formula), as_of=today))
                continue
            if func not in cache:
                cache[func] = func(today)
            value, unit = cache[func][metric]
            statuses.append(GoalStatus(goal, convert(value, unit, goal.unit), True, str(formula), as_of=today))
            continue
        row = entered.get(goal.id)
        if row is not None:
            statuses.append(GoalStatus(goal, row.value, False, str(_l("管理员录入的最新值")), row.as_of, row.source))
        else:
            statuses.append(GoalStatus(goal, goal.manual_value, False, str(_l("管理员录入的最新值")),
                                       goal.manual_as_of, goal.manual_source))
    return statuses


def is_manual(goal: Goal) -> bool:
    return not (goal.measure.startswith("computed:") and goal.measure.removeprefix("computed:") in COMPUTED)


def record_goal_value(goal: Goal, *, value, as_of: date, source: str, actor, today: date,
                      version=None) -> GoalValue:
    """Add a dated value to a manual goal's history and mirror the latest onto the goal.  `version`:
    the goal's, as the form was filled from it (services/versions)."""
    if not is_manual(goal):
        raise MetricError(_l("该目标由系统根据数据计算，不能手工录入。"))
    if value is None or Decimal(value) < 0:
        raise FieldError("value", _l("数值不能为负数。"))
    if as_of is None or as_of > today:
        raise FieldError("as_of", _l("统计日期不能晚于今天（%(today)s）。", today=today.isoformat()))
    source = (source or "").strip()
    if not source:
        raise FieldError("source", _l("请填写数据来源。"))
    versions.check(goal, {"version": version})
    row = GoalValue(goal_id=goal.id, value=Decimal(value), as_of=as_of, source=source[:200],
                    entered_by_id=actor.id)
    with audit.acting_as(actor), versions.saved(goal, {"version": version}):
        db.session.add(row)
        if goal.manual_as_of is None or as_of >= goal.manual_as_of:
            goal.manual_value, goal.manual_as_of, goal.manual_source = row.value, as_of, row.source
        db.session.flush()
    return row


def goal_history(goal: Goal, limit: int = 50) -> list[GoalValue]:
    return db.session.scalars(
        sa.select(GoalValue).options(sa.orm.joinedload(GoalValue.entered_by))
        .where(GoalValue.goal_id == goal.id).order_by(GoalValue.as_of.desc(), GoalValue.id.desc()).limit(limit)
    ).all()


# ---- time and pipeline aggregates -------------------------------------------------------

def period_elapsed(today: date, start_year: int = 2021, end_year: int = 2025) -> Decimal:
    """Share of 1 Jan start_year … 31 Dec end_year elapsed at the end of `today`, in percent (0–100)."""
    start, end = date(start_year, 1, 1), date(end_year, 12, 31)
    total = (end - start).days + 1
    done = (min(max(today, start - timedelta(days=1)), end) - start).days + 1
    return percent(done, total)


@dataclass
class StageTotal:
    stage: str
    count: int
    investment: Decimal


def funnel() -> list[StageTotal]:
    """Projects by their current stage: how many, and Σ total_investment (万元).  count(*) lets
    it read only the board's (stage, sector, investment) index (see projects.stage_totals)."""
    rows = db.session.execute(
        sa.select(Project.stage, sa.func.count(), sa.func.sum(Project.total_investment))
        .group_by(Project.stage)).all()
    found = {stage: (count, total) for stage, count, total in rows}
    return [StageTotal(s, found.get(s, (0, 0))[0], money(found.get(s, (0, 0))[1])) for s in STAGES]


def investment_by_sector() -> list[dict]:
    """Σ total_investment (万元) and project count per sector (named in the UI language), projects
    not terminated."""
    label = Sector.label_column()
    rows = db.session.execute(
        sa.select(label, sa.func.count(Project.id), sa.func.sum(Project.total_investment))
        .join(Project, Project.sector_id == Sector.id)
        .where(Project.stage != "dropped")
        .group_by(Sector.id, label, Sector.column_no).order_by(Sector.column_no, Sector.id)).all()
    return [{"sector": name, "count": count, "investment": money(total)} for name, count, total in rows]


def month_starts(today: date, months: int = 12) -> list[date]:
    """The first days of the last `months` months, oldest first, ending with today's month."""
    year, month = today.year, today.month
    out = []
    for _ in range(months):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def stage_moves_by_month(today: date, months: int = 12) -> dict:
    """StageEvents per month and target stage over the last `months` months (occurred_on ≤ today)."""
    starts = month_starts(today, months)
    year = sa.extract("year", StageEvent.occurred_on)
    month = sa.extract("month", StageEvent.occurred_on)
    rows = db.session.execute(
        sa.select(year, month, StageEvent.to_stage, sa.func.count(StageEvent.id))
        .where(StageEvent.occurred_on >= starts[0], StageEvent.occurred_on <= today)
        .group_by(year, month, StageEvent.to_stage)).all()
    labels = [d.strftime("%Y-%m") for d in starts]
    series = {stage: [0] * len(labels) for stage in STAGES}
    for y, m, stage, count in rows:
        key = f"{int(y):04d}-{int(m):02d}"
        if key in labels and stage in series:
            series[stage][labels.index(key)] += count
    return {"months": labels, "series": series}


# ---- problems (问题台账, from the routines feature) ---------------------------------------

def problem_stats(today: date) -> dict:
    """办结率 = resolved ÷ all problems; overdue = not resolved with 整改时限 before today."""
    resolved = Problem.status == "resolved"
    row = db.session.execute(sa.select(
        sa.func.count(Problem.id),
        sa.func.sum(sa.case((resolved, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(~resolved, Problem.deadline < today), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(resolved, Problem.resolved_on > Problem.deadline), 1), else_=0)),
    )).one()
    total, done, overdue, late = (int(v or 0) for v in row)
    return {"total": total, "resolved": done, "open": total - done, "overdue": overdue,
            "resolved_late": late, "rate": percent(done, total)}


# ---- innovation platforms (admin-kept list) ----------------------------------------------

def save_platform(platform: InnovationPlatform, *, name: str, level: str, enterprise_name: str | None,
                  recognized_on: date, note: str | None, actor, today: date) -> InnovationPlatform:
    """Validate and save a platform, or raise FieldError and change nothing."""
    from crm.services.enterprises import normalize_name
    if level not in PLATFORM_LEVELS:
        raise FieldError("level", _l("级别只能是省级或市级。"))
    if recognized_on is None or recognized_on > today:
        raise FieldError("recognized_on", _l("认定日期不能晚于今天（%(today)s）。", today=today.isoformat()))
    enterprise = None
    if (enterprise_name or "").strip():
        enterprise = db.session.scalar(sa.select(Enterprise).where(
            Enterprise.name_norm == normalize_name(enterprise_name)))
        if enterprise is None:
            raise FieldError("enterprise_name", _l("企业库中没有名为“%(name)s”的企业，请先在企业库中添加。",
                                                   name=enterprise_name.strip()))
    with audit.acting_as(actor):
        platform.name, platform.level, platform.recognized_on = name.strip(), level, recognized_on
        platform.enterprise = enterprise
        platform.note = (note or "").strip() or None
        db.session.add(platform)
        db.session.flush()
    return platform


def platforms() -> list[InnovationPlatform]:
    return db.session.scalars(
        sa.select(InnovationPlatform).options(sa.orm.joinedload(InnovationPlatform.enterprise))
        .order_by(InnovationPlatform.level.desc(), InnovationPlatform.recognized_on, InnovationPlatform.id)).all()
