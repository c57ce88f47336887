"""The daily reminder scan: due follow-ups, stale projects, escalation, once per day."""
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from crm.extensions import db
from crm.models import Interaction, Notification, OutboxMessage, Problem, Project, Reminder
from crm.services.core.clock import local_today
from crm.services.routines import reminders
from tests import factories

NOW = datetime(2026, 11, 27, 23, 30)  # 07:30 on 2026-11-28 in 绥芬河
TODAY = date(2026, 11, 28)


def _at(day: date) -> datetime:
    """Naive UTC for 10:00 local on `day`."""
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=2)


def run(now=NOW):
    result = reminders.scan(now)
    db.session.commit()
    return result


def keys():
    return sorted(db.session.execute(sa.select(Reminder.target_type, Reminder.target_id, Reminder.reason,
                                               Reminder.user_id, Reminder.day)).all())


@pytest.fixture
def staff(app):
    return factories.user("staff", display_name="王招商")


@pytest.fixture
def firm(staff):
    return factories.enterprise(name="绥芬河市润宏经贸有限公司", owner=staff)


def counts(**kw):
    return {reason: kw.get(reason, 0) for reason in reminders.REASONS}


def test_a_due_follow_up_reminds_the_enterprise_owner_once_a_day(firm, staff):
    author = factories.user("staff")
    i = factories.interaction(firm, created_by=author, next_follow_up=TODAY, next_step="寄送园区资料")
    assert run() == counts(follow_up_due=1)
    assert keys() == [("interaction", i.id, "follow_up_due", staff.id, TODAY)]
    note = db.session.scalar(sa.select(Notification))
    assert note.user_id == staff.id and "绥芬河市润宏经贸有限公司" in note.title and "寄送园区资料" in note.body
    assert "2026-11-28" in note.body and note.url == f"/enterprises/{firm.id}"
    assert db.session.scalar(sa.select(Reminder.notification_id)) == note.id
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.job == "mail.notification"))
    assert mail.payload == {"notification_ids": [note.id]}

    assert run(NOW + timedelta(hours=3)) == counts()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    assert run(NOW + timedelta(days=1))["follow_up_due"] == 1  # still open the next day: reminded again


def test_without_an_active_owner_the_author_is_reminded(staff):
    author = factories.user("staff")
    ownerless = factories.enterprise()
    owner_gone = factories.enterprise(owner=factories.user("staff", is_enabled=False))
    factories.interaction(ownerless, created_by=author, next_follow_up=TODAY - timedelta(days=3))
    factories.interaction(owner_gone, created_by=author, next_follow_up=TODAY - timedelta(days=1))
    run()
    assert {r[3] for r in keys()} == {author.id} and len(keys()) == 2


def test_done_future_and_ownerless_follow_ups_are_left_alone(firm, staff):
    factories.interaction(firm, created_by=staff, next_follow_up=TODAY, follow_up_done=True)
    factories.interaction(firm, created_by=staff, next_follow_up=TODAY + timedelta(days=1))
    factories.interaction(factories.enterprise(), next_follow_up=TODAY)  # nobody to tell
    assert run()["follow_up_due"] == 0


def test_a_reminder_already_written_today_is_skipped_not_an_error(firm, staff):
    i = factories.interaction(firm, created_by=staff, next_follow_up=TODAY)
    db.session.add(Reminder(target_type="interaction", target_id=i.id, reason="follow_up_due", day=TODAY,
                            user_id=staff.id))
    db.session.commit()
    assert run()["follow_up_due"] == 0 and Notification.query.count() == 0


def _project(stage: str, last_contact_days: int | None, **kw):
    last = _at(TODAY - timedelta(days=last_contact_days)) if last_contact_days is not None else None
    return factories.project(stage=stage, stage_on=date(2026, 1, 5), last_interaction_at=last,
                             created_at=datetime(2026, 1, 1), **kw)


def test_a_project_silent_for_its_stage_threshold_reminds_its_owner(staff):
    leader = factories.leader()
    stale = _project("contact", 14, owner=staff, liaison_leader=leader)
    _project("contact", 13, owner=staff)  # one day short
    _project("signed", 29, owner=staff)  # signed waits 30 days
    _project("planned", 400, owner=staff)  # not a watched stage
    _project("contact", 100, owner=staff, in_pool=False)  # left the reserve pool
    assert run() == counts(stale=1)
    assert keys() == [("project", stale.id, "stale", staff.id, TODAY)]
    assert Notification.query.one().url == f"/projects/{stale.id}"


