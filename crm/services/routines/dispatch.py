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

The month's table is one SQL select (_month_rows) that also decides each row's status, so the
page's counts, filters and pages, the Excel export, the reminders' list and the officers' card
all read the same rule; the page loads whole rows for the one page it shows.
"""
from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Department, ProgressReport, Project, RoutineSettings, Sector, User
from crm.services.core import access, audit, versions
from crm.services.core.clock import local_today, to_utc_naive, utcnow
from crm.services.core.errors import RuleError
from crm.services.core.ids import parse_id
from crm.services.core.paging import Page, paginate_with

INACTIVE_STAGES = ("operating", "dropped")
STATUS_LABELS = {"on_time": _l("按时报送"), "late": _l("迟报"), "pending": _l("待报"), "overdue": _l("逾期未报")}
TABLE_PAGE_SIZE = 100  # rows per page of the dispatch table: a working sheet, longer than a list page
OWED_SHOWN = 20  # an officer's 本部门本月待报 card lists this many, then links to the filtered table
NO_COLUMN = "other"  # the 专栏 filter's value for projects outside every 专栏 (其他项目)
# A report's operation log (corrections) names fields as the form does.
FIELD_LABELS = {"project_id": _l("项目"), "month": _l("月份"), "department_id": _l("报送部门"),
                "invest_month": _l("本月完成投资（万元）"), "invest_cumulative": _l("累计完成投资（万元）"),
                "funds_in_place": _l("到位资金（万元）"), "progress": _l("项目进展"), "problems_text": _l("存在问题"),
                "submitted_at": _l("报送时间"), "submitted_by_id": _l("报送人")}
# The ids the audit log keeps, named (see audit.reference_labels).
REFERENCES = {"project_id": Project, "department_id": Department, "submitted_by_id": User}
MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_TEXT = 4000


class RoutineError(RuleError):
    """A change the routines' rules refuse; `field` names the form field for the message."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message, field=field)


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


def late_from(month: date, due_day: int) -> datetime:
    """The first stored instant (naive UTC) whose local day is after month M's due date: a report
    first filed from then on is late.  SQL compares submitted_at with it, so no database needs to
    know the office's time zone."""
    return to_utc_naive(datetime.combine(due_date(month, due_day) + timedelta(days=1), time.min))


def missing_status(month: date, today: date, due_day: int) -> str:
    """The status of every report still missing for the month: pending until the due day, then
    overdue (it is the same for all of a month's missing reports)."""
    return "overdue" if today > due_date(month, due_day) else "pending"


# ---------------------------------------------------------------- who owes what

def active_clause():
    return sa.and_(Project.in_pool.is_(True), Project.stage.notin_(INACTIVE_STAGES),
                   Project.lead_department_id.isnot(None))


def is_active(project: Project) -> bool:
    return bool(project.in_pool and project.stage not in INACTIVE_STAGES and project.lead_department_id)


def column_order(no=Project.column_no, seq=Project.column_seq, ident=Project.id):
    """专栏 order: column number (unnumbered last), position in the column, then id; of the
    projects table, or of the same three columns of a subquery."""
    return (no.is_(None), no, seq.is_(None), seq, ident)


def column_sectors() -> dict[int, Sector | None]:
    """Every 专栏 number in use (by a sector or a project), in order, each with the first sector
    carrying that number (its heading), if any.  Two small statements."""
    numbers = set(db.session.scalars(sa.select(Project.column_no).distinct().where(Project.column_no.isnot(None))))
    found: dict[int, Sector | None] = {}
    for sector in db.session.scalars(sa.select(Sector).where(Sector.column_no.isnot(None))
                                     .order_by(Sector.column_no, Sector.id)):
        found.setdefault(sector.column_no, sector)
    return {no: found.get(no) for no in sorted(numbers | set(found))}


@dataclass
class DispatchRow:
    project: Project
    department: Department | None  # who owes / filed it
    report: ProgressReport | None
    status: str  # on_time | late | pending | overdue
    number: int | None = None  # 序号: the row's place in the whole month's table (as in the Excel 调度表)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass(frozen=True)
class TableFilters:
    """What the dispatch page narrows the month's table to; None means no narrowing.

    department_id: the department that owes or filed the report; status: a STATUS_LABELS key;
    column: a 专栏 number, or NO_COLUMN for the projects in none."""
    department_id: int | None = None
    status: str | None = None
    column: int | str | None = None

    def args(self) -> dict[str, str]:
        """The filters as query-string values, for links that keep them."""
        values = {"department": self.department_id, "status": self.status, "column": self.column}
        return {key: str(value) for key, value in values.items() if value is not None}


