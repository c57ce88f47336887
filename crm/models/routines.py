"""The plan's routines (三、保障措施): 每月调度 (monthly progress reports), 问题台账 (problem
ledger) and 每季度晾晒 (quarterly department ranking, frozen per quarter in snapshots).

RoutineSettings is one row of admin-edited numbers: the monthly due day, the ranking weights,
method and minimum sample, and the 红/黄/绿 thresholds.  A RankingSnapshot copies the settings it was computed with, and its
rows copy every input, so a finished quarter's ranking never changes afterwards.
"""
from __future__ import annotations

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import Money, TimestampMixin, Versioned, utcnow
from crm.models.choices import Choices

PROBLEM_STATUS = Choices({"open": _l("未整改"), "in_progress": _l("整改中"), "resolved": _l("已销号")})
PROBLEM_STATUSES = PROBLEM_STATUS.codes
PROBLEM_SOURCES = ("project", "report", "instruction")
MAX_ESCALATION = 3


class ProgressReport(TimestampMixin, Versioned, db.Model):
    """One project's 月度调度 for one month (month = the 1st of that month)."""
    __tablename__ = "progress_reports"
    __audited__ = True
    __table_args__ = (
        db.UniqueConstraint("project_id", "month"),
        db.Index("ix_progress_reports_month_dept", "month", "department_id"),
    )
    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    month = db.Column(db.Date, nullable=False)
    # The filing department: the project's 牵头部门 when the report was filed.
    department_id = db.Column(db.ForeignKey("departments.id"), nullable=False)
    invest_month = db.Column(Money, nullable=False)  # 本月完成投资, 万元
    invest_cumulative = db.Column(Money, nullable=False)  # 累计完成投资, 万元
    funds_in_place = db.Column(Money, nullable=False)  # 到位资金 (cumulative), 万元
    progress = db.Column(db.Text)
    problems_text = db.Column(db.Text)
    submitted_at = db.Column(db.DateTime, nullable=False, default=utcnow)  # first filing, UTC
    submitted_by_id = db.Column(db.ForeignKey("users.id"))
    project = db.relationship("Project")
    department = db.relationship("Department")
    submitted_by = db.relationship("User")

    def __str__(self) -> str:
        from crm.services.core.clock import month_label
        return month_label(self.month)


class Problem(TimestampMixin, Versioned, db.Model):
    """A 问题台账 entry: owner department, 整改时限, status and escalation level.

    "Overdue" is not stored: it is deadline < today and not resolved (services/routines/problems.py).
    """
    __tablename__ = "problems"
    __audited__ = True
    __table_args__ = (
        db.Index("ix_problems_dept_status", "department_id", "status"),
        db.Index("ix_problems_project_status", "project_id", "status"),
        db.Index("ix_problems_deadline", "deadline"),
        PROBLEM_STATUS.check("status"),
        db.Index("ix_problems_instruction", "instruction_id"),
    )
    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    department_id = db.Column(db.ForeignKey("departments.id"), nullable=False)  # owner department
    description = db.Column(db.Text, nullable=False)
    raised_on = db.Column(db.Date, nullable=False)
    deadline = db.Column(db.Date, nullable=False)  # 整改时限
    status = db.Column(db.String(12), nullable=False, default="open")
    resolved_on = db.Column(db.Date)
    resolution = db.Column(db.Text)
    escalation_level = db.Column(db.Integer, nullable=False, default=0)  # 0 … MAX_ESCALATION
    source = db.Column(db.String(12), nullable=False, default="project")
    progress_report_id = db.Column(db.ForeignKey("progress_reports.id", ondelete="SET NULL"))
    # The 领导批示 that opened it; no FK so this module does not depend on the liaison tables.
    instruction_id = db.Column(db.Integer)
    created_by_id = db.Column(db.ForeignKey("users.id"))
    project = db.relationship("Project")
    department = db.relationship("Department")
    progress_report = db.relationship("ProgressReport")
    created_by = db.relationship("User")

    def __str__(self) -> str:
        return (self.description or "")[:40]


class RankingRulesMixin:
    """The numbers a ranking is computed with: kept live in RoutineSettings, copied into snapshots."""
    report_due_day = db.Column(db.Integer, nullable=False, default=5)
    w_timeliness = db.Column(db.Integer, nullable=False, default=40)  # weights in percent, sum 100
    w_problems = db.Column(db.Integer, nullable=False, default=30)
    w_stage = db.Column(db.Integer, nullable=False, default=30)
    green_min = db.Column(db.Integer, nullable=False, default=85)  # score ≥ green_min: 绿
    yellow_min = db.Column(db.Integer, nullable=False, default=60)  # score ≥ yellow_min: 黄, else 红
    # How a rate counts (services/routines/ranking.py): "wilson" its lower bound, "raw" as it is.
    rank_method = db.Column(db.String(10), nullable=False, default="wilson")
    # A department with fewer items (reports + problems + projects) is 样本不足 and not ranked.
    min_items = db.Column(db.Integer, nullable=False, default=5)


class RoutineSettings(RankingRulesMixin, TimestampMixin, db.Model):
    """The admin-edited numbers of the routines (a single row, id 1)."""
    __tablename__ = "routine_settings"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    problem_deadline_days = db.Column(db.Integer, nullable=False, default=30)  # default 整改时限

    DEFAULTS = {"report_due_day": 5, "w_timeliness": 40, "w_problems": 30, "w_stage": 30,
                "green_min": 85, "yellow_min": 60, "rank_method": "wilson", "min_items": 5,
                "problem_deadline_days": 30}

    @classmethod
    def with_defaults(cls) -> RoutineSettings:
        """An unsaved row holding the defaults (column defaults only apply on INSERT)."""
        return cls(id=1, **cls.DEFAULTS)


class RankingSnapshot(RankingRulesMixin, db.Model):
    """A finished quarter's 晾晒, frozen with the settings it was computed with."""
    __tablename__ = "ranking_snapshots"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    quarter = db.Column(db.String(7), nullable=False, unique=True)  # 'YYYY-Qn'
    as_of = db.Column(db.Date, nullable=False)  # last day whose data counted
    frozen_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    frozen_by_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    frozen_by = db.relationship("User")
    rows = db.relationship("RankingRow", back_populates="snapshot", cascade="all, delete-orphan",
                           order_by="RankingRow.position")

    def __str__(self) -> str:
        return self.quarter


class RankingRow(db.Model):
    """One department's line in a frozen ranking: every input, the score, the colour."""
    __tablename__ = "ranking_rows"
    __table_args__ = (db.Index("ix_ranking_rows_snapshot", "snapshot_id", "position"),)
    id = db.Column(db.Integer, primary_key=True)
    snapshot_id = db.Column(db.ForeignKey("ranking_snapshots.id", ondelete="CASCADE"), nullable=False)
    position = db.Column(db.Integer, nullable=False)  # display order
    rank = db.Column(db.Integer)  # competition rank (1, 1, 3); None when nothing could be scored
    department_id = db.Column(db.ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    department_name = db.Column(db.String(60), nullable=False)  # as named when frozen
    reports_expected = db.Column(db.Integer, nullable=False)
    reports_on_time = db.Column(db.Integer, nullable=False)
    problems_due = db.Column(db.Integer, nullable=False)
    problems_on_time = db.Column(db.Integer, nullable=False)
    projects_led = db.Column(db.Integer, nullable=False)
    stage_moves = db.Column(db.Integer, nullable=False)
    score = db.Column(db.Numeric(6, 2))
    colour = db.Column(db.String(6))  # green | yellow | red
    snapshot = db.relationship("RankingSnapshot", back_populates="rows")