def test_past_the_second_threshold_the_liaison_leader_is_told_too(staff):
    leader = factories.leader(display_name="陈副市长")
    p = _project("started", 60, owner=staff, liaison_leader=leader)
    run()
    assert keys() == [("project", p.id, "stale", staff.id, TODAY),
                      ("project", p.id, "stale_escalated", leader.id, TODAY)]
    title = db.session.scalar(sa.select(Notification.title).where(Notification.user_id == leader.id))
    assert title.startswith("【升级】")


def test_a_project_never_contacted_counts_from_its_stage_date_or_creation(staff):
    p = _project("contact", None, owner=staff)
    fresh = factories.project(stage="contact", owner=staff, stage_on=TODAY - timedelta(days=3),
                              created_at=datetime(2026, 1, 1))
    run()
    assert [k[1] for k in keys()] == [p.id] and fresh.id != p.id


def test_admin_thresholds_change_who_is_stale(staff):
    p = _project("contact", 10, owner=staff, liaison_leader=factories.leader())
    reminders.save_settings({"contact": (7, 9)})
    db.session.commit()
    assert reminders.stage_settings()["contact"] == (7, 9) and reminders.stage_settings()["signed"] == (30, 60)
    assert run() == counts(stale=1, stale_escalated=1) and keys()[0][1] == p.id


@pytest.mark.parametrize("values, message", [
    ({"contact": (0, 10)}, "1 到 365"), ({"contact": (10, 366)}, "1 到 365"), ({"contact": (10, 10)}, "大于"),
    ({"operating": (5, 10)}, "未知阶段"),
])
def test_bad_thresholds_are_refused_and_nothing_is_saved(app, values, message):
    with pytest.raises(reminders.SettingsError) as error:
        reminders.save_settings(values)
    assert message in str(error.value)
    assert reminders.stage_settings()["contact"] == (14, 28)


def test_several_reminders_for_one_user_go_in_one_email(firm, staff, settings):
    from crm.services.messaging import notify
    for _ in range(3):
        factories.interaction(firm, created_by=staff, next_follow_up=TODAY)
    run()
    row = OutboxMessage.query.filter_by(job="mail.notification").one()
    msg = notify.render_email(row.payload["notification_ids"], settings)
    assert msg["Subject"] == "【招商项目管家】您有 3 条新提醒" and msg["To"].addresses[0].addr_spec == staff.email
    assert "王招商" in msg.get_body(("plain",)).get_content()
    assert "http://crm.test/enterprises/" in msg.get_body(("html",)).get_content()


def test_each_reminder_is_linked_to_its_own_notification_and_its_users_email(firm, staff):
    other = factories.user("staff")
    factories.notification(staff, title="早先的一条通知")  # not the scan's: never linked, never emailed
    for n, owner in enumerate([staff, other, staff, other, staff]):
        factories.interaction(factories.enterprise(name=f"绥芬河市第{n}号经贸有限公司", owner=owner),
                              created_by=owner, next_follow_up=TODAY)
    project = _project("contact", 20, owner=other)
    assert run() == counts(follow_up_due=5, stale=1)
    rows = db.session.execute(sa.select(Reminder, Notification).join(
        Notification, Notification.id == Reminder.notification_id)).all()
    assert len(rows) == 6
    for reminder, note in rows:
        assert (note.user_id, note.kind, note.target_id) == (
            reminder.user_id, f"reminder.{reminder.reason}", reminder.target_id)
        if reminder.target_type == "interaction":
            name = db.session.get(Interaction, reminder.target_id).enterprise.name
            assert name in note.title
    assert any(note.target_id == project.id and project.name in note.title for _r, note in rows)
    mails = {tuple(m.payload["notification_ids"]) for m in OutboxMessage.query.filter_by(job="mail.notification")}
    by_user = {}
    for _reminder, note in sorted(rows, key=lambda pair: pair[0].id):
        by_user.setdefault(note.user_id, []).append(note.id)
    assert mails == {tuple(ids) for ids in by_user.values()}


