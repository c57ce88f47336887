"""每月调度: which projects owe a monthly progress report, when it is due, and filing it.

Rules (documented for the office):
- A project is *active* — it owes a report every month — while it is in the reserve pool
  (in_pool), has a 牵头部门, and its stage is neither `operating` (投产, it has left the
  construction routine) nor `dropped` (终止).  Paused projects still report: the office wants
  to hear why they are paused.
- The report for month M (stored with month = the 1st of M) is expected from the 1st of M and
  due by the settings' due day of M (default the 5th).  Filed on or before that day: on time;
  after it: late; still missing after it: overdue.
- The filing department is the project's 牵头部门 at filing time; officers file only for
  projects their department leads.
- Cumulative figures never drop: 累计完成投资 and 到位资金 must be ≥ the previous month's.
  累计完成投资 is *validated*: it must equal the previous cumulative + 本月完成投资 (left blank it
  is derived).  A project's first report sets the starting cumulative (≥ 本月完成投资).
  Re-filing a month keeps the first submission time (lateness counts from it) and may not lower
  figures already filed; filing or re-filing a month is refused once a later month exists.  Only an admin correction
  (correct_report, with a reason recorded in the audit note) may lower them.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Department, ProgressReport, Project, RoutineSettings, User
from crm.services import access, audit
from crm.services.clock import local_today, utcnow

INACTIVE_STAGES = ("operating", "dropped")
STATUS_LABELS = {"on_time": _l("按时报送"), "late": _l("迟报"), "pending": _l("待报"), "overdue": _l("逾期未报")}
# A report's operation log (corrections) names fields as the form does.
FIELD_LABELS = {"project_id": _l("项目"), "month": _l("月份"), "department_id": _l("报送部门"),
                "invest_month": _l("本月完成投资（万元）"), "invest_cumulative": _l("累计完成投资（万元）"),
                "funds_in_place": _l("到位资金（万元）"), "progress": _l("项目进展"), "problems_text": _l("存在问题"),
                "submitted_at": _l("报送时间"), "submitted_by_id": _l("报送人")}
MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_TEXT = 4000


class RoutineError(ValueError):
    """A change the routines' rules refuse; `field` names the form field for the message."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ReportError(RoutineError):
    """A monthly report the rules refuse."""


# ---------------------------------------------------------------- settings and calendar

def routine_settings() -> RoutineSettings:
    """The settings row, or an unsaved one with the defaults (reading never writes)."""
    return db.session.get(RoutineSettings, 1) or RoutineSettings.with_defaults()


EDITABLE_SETTINGS = tuple(RoutineSettings.DEFAULTS)


def update_settings(actor: User, values: dict) -> RoutineSettings:
    """Save the admin's numbers (audited); frozen rankings keep the ones they were made with."""
    access.require(actor.role == "admin", _l("只有管理员可以修改规则。"))
    settings = db.session.get(RoutineSettings, 1)
    with audit.acting_as(actor):
        if settings is None:
            settings = RoutineSettings.with_defaults()
            db.session.add(settings)
        for name in EDITABLE_SETTINGS:
            setattr(settings, name, values[name])
        db.session.flush()
    return settings


def month_start(day: date) -> date:
    return day.replace(day=1)


def parse_month(text: str | None) -> date | None:
    """'2026-11' → date(2026, 11, 1); anything else → None."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except (TypeError, ValueError):
        return None


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def due_date(month: date, due_day: int) -> date:
    """The last on-time day of month M's report (the due day, clamped to the month's end)."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(max(due_day, 1), last))


def filed_on(report: ProgressReport) -> date:
    """The local calendar day the report was first filed."""
    return local_today(report.submitted_at)


def is_late(report: ProgressReport, due_day: int) -> bool:
    return filed_on(report) > due_date(report.month, due_day)


# ---------------------------------------------------------------- who owes what

def active_clause():
    return sa.and_(Project.in_pool.is_(True), Project.stage.notin_(INACTIVE_STAGES),
                   Project.lead_department_id.isnot(None))


