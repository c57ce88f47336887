"""Each role's workbench sections: the right rows, oldest risk first, and counts that agree with
the pages they link to (computed by those pages' own query functions)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import OutboxMessage, Project, Summary
from crm.services import projects as project_svc
from crm.services.core import health
from crm.services.core.clock import utcnow
from crm.services.liaison import leaders
from crm.services.routines import dispatch, problems
from crm.services.workbench import admin, leader, officer, sections_for, staff
from tests import factories
from tests.services.workbench.conftest import TODAY

NOON = datetime(2026, 12, 7, 4, 0)  # naive UTC: 12:00 in Shanghai


def _ago(days: int) -> datetime:
    return NOON - timedelta(days=days)


def _list_count(args: dict) -> int:
    """How many rows the project list shows for this query string."""
    query = project_svc.list_query(project_svc.project_filters(args))
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))


def test_staff_follow_ups_overdue_today_and_the_next_7_days_mine_only(app, users, on_today):
    me, other = users["staff"], factories.user("staff")
    mine = factories.enterprise(owner_id=me.id)
    theirs = factories.enterprise(owner_id=other.id)

    def due(day, enterprise=mine, author=me, done=False):
        return factories.interaction(enterprise, next_follow_up=day, follow_up_done=done, created_by_id=author.id)
    late, today, soon = due(TODAY - timedelta(days=3)), due(TODAY), due(TODAY + timedelta(days=7))
    on_my_firm = due(TODAY + timedelta(days=1), author=other)  # logged by someone else on my enterprise
    due(TODAY + timedelta(days=8))  # beyond the week
    due(TODAY - timedelta(days=1), done=True)
    due(TODAY, enterprise=theirs, author=other)
    section = staff.follow_ups(me, TODAY)
    assert [i.id for i in section.rows] == [late.id, today.id, on_my_firm.id, soon.id]
    assert section.count == 4 and section.more == 0


def test_staff_quiet_enterprises_use_the_reminder_rules_n(app, users, on_today):
    me = users["staff"]
    old = NOON - timedelta(days=60)
    silent = factories.enterprise(owner_id=me.id, created_at=old, last_interaction_at=_ago(20))
    never = factories.enterprise(owner_id=me.id, created_at=old)
    factories.enterprise(owner_id=me.id, created_at=old, last_interaction_at=_ago(3))
    factories.enterprise(owner_id=me.id, created_at=_ago(1))  # new: not silent yet
    factories.enterprise(owner_id=factories.user("staff").id, created_at=old)
    section = staff.quiet_enterprises(me, TODAY)
    assert section.extra["days"] == 14  # the 洽谈 stage's 提醒天数 by default
    assert [e.id for e in section.rows] == [never.id, silent.id] and section.count == 2


def test_staff_stale_projects_count_as_the_linked_project_list(app, users, on_today):
    me = users["staff"]
    old = NOON - timedelta(days=90)
    stale = factories.project(owner_id=me.id, stage="contact", created_at=old, last_interaction_at=_ago(20))
    factories.project(owner_id=me.id, stage="contact", created_at=old, last_interaction_at=_ago(2))
    factories.project(owner_id=me.id, stage="planned", created_at=old)  # an unwatched stage
    factories.project(stage="contact", created_at=old, last_interaction_at=_ago(20))  # not mine
    section = staff.stale_projects(me, TODAY)
    assert [p.id for p in section.rows] == [stale.id]
    endpoint, args = section.link
    assert endpoint == "projects.index" and section.count == _list_count(args) == 1


def test_officer_owed_reports_are_the_dispatch_pages_own(app, users, on_today):
    me = users["officer"]
    led = [factories.project(lead_department_id=me.department_id, stage="contact") for _ in range(3)]
    factories.progress_report(led[0], month=date(2026, 12, 1))
    factories.project(lead_department=factories.department("农业农村局"), stage="contact")
    section = officer.owed_reports(me, TODAY)
    assert {row.project.id for row in section.rows} == {led[1].id, led[2].id}
    assert section.extra["status"] == "overdue" and section.extra["due"] == date(2026, 12, 5)
    counts = dispatch.month_counts(date(2026, 12, 1), TODAY, dispatch.TableFilters(department_id=me.department_id))
    assert section.count == counts["overdue"] == 2
    assert section.link == ("routines.dispatch", {"month": "2026-12", "department": me.department_id,
                                                  "status": "overdue"})


def test_officer_open_problems_by_deadline_mine_only(app, users, on_today):
    me = users["officer"]
    project = factories.project(lead_department_id=me.department_id)
    later = factories.problem(project, deadline=date(2026, 12, 20))
    overdue = factories.problem(project, deadline=date(2026, 12, 1), status="in_progress")
    factories.problem(project, deadline=date(2026, 11, 1), status="resolved", resolved_on=date(2026, 11, 1),
                      resolution="已办结")
    factories.problem()  # another department's
    section = officer.open_problems(me, TODAY)
    assert [p.id for p in section.rows] == [overdue.id, later.id] and section.count == 2
    ledger = problems.ledger_query(today=TODAY, department_id=me.department_id, unresolved=True)
    assert len(db.session.scalars(ledger).all()) == section.count


def test_officer_department_projects_needing_an_update_count_as_the_list(app, users, on_today):
    me = users["officer"]
    old = NOON - timedelta(days=90)
    factories.project(lead_department_id=me.department_id, stage="signed", created_at=old,
                      last_interaction_at=_ago(40))
    factories.project(lead_department_id=me.department_id, stage="signed", created_at=old,
                      last_interaction_at=_ago(4))
    section = officer.stale_projects(me, TODAY)
    assert section.count == _list_count(section.link[1]) == 1


def test_leader_sees_liaison_projects_in_my_projects_risk_order_and_escalations(app, users, on_today):
    me = users["leader"]
    calm = factories.foreign_project(liaison_leader_id=me.id, stage="contact", last_interaction_at=_ago(1))
    risky = factories.foreign_project(liaison_leader_id=me.id, stage="contact", last_interaction_at=_ago(60))
    factories.problem(risky, escalation_level=1)
    escalated = factories.problem(risky, escalation_level=2, deadline=date(2026, 12, 1))
    factories.problem(calm, escalation_level=3, status="resolved", resolved_on=date(2026, 12, 1), resolution="好")
    factories.problem(factories.foreign_project(liaison_leader_id=factories.leader().id), escalation_level=3)
    section = leader.liaison_projects(me, TODAY)
    assert [r.project.id for r in section.rows] == [r.project.id for r in leaders.my_projects(me, TODAY)]
    assert section.rows[0].project.id == risky.id and section.extra["unreviewed"] == 2
    problems_section = leader.escalated_problems(me, TODAY)
    assert [p.id for p in problems_section.rows] == [escalated.id] and problems_section.count == 1


def test_admin_late_items_per_department_match_the_linked_pages(app, users, on_today):
    officer_dept = users["officer"].department_id
    old = NOON - timedelta(days=90)
    owing = factories.project(lead_department_id=officer_dept, stage="contact", created_at=old,
                              last_interaction_at=_ago(30))
    factories.problem(owing, deadline=date(2026, 12, 1))
    factories.problem(owing, deadline=date(2026, 12, 31))  # not overdue
    factories.department("无事局")
    section = admin.late_by_department(users["admin"], TODAY)
    assert [row.department.id for row in section.rows] == [officer_dept]
    row = section.rows[0]
    month = section.extra["month"]
    assert month == date(2026, 12, 1)
    assert row.reports == dispatch.month_counts(month, TODAY, dispatch.TableFilters(
        department_id=officer_dept, status="overdue"))["overdue"] == 1
    assert row.problems == problems.stats(officer_dept, TODAY)["overdue"] == 1
    assert row.projects == _list_count({"department": str(officer_dept), "stale": "1"}) == 1
    assert section.count == 3


def test_admin_system_health_counts_stuck_mail_and_reads_the_last_runs(app, users, redis, on_today):
    db.session.add_all([
        OutboxMessage(job="mail.notification", payload={}, status="pending", created_at=utcnow() - timedelta(minutes=30)),
        OutboxMessage(job="mail.notification", payload={}, status="pending", created_at=utcnow()),
        OutboxMessage(job="reminders.scan", payload={}, status="pending", created_at=utcnow() - timedelta(hours=1)),
        OutboxMessage(job="mail.notification", payload={}, status="done", created_at=utcnow() - timedelta(hours=1))])
    db.session.commit()
    health.record_job_run(redis, "reminders.scan", datetime.fromisoformat("2026-12-06T23:30:00+00:00"))
    section = admin.system_health(users["admin"], TODAY)
    assert section.extra == {"failed": 0, "stuck": 1, "redis_ok": True}
    runs = {job.name: job.last_run for job in section.rows}
    assert runs["reminders.scan"] == datetime(2026, 12, 6, 23, 30) and runs["digest.weekly"] is None
    assert section.count == 1


def test_each_role_gets_its_own_sections(app, users, on_today):
    keys = {role: [s.key for s in sections_for(user, TODAY)] for role, user in users.items()}
    assert keys == {"staff": ["follow_ups", "instructions_unanswered", "quiet_enterprises", "stale_projects"],
                    "officer": ["owed_reports", "instructions_to_answer", "open_problems", "department_projects"],
                    "leader": ["liaison_projects", "instructions_to_decide", "escalated_problems"],
                    "admin": ["late_by_department", "system_health"]}


def test_a_批示_waits_on_the_unit_then_on_the_leader_and_the_owner_sees_it_unanswered(app, users, on_today):
    from crm.services.liaison import instructions
    boss, unit, owner = users["leader"], users["officer"], users["staff"]
    project = factories.project(liaison_leader_id=boss.id, owner_id=owner.id,
                                lead_department_id=unit.department_id)
    other = factories.project(liaison_leader_id=boss.id, lead_department_id=unit.department_id)
    order = instructions.add_instruction(boss, project, "请牵头协调用地，12月20日前报我", False,
                                         unit_ids=[unit.department_id], deadline=TODAY + timedelta(days=5), today=TODAY)
    instructions.add_instruction(boss, other, "请跟进", False, unit_ids=[unit.department_id],
                                 deadline=TODAY + timedelta(days=9), today=TODAY)
    db.session.commit()
    answer = officer.instructions_to_answer(unit, TODAY)
    assert [i.text for i in answer.rows] == ["请牵头协调用地，12月20日前报我", "请跟进"] and answer.count == 2
    assert [i.project_id for i in staff.instructions_unanswered(owner, TODAY).rows] == [project.id]
    assert leader.instructions_to_decide(boss, TODAY).count == 0
    instructions.reply(unit, order, "已协调自然资源局，下周办结")
    db.session.commit()
    assert officer.instructions_to_answer(unit, TODAY).count == 1  # the answered one left the unit's list
    assert staff.instructions_unanswered(owner, TODAY).count == 0
    decide = leader.instructions_to_decide(boss, TODAY)
    assert [i.id for i in decide.rows] == [order.id] and decide.link == ("leaders.my_projects", {})


def test_a_project_outside_the_pool_is_never_stale(app, users, on_today):
    factories.project(owner_id=users["staff"].id, stage="contact", in_pool=False,
                      created_at=NOON - timedelta(days=90))
    assert staff.stale_projects(users["staff"], TODAY).count == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 1


def test_every_scheduled_job_has_a_name_the_office_reads():
    from workers.schedule import SCHEDULE
    assert {name for _when, name, _kw in SCHEDULE} <= admin.SCHEDULED_LABELS.keys()


def test_admin_late_counts_are_stored_and_a_filed_report_counts_them_again(app, users, on_today):
    officer_dept = users["officer"].department_id
    owing = factories.project(lead_department_id=officer_dept, stage="planned")
    first = admin.late_by_department(users["admin"], TODAY)
    assert first.rows[0].reports == 1 and first.extra["computed_at"] == NOON
    assert db.session.get(Summary, admin.late_key(TODAY)).stale is False
    factories.progress_report(owing, month=date(2026, 12, 1))  # a write they count: stale, counted again
    assert admin.late_by_department(users["admin"], TODAY).rows == []


def test_the_cron_refresh_stores_todays_late_counts(app, users, on_today):
    from workers import jobs
    factories.problem(factories.project(lead_department_id=users["officer"].department_id),
                      deadline=date(2026, 12, 1))
    jobs.summaries_refresh()
    stored = json.loads(db.session.get(Summary, admin.late_key(TODAY)).payload)
    assert stored["problems"] == {str(users["officer"].department_id): 1}