def test_the_scans_statements_do_not_grow_with_the_interactions_scanned(firm, staff, statements):
    def count(quiet):
        for n in range(quiet):  # done or not yet due: scanned, never reminded
            factories.interaction(firm, created_by=staff, next_follow_up=TODAY + timedelta(days=n % 2),
                                  follow_up_done=n % 2 == 0, commit=False)
        factories.interaction(firm, created_by=staff, next_follow_up=TODAY, commit=False)
        db.session.commit()
        with statements() as counter:
            reminders.scan(NOW)
        db.session.rollback()
        db.session.execute(sa.update(Interaction).values(follow_up_done=True))  # the next round starts quiet
        db.session.commit()
        return len(counter)
    assert count(3) == count(40)




# --- departments: overdue problems and missing monthly reports -------------------------------

@pytest.fixture
def agri(app):
    return factories.department("农业农村局")


def test_an_overdue_problem_reminds_the_officers_of_its_department(agri):
    officer = factories.user("officer", department_obj=agri)
    factories.user("officer", department_obj=agri, is_enabled=False)
    factories.user("staff", department_obj=agri)  # not an officer
    factories.user("officer", department_obj=factories.department("商务局"))
    project = factories.project(name="中俄木耳深加工项目", lead_department=agri, in_pool=False)
    late = factories.problem(project, description="项目用地手续尚未办结", deadline=TODAY - timedelta(days=3))
    factories.problem(project, deadline=TODAY)  # due today: not yet overdue
    factories.problem(project, deadline=TODAY - timedelta(days=9), status="resolved")
    assert run() == counts(problem_overdue=1)
    assert keys() == [("problem", late.id, "problem_overdue", officer.id, TODAY)]
    note = Notification.query.one()
    assert note.title == "问题整改逾期：中俄木耳深加工项目" and "已逾期 3 天" in note.body
    assert note.url == f"/routines/problems?project={project.id}&overdue=1"
    assert run() == counts()


def test_reports_missing_after_the_due_day_remind_the_lead_departments_officers_once(agri):
    officer = factories.user("officer", department_obj=agri)
    factories.project(name="绥芬河中药材加工项目", lead_department=agri, stage="signed")
    factories.project(name="红松籽深加工项目", lead_department=agri, stage="planned")
    factories.progress_report(factories.project(lead_department=agri), month=date(2026, 11, 1))  # filed
    factories.project(name="已投产项目", lead_department=agri, stage="operating")  # no longer reports
    factories.project(lead_department=factories.department("商务局"))  # owed, but nobody there to tell
    assert run() == counts(report_missing=1)
    assert keys() == [("department", agri.id, "report_missing", officer.id, TODAY)]
    note = Notification.query.one()
    assert note.title == "月度调度未报：农业农村局 有 2 个项目"
    assert "2026-11" in note.body and "2026-11-05" in note.body and "绥芬河中药材加工项目" in note.body
    assert "红松籽深加工项目" in note.body and "已投产项目" not in note.body
    assert note.url == "/routines/dispatch?month=2026-11"
    assert run() == counts()


def test_reminders_name_the_department_in_chinese_even_when_it_has_an_english_name(agri):
    agri.name_en = "Agriculture and Rural Affairs Bureau"
    factories.user("officer", department_obj=agri, locale="en")
    factories.project(name="红松籽深加工项目", lead_department=agri)
    assert run() == counts(report_missing=1)
    assert Notification.query.one().title == "月度调度未报：农业农村局 有 1 个项目"


def test_before_the_due_day_the_previous_months_report_is_the_one_chased(agri):
    officer = factories.user("officer", department_obj=agri)
    project = factories.project(lead_department=agri)
    factories.progress_report(project, month=date(2026, 11, 1))
    early = datetime(2026, 12, 3, 2, 0)  # 3 December: December's report is not due yet
    assert reminders.report_month(local_today(early)) == (date(2026, 11, 1), date(2026, 11, 5))
    assert run(early) == counts()
    late = datetime(2026, 12, 6, 2, 0)
    assert run(late) == counts(report_missing=1) and keys()[0][3] == officer.id


