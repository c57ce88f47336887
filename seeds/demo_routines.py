"""The first-run demo's routines: three months of 月度调度, a 问题台账 and a 领导批示.

Without them a first look at 每月调度, 问题台账 and 季度晾晒 shows empty pages.  They are made
through the services the pages use (dispatch.file_report, problems.open_problem / resolve /
escalate, instructions.add_instruction/reply/accept), so the demo keeps every rule the office keeps: cumulative
figures add up month to month, deadlines follow raising, only the liaison leader writes a 批示.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Department, ProgressReport, Project, User
from crm.services.core.clock import to_utc_naive
from crm.services.liaison import instructions
from crm.services.routines import dispatch, problems

MONTHS = 3  # the current month and the two before it
FILED_SHARE = {0: 0.8, 1: 0.92, 2: 1.0}  # months ago -> share of projects that reported
LATE_SHARE = 0.15

# What a department writes in a month's report, by the project's stage.
PROGRESS = {
    "planned": ("完善项目建议书，补充市场分析和投资估算。", "对接省级产业基金，梳理可申报的政策支持。",
                "开展项目策划包装，编制招商推介材料。"),
    "contact": ("与意向企业保持对接，提供用地及水电汽价格资料。", "企业来绥考察拟建地块，双方就合作模式深入交流。",
                "起草合作框架协议，待企业内部决策。"),
    "signed": ("办理立项备案，开展环评、能评等前期手续。", "完成项目用地规划选址，推进土地招拍挂准备。",
               "组建项目服务专班，协调施工图设计。"),
    "started": ("厂房主体结构施工，完成形象进度约六成。", "设备采购合同签订，部分设备进场安装。",
                "水电汽配套管网施工，同步开展员工招聘培训。"),
    "paused": ("项目暂缓，企业等待省级许可政策明确。",),
}


@dataclass(frozen=True)
class DemoProblem:
    project: str  # the plan's project name
    department: str
    description: str
    raised_days_ago: int
    deadline_days: int  # after raising
    resolved_days_ago: int | None = None
    resolution: str | None = None
    escalations: int = 0
    in_progress: bool = False


LEDGER = (
    DemoProblem("俄粮油脂化工厂项目", "交通局", "铁路专用线接轨方案尚未获批，俄罗斯大豆、油菜籽原料进厂运输受限。",
                40, 30, escalations=1),
    DemoProblem("对俄中药材进口加工产业园项目", "市场局", "俄罗斯中药材进口检疫准入品种清单不明确，企业无法确定首批进口品种。",
                60, 30, resolved_days_ago=35, resolution="会同海关明确首批12个准入品种，已书面告知企业。"),
    DemoProblem("绥芬河玉米深加工提炼项目", "发改局", "项目用地规划调整尚未完成，影响签约后的开工准备。",
                20, 35, in_progress=True),
    DemoProblem("黑龙江域外百草药业科技有限公司中草药进口加工项目", "工信科局",
                "厂区蒸汽管网尚未接通，设备调试只能使用临时锅炉。", 25, 20, resolved_days_ago=2,
                resolution="热力公司完成支线管网接驳，蒸汽已正式供应。"),
    DemoProblem("口腔器材生产基地项目", "生态环境局", "环评批复所需的排污总量指标待落实。", 10, 30),
)

@dataclass(frozen=True)
class DemoInstruction:
    project: str
    text: str
    units: tuple[str, ...]
    days_ago: int  # written this many days before today
    deadline_days: int  # 办理时限: this many days after it was written
    reply: str | None = None  # the first unit's officer's reply, a day after
    accepted: bool = False


# One overdue and unanswered (it also opens a problem), one replied and waiting for the leader,
# one closed.
INSTRUCTIONS = (
    DemoInstruction("俄粮油脂化工厂项目", "请工信科局会同交通局尽快协调铁路专用线接轨事宜，月底前报送进展。",
                    ("工信科局", "交通局"), 12, 10),
    DemoInstruction("俄粮油脂化工厂项目", "请工信科局牵头梳理项目用电增容需求，12月20日前报我。", ("工信科局",), 5, 18,
                    reply="已与供电公司对接，增容方案本周内报送。"),
    DemoInstruction("黑龙江域外百草药业科技有限公司中草药进口加工项目", "请工信科局协调热力公司尽快接通蒸汽管网。",
                    ("工信科局",), 30, 20, reply="支线管网已接驳，蒸汽已正式供应。", accepted=True),
)


def load(users: dict[str, User], today: date, rng: random.Random) -> dict[str, int]:
    """Add the routines' demo rows; returns how many of each."""
    by_name = {p.name: p for p in db.session.scalars(sa.select(Project))}
    return {"progress_reports": _reports(users, today, rng), "problems": _ledger(users, by_name, today),
            "instructions": _instruction(users, by_name, today)}


def _filer(users: dict[str, User], project: Project) -> User:
    """The lead department's own officer where the demo has one, else 经合中心 staff."""
    for user in users.values():
        if user.role == "officer" and user.department_id == project.lead_department_id:
            return user
    return users["staff"]