def table_filters(args, department_ids, column_nos) -> TableFilters:
    """Filters from a query string; a value that names no known department, status or 专栏
    is ignored, as the other list pages do with junk."""
    department = parse_id(args.get("department"))
    status = args.get("status")
    column = (args.get("column") or "").strip()
    column = column if column == NO_COLUMN else parse_id(column)
    return TableFilters(department_id=department if department in set(department_ids) else None,
                        status=status if status in STATUS_LABELS else None,
                        column=column if column == NO_COLUMN or column in set(column_nos) else None)


def _of_department(month: date, department_id: int):
    """A WHERE condition on the month's join that keeps every row a department owes or filed, and
    few others: those it leads or whose report of the month it filed (a superset of the rows whose
    department_id is it, which the caller still checks).  Both halves walk an index, so a
    department's counts and rows do not scan every project of the city."""
    filed = sa.select(ProgressReport.project_id).where(ProgressReport.month == month,
                                                       ProgressReport.department_id == department_id)
    return sa.or_(Project.lead_department_id == department_id, Project.id.in_(filed))


def _month_rows(month: date, today: date, *, numbered: bool = True, department_id: int | None = None):
    """The month's table as a subquery: every active project plus any project that filed for the
    month, one row each, with its report's id, the department that owes it (the filing one once
    filed, else the 牵头部门), its 专栏 and place in it, its status and (numbered) its 序号 in
    专栏 order.  Numbering reads the whole month before any filter applies, so a select that
    shows no 序号 leaves it out and lets the database narrow the rows first; unnumbered, a
    `department_id` narrows them to that department's candidates (_of_department) up front.

    The status rule lives here and only here: filed by the due day (local calendar) on time,
    after it late; missing, pending until the due day and overdue after it."""
    due_day = routine_settings().report_due_day
    status = sa.case((ProgressReport.id.is_(None), missing_status(month, today, due_day)),
                     (ProgressReport.submitted_at >= late_from(month, due_day), "late"), else_="on_time")
    columns = [Project.id.label("project_id"), ProgressReport.id.label("report_id"),
               sa.func.coalesce(ProgressReport.department_id, Project.lead_department_id).label("department_id"),
               Project.column_no.label("column_no"), Project.column_seq.label("column_seq"), status.label("status")]
    narrowing = []
    if numbered:
        columns.append(sa.func.row_number().over(order_by=column_order()).label("number"))
    elif department_id is not None:
        narrowing.append(_of_department(month, department_id))
    return (sa.select(*columns)
            .outerjoin(ProgressReport, sa.and_(ProgressReport.project_id == Project.id, ProgressReport.month == month))
            .where(sa.or_(active_clause(), ProgressReport.id.isnot(None)), *narrowing)
            .subquery("month_table"))


def _narrowed(rows, filters: TableFilters) -> list:
    """WHERE conditions on a _month_rows subquery for the filters."""
    conditions = []
    if filters.department_id is not None:
        conditions.append(rows.c.department_id == filters.department_id)
    if filters.status is not None:
        conditions.append(rows.c.status == filters.status)
    if filters.column == NO_COLUMN:
        conditions.append(rows.c.column_no.is_(None))
    elif filters.column is not None:
        conditions.append(rows.c.column_no == filters.column)
    return conditions


def _table_select(month: date, today: date, filters: TableFilters, limit: int | None = None, offset: int = 0,
                  *, numbered: bool = True):
    """Whole rows of the (filtered) table in 专栏 order, with what the page and the Excel sheet
    show of each eager-loaded: one statement for any number of rows.  A page's LIMIT applies to
    the light id-and-status rows, so only the rows shown are joined to their wide records.
    Unnumbered rows (number None) are for lists that show no 序号."""
    rows = _month_rows(month_start(month), today, numbered=numbered, department_id=filters.department_id)
    picked = sa.select(rows.c.project_id, rows.c.report_id, rows.c.status,
                       (rows.c.number if numbered else sa.null()).label("number"),
                       rows.c.column_no, rows.c.column_seq).where(*_narrowed(rows, filters))
    if limit is not None:
        in_order = (rows.c.number,) if numbered else column_order(rows.c.column_no, rows.c.column_seq,
                                                                   rows.c.project_id)
        picked = picked.order_by(*in_order).limit(limit).offset(offset)
    picked = picked.subquery("picked")
    return (sa.select(Project, ProgressReport, picked.c.status, picked.c.number)
            .join_from(picked, Project, Project.id == picked.c.project_id)
            .outerjoin(ProgressReport, ProgressReport.id == picked.c.report_id)
            .options(joinedload(Project.sector), joinedload(Project.lead_department),
                     joinedload(ProgressReport.department), joinedload(ProgressReport.submitted_by))
            .order_by(*column_order(picked.c.column_no, picked.c.column_seq, picked.c.project_id)))


def _dispatch_row(row) -> DispatchRow:
    project, report, status, number = row
    department = report.department if report is not None else project.lead_department
    return DispatchRow(project, department, report, status, number)