def test_the_clock_gives_today_when_no_now_is_passed(firm, staff):
    factories.interaction(firm, created_by=staff, next_follow_up=TODAY)
    with time_machine.travel(datetime(2026, 11, 27, 15, 59, tzinfo=UTC), tick=False):  # 23:59 on the 27th
        assert reminders.scan()["follow_up_due"] == 0
    with time_machine.travel(datetime(2026, 11, 27, 16, 1, tzinfo=UTC), tick=False):  # 00:01 on the 28th
        assert reminders.scan()["follow_up_due"] == 1


# --- a logged contact ------------------------------------------------------------------------

def test_a_contact_logged_by_someone_else_tells_the_owner_and_the_liaison_leader(firm, staff):
    author = factories.user("staff", display_name="李对接")
    leader = factories.leader(display_name="陈副市长")
    project = factories.project(name="中药材加工项目", liaison_leader=leader)
    i = factories.interaction(firm, project=project, created_by=author, summary="电话沟通用地需求",
                              next_follow_up=TODAY + timedelta(days=7))
    assert reminders.on_interaction_logged(i.id) == 2
    db.session.commit()
    notes = {n.user_id: n for n in Notification.query}
    assert set(notes) == {staff.id, leader.id}
    assert notes[staff.id].title == "李对接 新增对接记录：绥芬河市润宏经贸有限公司 · 中药材加工项目"
    assert "电话沟通用地需求" in notes[staff.id].body and notes[staff.id].url == f"/enterprises/{firm.id}"
    assert notes[leader.id].url == f"/projects/{project.id}"
    assert OutboxMessage.query.count() == 0  # in-app only


def test_the_owners_own_contact_notifies_nobody(firm, staff):
    i = factories.interaction(firm, created_by=staff)
    assert reminders.on_interaction_logged(i.id) == 0 and reminders.on_interaction_logged(999999) == 0


def test_a_new_contact_settles_the_follow_ups_it_fulfils(firm, staff):
    project = factories.project()
    due = factories.interaction(firm, next_follow_up=TODAY - timedelta(days=2),
                                occurred_at=_at(TODAY - timedelta(days=9)))
    later = factories.interaction(firm, next_follow_up=TODAY + timedelta(days=5),
                                  occurred_at=_at(TODAY - timedelta(days=8)))
    other = factories.interaction(firm, project=project, next_follow_up=TODAY - timedelta(days=1),
                                  occurred_at=_at(TODAY - timedelta(days=8)))
    new = factories.interaction(firm, occurred_at=_at(TODAY), created_by=staff)
    reminders.on_interaction_logged(new.id)
    db.session.commit()
    done = dict(db.session.execute(sa.select(Interaction.id, Interaction.follow_up_done)).all())
    assert done == {due.id: True, later.id: False, other.id: False, new.id: False}


def test_logging_a_contact_queues_the_interactions_logged_job(firm, staff):
    from crm.services import interactions
    i = interactions.log_interaction(staff, firm, None, {"kind": "phone", "summary": "电话沟通"}, NOW)
    db.session.commit()
    row = OutboxMessage.query.one()
    assert (row.job, row.payload) == ("interactions.logged", {"interaction_id": i.id})


def test_the_scans_statements_do_not_grow_with_the_reminders_it_sends(agri, statements):
    owner = factories.user("staff")
    officer = factories.user("officer", department_obj=agri)
    assert officer

    def count(n):
        for _ in range(n):
            factories.interaction(factories.enterprise(owner=owner, commit=False), next_follow_up=TODAY, commit=False)
            project = factories.project(lead_department=agri, stage="contact", owner=owner, commit=False,
                                        stage_on=date(2026, 1, 5), created_at=datetime(2026, 1, 1))
            db.session.flush()
            factories.problem(project, deadline=TODAY - timedelta(days=1), commit=False)
        db.session.commit()
        with statements() as counter:
            result = reminders.scan(NOW)
        db.session.rollback()
        assert result == counts(follow_up_due=n, stale=n, problem_overdue=n, report_missing=1)
        db.session.execute(sa.delete(Problem))
        db.session.execute(sa.delete(Project))
        db.session.execute(sa.update(Interaction).values(follow_up_done=True))
        db.session.commit()
        return len(counter)
    assert count(3) == count(40)