def _reports(users: dict[str, User], today: date, rng: random.Random) -> int:
    settings = dispatch.routine_settings()
    # A database in use keeps its own reports: the demo files only for projects that have none.
    reported = set(db.session.scalars(sa.select(ProgressReport.project_id).distinct()))
    projects = [p for p in db.session.scalars(sa.select(Project).where(dispatch.active_clause())
                                               .order_by(Project.id)) if p.id not in reported]
    cumulative: dict[int, Decimal] = {}  # 累计完成投资 after the project's latest report
    funds: dict[int, Decimal] = {}
    this_month = dispatch.month_start(today)
    count = 0
    for months_ago in range(MONTHS - 1, -1, -1):
        month = dispatch.add_months(this_month, -months_ago)
        due = dispatch.due_date(month, settings.report_due_day)
        if due > today:
            continue  # not owed yet
        for project in projects:
            if rng.random() > FILED_SHARE[months_ago]:
                continue
            spent = _monthly_investment(project, rng)
            # The first report states the whole cumulative so far; later ones add the month.
            cumulative[project.id] = cumulative.get(project.id, _opening_cumulative(project, rng)) + spent
            # Money arrives ahead of spending only once a project is signed.
            ahead = Decimal(rng.choice((0, 0, 50, 100))) if project.stage in ("signed", "started") else 0
            funds[project.id] = max(funds.get(project.id, Decimal(0)), cumulative[project.id]) + ahead
            data = {"invest_month": spent, "invest_cumulative": cumulative[project.id],
                    "funds_in_place": funds[project.id],
                    "progress": rng.choice(PROGRESS.get(project.stage, PROGRESS["planned"]))}
            dispatch.file_report(_filer(users, project), project, month, data, today=today,
                                 now=_submitted_at(month, due, today, rng))
            count += 1
    return count


def _opening_cumulative(project: Project, rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(1000, 5000, 100)) if project.stage == "started" else Decimal(0)


def _monthly_investment(project: Project, rng: random.Random) -> Decimal:
    if project.stage == "started":
        return Decimal(rng.randrange(150, 900, 10))
    if project.stage == "signed":
        return Decimal(rng.choice((0, 0, 50, 120, 200)))
    return Decimal(0)


def _submitted_at(month: date, due: date, today: date, rng: random.Random) -> datetime:
    """A working-hours moment on time (from the 1st to the due day) or, for some, a few days late."""
    if rng.random() < LATE_SHARE and due < today:
        day = min(today, due + timedelta(days=rng.randint(1, 9)))
    else:
        day = month + timedelta(days=rng.randint(0, (due - month).days))
    return to_utc_naive(datetime.combine(day, time(rng.randint(8, 16), rng.choice((0, 15, 30, 45)))))


def _ledger(users: dict[str, User], by_name: dict[str, Project], today: date) -> int:
    departments = {d.name: d.id for d in db.session.scalars(sa.select(Department))}
    staff = users["staff"]
    count = 0
    for item in LEDGER:
        project, department_id = by_name.get(item.project), departments.get(item.department)
        if project is None or department_id is None:  # the plan was edited before the demo was loaded
            continue
        raised = today - timedelta(days=item.raised_days_ago)
        problem = problems.open_problem(staff, project, description=item.description,
                                        department_id=department_id,
                                        deadline=raised + timedelta(days=item.deadline_days), today=raised)
        if item.in_progress:
            problems.update_problem(staff, problem, description=item.description, deadline=problem.deadline,
                                    status="in_progress")
        for _ in range(item.escalations):
            problems.escalate(staff, problem, note="逾期未销号，提请分管领导协调。")
        if item.resolved_days_ago is not None:
            problems.resolve(staff, problem, resolution=item.resolution,
                             resolved_on=today - timedelta(days=item.resolved_days_ago), today=today)
        count += 1
    return count


def _instruction(users: dict[str, User], by_name: dict[str, Project], today: date) -> int:
    units = {d.name: d.id for d in db.session.scalars(sa.select(Department))}
    count = 0
    for item in INSTRUCTIONS:
        project = by_name.get(item.project)
        if project is None or project.liaison_leader is None:
            continue
        written = today - timedelta(days=item.days_ago)
        instruction = instructions.add_instruction(
            project.liaison_leader, project, item.text, follow_up_required=item.reply is None,
            unit_ids=[units[name] for name in item.units], deadline=written + timedelta(days=item.deadline_days),
            today=written, now=to_utc_naive(datetime.combine(written, time(9, 30))))
        if instruction.follow_up_required:
            problems.open_from_instruction(project.liaison_leader, instruction, today=written)
        officer = users.get("officer")
        if item.reply and officer is not None:
            instructions.reply(officer, instruction, item.reply,
                               now=to_utc_naive(datetime.combine(written + timedelta(days=1), time(16, 0))))
            if item.accepted:
                instructions.accept(project.liaison_leader, instruction)
        count += 1
    return count