def _table(month: date, today: date, filters: TableFilters, limit: int | None = None,
           offset: int = 0, *, numbered: bool = True) -> list[DispatchRow]:
    query = _table_select(month, today, filters, limit, offset, numbered=numbered)
    return [_dispatch_row(row) for row in db.session.execute(query)]


def month_table(month: date, today: date, department_id: int | None = None) -> list[DispatchRow]:
    """The month's whole dispatch table in 专栏 order (the Excel export): every active project plus
    any project that filed for the month."""
    return _table(month, today, TableFilters(department_id=department_id))


def month_page(month: date, today: date, filters: TableFilters, number, url: Callable[[int], str]) -> Page:
    """One page (TABLE_PAGE_SIZE rows) of the filtered table; items are DispatchRows.

    Unfiltered, a row's 序号 is its place on the page after the offset, so the database is not
    asked to number the whole month first: a window over every project grows with the city."""
    def fetch(limit: int, offset: int) -> list[DispatchRow]:
        if filters != TableFilters():
            return _table(month, today, filters, limit, offset)
        rows = _table(month, today, filters, limit, offset, numbered=False)
        return [replace(row, number=place) for place, row in enumerate(rows, start=offset + 1)]
    return paginate_with(fetch, number, TABLE_PAGE_SIZE, url)


def month_counts(month: date, today: date, filters: TableFilters = TableFilters()) -> dict[str, int]:
    """Rows per status (every STATUS_LABELS key, 0 if none) of the table narrowed by the filters'
    department and 专栏 (not their status: the counts say what each status filter would show).
    One GROUP BY statement, whatever the number of projects."""
    rows = _month_rows(month_start(month), today, numbered=False, department_id=filters.department_id)
    query = (sa.select(rows.c.status, sa.func.count()).where(*_narrowed(rows, replace(filters, status=None)))
             .group_by(rows.c.status))
    return {**dict.fromkeys(STATUS_LABELS, 0), **dict(db.session.execute(query).all())}


def missing_reports(month: date, today: date | None = None) -> list[tuple[Project, Department]]:
    """Reports overdue for `month` as of `today`: (project, its 牵头部门) pairs, for reminders.

    Empty until the due day has passed; a report filed late is no longer missing."""
    today = today or local_today()
    return [(row.project, row.department)
            for row in _table(month, today, TableFilters(status="overdue"), numbered=False)]


def owed_reports(month: date, today: date, department_id: int, limit: int | None = None) -> list[DispatchRow]:
    """What a department still has to file for the month (pending and overdue), the first
    `limit` of them in 专栏 order if given; without 序号."""
    owed = missing_status(month_start(month), today, routine_settings().report_due_day)
    return _table(month, today, TableFilters(department_id=department_id, status=owed), limit, numbered=False)


@dataclass(frozen=True)
class Owed:
    """A department's 本部门本月待报: the first rows, how many there are and their status (the
    same for all of a month's missing reports), as the dispatch page's card and the officer's
    workbench show it; `total` is the table's own count for that department and status."""
    rows: list
    total: int
    status: str
    department_id: int
    month: date


def owed_summary(month: date, today: date, department_id: int, limit: int | None = None) -> Owed:
    """What the department still owes for `month`, the first `limit` (OWED_SHOWN) rows; the count
    the filtered dispatch table shows."""
    month = month_start(month)
    limit = OWED_SHOWN if limit is None else limit
    status = missing_status(month, today, routine_settings().report_due_day)
    total = month_counts(month, today, TableFilters(department_id=department_id))[status]
    return Owed(owed_reports(month, today, department_id, limit=limit), total, status, department_id, month)


def counts_by_department(month: date, today: date, status: str) -> dict[int, int]:
    """{department id: rows of `status`} of the month's table, in one GROUP BY: each equals the
    dispatch page's count filtered by that department and status (the same _month_rows rule)."""
    rows = _month_rows(month_start(month), today, numbered=False)
    query = (sa.select(rows.c.department_id, sa.func.count()).where(rows.c.status == status)
             .group_by(rows.c.department_id))
    return {department: count for department, count in db.session.execute(query) if department is not None}


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
    versions.check(existing, data)
    values = _figures(project.id, month, data, existing)
    values.update(progress=_text(data.get("progress"), "progress"),
                  problems_text=_text(data.get("problems_text"), "problems_text"))
    report = existing or ProgressReport(project_id=project.id, month=month, submitted_at=now or utcnow(),
                                        submitted_by_id=actor.id, department_id=project.lead_department_id)
    for key, value in values.items():
        setattr(report, key, value)
    with audit.acting_as(actor), versions.saved(report, data):
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
    versions.check(report, data)
    with audit.acting_as(actor, note=reason), versions.saved(report, data):
        for key, value in values.items():
            setattr(report, key, value)
        db.session.flush()
    return report