def is_active(project: Project) -> bool:
    return bool(project.in_pool and project.stage not in INACTIVE_STAGES and project.lead_department_id)


def column_order():
    """专栏 order: column number (unnumbered last), position in the column, then id."""
    return (Project.column_no.is_(None), Project.column_no, Project.column_seq.is_(None),
            Project.column_seq, Project.id)


@dataclass
class DispatchRow:
    project: Project
    department: Department | None  # who owes / filed it
    report: ProgressReport | None
    status: str  # on_time | late | pending | overdue

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def month_table(month: date, today: date, department_id: int | None = None) -> list[DispatchRow]:
    """The month's dispatch table in 专栏 order: every active project plus any project that
    filed for the month.  Two statements whatever the number of projects."""
    month = month_start(month)
    due_day = routine_settings().report_due_day
    due = due_date(month, due_day)
    reports = db.session.scalars(
        sa.select(ProgressReport)
        .options(joinedload(ProgressReport.department), joinedload(ProgressReport.submitted_by))
        .where(ProgressReport.month == month)
    ).all()
    by_project = {r.project_id: r for r in reports}
    projects = db.session.scalars(
        sa.select(Project)
        .options(joinedload(Project.sector), joinedload(Project.lead_department))
        .where(sa.or_(active_clause(), Project.id.in_(list(by_project)) if by_project else sa.false()))
        .order_by(*column_order())
    ).all()
    rows = []
    for project in projects:
        report = by_project.get(project.id)
        if report is not None:
            status = "late" if is_late(report, due_day) else "on_time"
            row = DispatchRow(project, report.department, report, status)
        else:
            row = DispatchRow(project, project.lead_department, None, "overdue" if today > due else "pending")
        if department_id is None or (row.department and row.department.id == department_id):
            rows.append(row)
    return rows


def missing_reports(month: date, today: date | None = None) -> list[tuple[Project, Department]]:
    """Reports overdue for `month` as of `today`: (project, its 牵头部门) pairs, for reminders.

    Empty until the due day has passed; a report filed late is no longer missing."""
    today = today or local_today()
    return [(row.project, row.department) for row in month_table(month, today) if row.status == "overdue"]


def owed_reports(month: date, today: date, department_id: int) -> list[DispatchRow]:
    """What a department still has to file for the month (pending and overdue)."""
    return [row for row in month_table(month, today, department_id) if row.report is None]


# ---------------------------------------------------------------- filing

def can_file(user: User, project: Project) -> bool:
    """Admins and staff file for any department; an officer only for projects it leads."""
    if user.role in ("admin", "staff"):
        return True
    return user.role == "officer" and user.department_id is not None \
        and user.department_id == project.lead_department_id


def report_for(project_id: int, month: date) -> ProgressReport | None:
    return db.session.scalar(sa.select(ProgressReport).where(
        ProgressReport.project_id == project_id, ProgressReport.month == month))


def previous_report(project_id: int, month: date) -> ProgressReport | None:
    return db.session.scalar(
        sa.select(ProgressReport)
        .where(ProgressReport.project_id == project_id, ProgressReport.month < month)
        .order_by(ProgressReport.month.desc()).limit(1))


def has_later_report(project_id: int, month: date) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport).where(
        ProgressReport.project_id == project_id, ProgressReport.month > month)) > 0


