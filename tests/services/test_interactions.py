"""Logging a contact: date rules, last-contact times, the signal, and who may log about what."""
from datetime import date, datetime, timedelta

import pytest

from crm.extensions import db
from crm.models import Interaction
from crm.services.core import access, signals
from crm.services.enterprises import ValidationError
from crm.services.interactions import linked_loggable, log_interaction, mark_follow_up_done, recent_projects
from tests import factories

NOW = datetime(2026, 11, 28, 2, 0)  # UTC; 10:00 on 2026-11-28 in 绥芬河


def payload(**kw):
    return {"kind": "phone", "summary": "电话沟通投资意向", "occurred_at": NOW - timedelta(hours=1)} | kw


def log(user, enterprise, project=None, **kw):
    interaction = log_interaction(user, enterprise, project, payload(**kw), now=NOW)
    db.session.commit()
    return interaction


def refused(user, enterprise, project=None, **kw) -> dict:
    with pytest.raises(ValidationError) as info:
        log_interaction(user, enterprise, project, payload(**kw), now=NOW)
    db.session.rollback()
    assert Interaction.query.count() == 0
    return info.value.errors


@pytest.fixture
def firm(app):
    return factories.enterprise()


@pytest.fixture
def project(app):
    return factories.project(lead_department=factories.department("工信科局"))


def test_logging_updates_last_contact_times_and_announces_it(users, firm, project):
    heard = []
    with signals.interaction_logged.connected_to(lambda sender: heard.append(sender)):
        i = log(users["staff"], firm, project, next_follow_up=date(2026, 12, 5))
    assert firm.last_interaction_at == project.last_interaction_at == NOW - timedelta(hours=1)
    assert heard == [i] and i.created_by_id == users["staff"].id and i.follow_up_done is False


def test_an_older_contact_does_not_move_the_last_contact_back(users, firm):
    log(users["staff"], firm)
    log(users["staff"], firm, occurred_at=NOW - timedelta(days=30))
    assert firm.last_interaction_at == NOW - timedelta(hours=1)


def test_occurred_at_defaults_to_now(users, firm):
    assert log(users["staff"], firm, occurred_at=None).occurred_at == NOW


def test_the_future_is_refused_but_small_clock_drift_is_not(users, firm):
    assert "晚于当前时间" in refused(users["staff"], firm, occurred_at=NOW + timedelta(hours=1))["occurred_at"]
    assert "过早" in refused(users["staff"], firm, occurred_at=datetime(1999, 12, 31))["occurred_at"]
    log(users["staff"], firm, occurred_at=NOW + timedelta(minutes=3))


def test_follow_up_may_not_precede_the_local_day_of_the_contact(users, firm):
    late_evening_utc = datetime(2026, 11, 27, 17, 0)  # already 2026-11-28 01:00 in 绥芬河
    errors = refused(users["staff"], firm, occurred_at=late_evening_utc, next_follow_up=date(2026, 11, 27))
    assert "不能早于对接日期" in errors["next_follow_up"]
    assert "三年" in refused(users["staff"], firm, next_follow_up=date(2031, 1, 1))["next_follow_up"]
    log(users["staff"], firm, occurred_at=late_evening_utc, next_follow_up=date(2026, 11, 28))


def test_summary_and_kind_are_required(users, firm):
    errors = refused(users["staff"], firm, summary="  ", kind="telepathy")
    assert set(errors) == {"summary", "kind"}
    assert "enterprise" in refused(users["staff"], None)


def test_a_project_whose_investors_are_other_firms_is_still_allowed(users, firm, project):
    project.investors = [factories.enterprise()]
    assert log(users["staff"], firm, project).project_id == project.id


def test_officers_log_only_about_their_departments_projects(users, firm, project):
    shared = factories.project(lead_department=factories.department("农业农村局"))
    shared.departments = [users["officer"].department]
    foreign = factories.project(lead_department=factories.department("卫健局"))
    log(users["officer"], firm, project)
    log(users["officer"], firm, shared)
    for other in (foreign, None):
        with pytest.raises(access.Denied):
            log_interaction(users["officer"], firm, other, payload(), now=NOW)
    with pytest.raises(access.Denied):
        log_interaction(users["leader"], firm, project, payload(), now=NOW)


