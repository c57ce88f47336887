"""Cohort rates: how a group of projects has fared, as of a date.

The cohort is chosen by (any combination of):
- period: projects whose Project.created_at (the day the project entered the system and so the
  pool, local date) lies in [start, end];
- review: projects a pool review recorded as 入库 ("in") in its batch;
- sector and/or 专栏 (column_no).

Rates, as of date D (a project counts once, at its first event, as the totals count it):
- 签约率 = #(cohort projects with signed_on ≤ D) ÷ #(cohort projects)
- 开工率 = #(started_on ≤ D) ÷ #(cohort projects)
- 投产率 = #(operating_on ≤ D) ÷ #(cohort projects)
  Terminated and paused projects stay in the denominator; one that signed before it was
  terminated still counts as signed.
- 资金到位率 = Σ funds_in_place of each project's latest monthly report (month ≤ D; none → 0)
  ÷ Σ total_investment, both over the cohort projects with a total investment > 0.
- 投资完成率 = Σ invest_cumulative of the same latest reports ÷ the same Σ total_investment.
"Latest report" = the ProgressReport with the greatest month ≤ D, ties broken by the greatest id.
Percentages are rounded half-up to 0.01.  All rates come from one SQL statement.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import PoolReviewItem, ProgressReport, Project
from crm.services.core.clock import to_utc_naive
from crm.services.reports.metrics import money, percent


@dataclass
class Cohort:
    as_of: date
    start: date | None = None
    end: date | None = None
    review_id: int | None = None
    sector_id: int | None = None
    column_no: int | None = None

    def conditions(self) -> list:
        conds = []
        if self.start:
            conds.append(Project.created_at >= to_utc_naive(datetime.combine(self.start, time.min)))
        if self.end:
            conds.append(Project.created_at < to_utc_naive(datetime.combine(self.end + timedelta(days=1), time.min)))
        if self.review_id:
            conds.append(Project.id.in_(sa.select(PoolReviewItem.project_id).where(
                PoolReviewItem.review_id == self.review_id, PoolReviewItem.action == "in")))
        if self.sector_id:
            conds.append(Project.sector_id == self.sector_id)
        if self.column_no:
            conds.append(Project.column_no == self.column_no)
        return conds

    def params(self) -> dict:
        """The query-string form of this cohort (for links to the projects behind a rate)."""
        raw = {"start": self.start, "end": self.end, "review": self.review_id, "sector": self.sector_id,
               "column": self.column_no, "as_of": self.as_of}
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in raw.items() if v}


def latest_report(cohort: Cohort):
    """(ProgressReport alias, join condition) for each project's latest report as of the cohort date."""
    newer = aliased(ProgressReport)
    latest_id = (sa.select(newer.id)
                 .where(newer.project_id == Project.id, newer.month <= cohort.as_of)
                 .order_by(newer.month.desc(), newer.id.desc()).limit(1)
                 .correlate(Project).scalar_subquery())
    return ProgressReport, ProgressReport.id == latest_id


@dataclass
class RateDef:
    key: str
    label: str
    kind: str  # "count" | "money"
    formula: str


RATES = [
    RateDef("signed", _l("签约率"), "count", _l("签约日期 ≤ 统计日的项目数 ÷ 队列项目数")),
    RateDef("started", _l("开工率"), "count", _l("开工日期 ≤ 统计日的项目数 ÷ 队列项目数")),
    RateDef("operating", _l("投产率"), "count", _l("投产日期 ≤ 统计日的项目数 ÷ 队列项目数")),
    RateDef("funds", _l("资金到位率"), "money",
            _l("Σ 各项目最新月报（月份 ≤ 统计日）的到位资金 ÷ Σ 总投资；仅计有总投资的项目，无月报按 0 计")),
    RateDef("invest", _l("投资完成率"), "money",
            _l("Σ 各项目最新月报（月份 ≤ 统计日）的累计完成投资 ÷ Σ 总投资；仅计有总投资的项目，无月报按 0 计")),
]
RATE_KEYS = {r.key: r for r in RATES}
MILESTONES = {"signed": Project.signed_on, "started": Project.started_on, "operating": Project.operating_on}


def has_investment():
    return Project.total_investment > 0


def part_condition(cohort: Cohort, rate: str, part: str, report):
    """SQL condition selecting the projects behind a rate's numerator ("num") or denominator ("den")."""
    if rate in MILESTONES:
        return MILESTONES[rate] <= cohort.as_of if part == "num" else sa.true()
    if part == "num":  # the projects whose reports make up the sum
        return sa.and_(has_investment(), report.id.is_not(None))
    return has_investment()


@dataclass
class Rate:
    definition: RateDef
    numerator: object  # int, or Decimal 万元
    denominator: object
    value: object = field(default=None)  # Decimal percent or None

    @property
    def key(self) -> str:
        return self.definition.key


def cohort_rates(cohort: Cohort) -> tuple[int, list[Rate]]:
    """(cohort size, the five rates), from one statement."""
    Report, on = latest_report(cohort)
    inv = has_investment()
    columns = [sa.func.count(Project.id)]
    columns += [sa.func.sum(sa.case((col <= cohort.as_of, 1), else_=0)) for col in MILESTONES.values()]
    columns.append(sa.func.sum(sa.case((inv, Project.total_investment), else_=0)))
    query = sa.select(*columns).add_columns(
        sa.func.sum(sa.case((inv, sa.func.coalesce(Report.funds_in_place, 0)), else_=0)),
        sa.func.sum(sa.case((inv, sa.func.coalesce(Report.invest_cumulative, 0)), else_=0)),
    ).select_from(Project).outerjoin(Report, on)
    row = db.session.execute(query.where(*cohort.conditions())).one()
    size, signed, started, operating, total = int(row[0]), *(int(v or 0) for v in row[1:4]), money(row[4])
    rates = [Rate(RATE_KEYS[k], n, size, percent(n, size))
             for k, n in (("signed", signed), ("started", started), ("operating", operating))]
    for key, sum_value in zip(("funds", "invest"), row[5:7]):
        numerator = money(sum_value)
        rates.append(Rate(RATE_KEYS[key], numerator, total, percent(numerator, total)))
    return size, rates


def cohort_projects_query(cohort: Cohort, rate: str, part: str):
    """Select of (Project, latest report or None) behind one side of one rate, ordered by id."""
    Report, on = latest_report(cohort)
    query = sa.select(Project, Report).outerjoin(Report, on)
    return (query.where(*cohort.conditions(), part_condition(cohort, rate, part, Report))
            .order_by(Project.id))