def _money(value, field: str, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ReportError(_l("请填写金额（万元）。"), field)
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise ReportError(_l("请输入有效的金额（万元）。"), field) from None
    if amount < 0:
        raise ReportError(_l("金额不能为负数。"), field)
    if amount > MAX_MONEY:
        raise ReportError(_l("金额过大。"), field)
    return amount


def _text(value, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ReportError(_l("内容过长（最多 %(n)s 字）。", n=MAX_TEXT), field)
    return text or None


def _figures(project_id: int, month: date, data: dict, existing: ProgressReport | None) -> dict:
    """Validate the three amounts against the previous month and what was already filed."""
    invest_month = _money(data.get("invest_month"), "invest_month")
    funds = _money(data.get("funds_in_place"), "funds_in_place")
    cumulative = _money(data.get("invest_cumulative"), "invest_cumulative", required=False)
    prev = previous_report(project_id, month)
    if prev is not None:
        expected = prev.invest_cumulative + invest_month
        if cumulative is None:
            cumulative = expected
        elif cumulative != expected:
            raise ReportError(_l("累计完成投资应等于上期累计（%(prev)s）加本月完成投资（%(month)s），即 %(sum)s 万元；"
                                 "如上期数据有误，请联系管理员更正。",
                                 prev=prev.invest_cumulative, month=invest_month, sum=expected), "invest_cumulative")
        if funds < prev.funds_in_place:
            raise ReportError(_l("到位资金为累计数，不能低于上期（%(prev)s 万元）；如需调减请联系管理员更正。",
                                 prev=prev.funds_in_place), "funds_in_place")
    elif cumulative is None:
        raise ReportError(_l("首次填报请填写累计完成投资（万元）。"), "invest_cumulative")
    elif cumulative < invest_month:
        raise ReportError(_l("累计完成投资不能小于本月完成投资。"), "invest_cumulative")
    if existing is not None:
        for field, value in (("invest_cumulative", cumulative), ("funds_in_place", funds)):
            if value < getattr(existing, field):
                raise ReportError(_l("不能调低已填报的累计数（原为 %(old)s 万元）；如需更正请联系管理员。",
                                     old=getattr(existing, field)), field)
    return {"invest_month": invest_month, "invest_cumulative": cumulative, "funds_in_place": funds}


def file_report(actor: User, project: Project, month: date, data: dict, *, today: date | None = None,
                now: datetime | None = None) -> ProgressReport:
    """File (or re-file) the month's report; raise ReportError and change nothing if refused."""
    access.require(can_file(actor, project), _l("只能填报本部门牵头项目的调度。"))
    today = today or local_today()
    month = month_start(month)
    if month > month_start(today):
        raise ReportError(_l("不能填报未来月份的调度。"))
    if not project.lead_department_id:
        raise ReportError(_l("该项目尚未设置牵头部门，无法填报调度。"))
    if has_later_report(project.id, month):  # back-filling would break the later month's cumulative
        raise ReportError(_l("该项目已有后续月份的调度，本月数据如需补报或更正请联系管理员。"))
    existing = report_for(project.id, month)
    values = _figures(project.id, month, data, existing)
    values.update(progress=_text(data.get("progress"), "progress"),
                  problems_text=_text(data.get("problems_text"), "problems_text"))
    report = existing or ProgressReport(project_id=project.id, month=month, submitted_at=now or utcnow(),
                                        submitted_by_id=actor.id, department_id=project.lead_department_id)
    for key, value in values.items():
        setattr(report, key, value)
    with audit.acting_as(actor):
        db.session.add(report)
        db.session.flush()
    return report


def correct_report(actor: User, report: ProgressReport, data: dict, reason: str) -> ProgressReport:
    """An admin correction: any non-negative figures, recorded with the reason as audit note.

    Later months are not recomputed: the admin corrects each month that needs it."""
    access.require(actor.role == "admin", _l("只有管理员可以更正调度数据。"))
    reason = (reason or "").strip()
    if not reason:
        raise ReportError(_l("更正必须填写原因。"), "reason")
    values = {field: _money(data.get(field), field)
              for field in ("invest_month", "invest_cumulative", "funds_in_place")}
    values.update(progress=_text(data.get("progress"), "progress"),
                  problems_text=_text(data.get("problems_text"), "problems_text"))
    db.session.refresh(report)  # load the stored values, so the audit row shows old → new
    with audit.acting_as(actor, note=reason):
        for key, value in values.items():
            setattr(report, key, value)
        db.session.flush()
    return report