def test_marking_a_follow_up_done(users, firm, project):
    i = log(users["staff"], firm, project, next_follow_up=date(2026, 12, 1))
    mark_follow_up_done(users["officer"], i)
    db.session.commit()
    assert i.follow_up_done is True
    with pytest.raises(access.Denied):
        mark_follow_up_done(users["leader"], i)


def test_an_officers_recent_projects_are_the_departments_latest_contacted_first(users, firm, project):
    officer = users["officer"]
    quiet = factories.project(name="甲项目", lead_department=officer.department)
    busy = factories.project(name="乙项目", lead_department=officer.department, last_interaction_at=NOW)
    shared = factories.project(name="丙项目", lead_department=factories.department("农业农村局"))
    shared.departments = [officer.department]
    factories.project(name="丁项目", lead_department=factories.department("卫健局"), last_interaction_at=NOW)
    log(officer, firm, shared)  # logged by the officer: first, though the department does not lead it
    assert [name for _id, name in recent_projects(officer)] == ["丙项目", "乙项目", project.name, "甲项目"]
    assert [p for p, _name in recent_projects(officer, limit=2)] == [shared.id, busy.id]
    assert quiet.id in {p for p, _name in recent_projects(officer)}
    assert recent_projects(users["leader"]) == []


def test_linked_loggable_lists_invested_and_discussed_projects_the_user_may_log_about(users, firm, project):
    foreign = factories.project(name="生物质热电联产项目", lead_department=factories.department("农业农村局"))
    project.investors = [firm]
    log(users["staff"], firm, foreign)
    assert {p for _e, p, _name in linked_loggable(users["staff"], [firm.id])} == {project.id, foreign.id}
    assert [(e, p) for e, p, _name in linked_loggable(users["officer"], [firm.id])] == [(firm.id, project.id)]


def test_rescheduling_a_follow_up_by_date_or_shortcut_is_audited(users, firm):
    from crm.models import AuditEvent
    from crm.services.interactions import reschedule_follow_up
    today = date(2026, 11, 28)
    item = factories.interaction(firm, next_follow_up=date(2026, 11, 25))
    reschedule_follow_up(users["staff"], item, "week", today=today)
    assert item.next_follow_up == date(2026, 12, 5)
    reschedule_follow_up(users["staff"], item, date(2026, 12, 1), today=today)
    db.session.commit()
    changes = [e.changes.get("next_follow_up") for e in AuditEvent.query.filter_by(
        object_type="Interaction", object_id=item.id, action="update").order_by(AuditEvent.id)]
    assert changes == [["2026-11-25", "2026-12-05"], ["2026-12-05", "2026-12-01"]]


@pytest.mark.parametrize("day, message", [(None, "请选择新的跟进日期。"), (date(2026, 11, 27), "新的跟进日期不能早于今天。"),
                                          (date(2030, 1, 1), "新的跟进日期不能晚于三年以后。")])
def test_a_bad_reschedule_date_is_refused_and_changes_nothing(users, firm, day, message):
    from crm.services.interactions import reschedule_follow_up
    item = factories.interaction(firm, next_follow_up=date(2026, 11, 25))
    with pytest.raises(ValidationError) as refused:
        reschedule_follow_up(users["staff"], item, day, today=date(2026, 11, 28))
    assert refused.value.errors == {"next_follow_up": message}
    assert item.next_follow_up == date(2026, 11, 25)


def test_a_done_follow_up_is_not_rescheduled(users, firm):
    from crm.services.interactions import reschedule_follow_up
    item = factories.interaction(firm, next_follow_up=date(2026, 11, 25), follow_up_done=True)
    with pytest.raises(ValidationError):
        reschedule_follow_up(users["staff"], item, "tomorrow", today=date(2026, 11, 28))
