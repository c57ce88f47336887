"""The administrator's workbench: what is late across departments, counted per department by
the rules of the pages each count links to (overdue reports: the dispatch table; overdue
problems: the ledger; stale projects: the project list's 久未联系 filter), and the system's
health: failed jobs, stuck mail and the last run of each scheduled job.

The late counts scan every project and problem of the city, so they are stored summaries
(services/reports/summaries.py): refreshed by the cron every minute and after the writes that
change them, never older than that, and the section says when they were counted."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Department, Problem, Project, User
from crm.models.project import project_departments
from crm.services.core import health
from crm.services.messaging import outbox
from crm.services.reports import summaries
from crm.services.routines import dispatch, reminders
from crm.services.routines.problems import overdue_clause
from crm.services.workbench import Section

# What the office calls each scheduled job (workers/schedule.py names them for the code).
SCHEDULED_LABELS = {
    "outbox.relay": _l("任务补发（每 15 秒）"),
    "reminders.scan": _l("联系提醒（每日 07:30）"),
    "channels.daily": _l("群消息日报（每日 07:35）"),
    "digest.weekly": _l("领导周报（每周一 08:00）"),
    "digest.reconcile": _l("周报发送核对（每 5 分钟）"),
    "channels.weekly": _l("群消息周报（每周一 08:05）"),
    "brochure.cleanup": _l("清理过期项目册（每日 03:15）"),
    "sheets.cleanup": _l("清理过期导出文件（每日 03:20）"),
    "chains.coverage": _l("记录产业链覆盖率（每日 23:45）"),
    "summaries.refresh": _l("更新数据看板统计（每分钟）"),
}


@dataclass
class LateRow:
    department: Department
    reports: int  # reports of the latest past-due month not filed
    problems: int  # problems past their 整改时限
    projects: int  # projects led or shared that are stale

    @property
    def total(self) -> int:
        return self.reports + self.problems + self.projects


def _stale_by_department(today: date) -> dict[int, int]:
    """{department: stale projects it leads or shares}: project_filters' department condition
    (access.department_projects) for every department in one GROUP BY."""
    stale = reminders.stale_clause(today)
    pairs = sa.union(
        sa.select(Project.id.label("project_id"), Project.lead_department_id.label("department_id"))
        .where(stale, Project.lead_department_id.is_not(None)),
        sa.select(project_departments.c.project_id, project_departments.c.department_id)
        .join(Project, Project.id == project_departments.c.project_id).where(stale)).subquery()
    return dict(db.session.execute(sa.select(pairs.c.department_id, sa.func.count())
                                   .group_by(pairs.c.department_id)).all())


def _late_counts(today: date) -> dict[str, dict[int, int]]:
    """{kind: {department: count}} of what is late today, each by its page's own rule.  Every
    kind scans the city's projects or problems, so the section reads them stored (late_counts)."""
    month, _due = reminders.report_month(today)
    problems = dict(db.session.execute(sa.select(Problem.department_id, sa.func.count())
                                       .where(overdue_clause(today)).group_by(Problem.department_id)).all())
    return {"reports": dispatch.counts_by_department(month, today, "overdue"), "problems": problems,
            "projects": _stale_by_department(today)}


def late_key(today: date) -> str:
    return f"workbench:late:{today.isoformat()}"


def late_counts(today: date) -> summaries.Stored:
    """_late_counts as stored in the summaries (refreshed by the cron and after the writes that
    change them, as the dashboard's are); the JSON's department keys made ints again."""
    stored = summaries.read(late_key(today), lambda: _late_counts(today))
    value = {kind: {int(d): n for d, n in counts.items()} for kind, counts in stored.value.items()}
    return summaries.Stored(value, stored.computed_at)


def refresh(today: date) -> None:
    """The cron's refresh of today's stored counts."""
    summaries.store(late_key(today), _late_counts(today))


def late_by_department(user: User, today: date) -> Section:
    month, due = reminders.report_month(today)
    stored = late_counts(today)
    reports, problems, projects = (stored.value[kind] for kind in ("reports", "problems", "projects"))
    departments = db.session.scalars(sa.select(Department).order_by(Department.id)).all()
    rows = [LateRow(d, reports.get(d.id, 0), problems.get(d.id, 0), projects.get(d.id, 0)) for d in departments]
    rows = sorted((row for row in rows if row.total), key=lambda row: (-row.total, row.department.id))
    return Section("late_by_department", rows, sum(row.total for row in rows), rows_total=len(rows),
                   extra={"month": month, "due": due, "today": today, "computed_at": stored.computed_at,
                          "refresh_minutes": summaries.REFRESH_SECONDS // 60,
                          "totals": {"reports": sum(reports.values()), "problems": sum(problems.values()),
                                     "projects": sum(projects.values())}})


@dataclass
class JobRun:
    name: str
    label: str
    last_run: datetime | None  # naive UTC; None: not since Redis was set up


def system_health(user: User, today: date) -> Section:
    """Failed jobs and the scheduled jobs' last runs come from Redis; when it is down the section
    says so (None) instead of failing.  Stuck mail comes from the outbox table."""
    from workers.schedule import SCHEDULE
    stuck = outbox.stuck_mail_count()
    try:
        conn = health.connection(current_app.extensions["settings"])
        failed, runs = health.failed_job_count(conn), health.last_job_runs(conn)
    except health.REDIS_DOWN:
        failed, runs = None, None
    jobs = [JobRun(name, str(SCHEDULED_LABELS.get(name, name)), (runs or {}).get(name)) for _when, name, _kw in SCHEDULE]
    problems = (failed or 0) + stuck + (1 if failed is None else 0)
    return Section("system_health", jobs, problems, link=("jobs_admin.index", {}), rows_total=len(jobs),
                   extra={"failed": failed, "stuck": stuck, "redis_ok": runs is not None})


SECTIONS = (late_by_department, system_health)
