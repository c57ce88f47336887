"""Stage rules (README "Stage rules"): each rule and each refusal."""
from datetime import date
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import AuditEvent, StageEvent
from crm.services.core import access
from crm.services.pipeline import (
    StageError,
    allowed_targets,
    check_history,
    default_target,
    move_stage,
    target_kind,
)
from tests import factories

TODAY = date(2026, 11, 28)


def move(project, to, user, on, **kw):
    event = move_stage(project, to, actor=user, occurred_on=on, today=TODAY, **kw)
    db.session.commit()
    return event


@pytest.fixture
def project(app):
    return factories.project()


def test_one_step_forward_records_event_audit_and_first_date(project, users):
    event = move(project, "contact", users["staff"], date(2026, 1, 5), evidence="来访洽谈")
    assert project.stage == "contact" and project.contacted_on == date(2026, 1, 5)
    assert (event.from_stage, event.to_stage, event.is_override) == ("planned", "contact", False)
    audit = AuditEvent.query.filter_by(object_type="Project", object_id=project.id, action="update").one()
    assert audit.changes["stage"] == ["planned", "contact"]
    assert audit.actor_id == users["staff"].id
    assert AuditEvent.query.filter_by(object_type="StageEvent", action="create").count() == 1


def test_signing_requires_a_positive_contract_amount(project, users):
    move(project, "contact", users["staff"], date(2026, 1, 5))
    for amount in (None, 0, Decimal("-5")):
        with pytest.raises(StageError, match="签约金额"):
            move(project, "signed", users["staff"], date(2026, 2, 1), contract_amount=amount)
    assert project.stage == "contact" and StageEvent.query.count() == 1
    move(project, "signed", users["staff"], date(2026, 2, 1), contract_amount=Decimal("3000"))
    assert project.signed_on == date(2026, 2, 1) and project.signed_amount == Decimal("3000")


def test_staff_cannot_skip_a_stage(project, users):
    with pytest.raises(StageError, match="逐级"):
        move(project, "signed", users["staff"], date(2026, 1, 5), contract_amount=100)
    assert project.stage == "planned" and StageEvent.query.count() == 0


def test_staff_cannot_move_back(project, users):
    move(project, "contact", users["staff"], date(2026, 1, 5))
    with pytest.raises(StageError, match="逐级"):
        move(project, "planned", users["staff"], date(2026, 1, 6), reason="重新谋划")


def test_admin_may_skip_only_with_a_reason_and_earlier_milestones_are_implied(project, users):
    with pytest.raises(StageError, match="原因"):
        move(project, "started", users["admin"], date(2026, 3, 1))
    event = move(project, "started", users["admin"], date(2026, 3, 1), reason="补录：已开工")
    assert event.is_override and project.stage == "started"
    assert project.contacted_on == project.signed_on == project.started_on == date(2026, 3, 1)


def test_admin_may_move_back_with_a_reason(project, users):
    move(project, "contact", users["staff"], date(2026, 1, 5))
    event = move(project, "planned", users["admin"], date(2026, 1, 9), reason="投资方撤回意向")
    assert event.is_override and project.stage == "planned"
    assert AuditEvent.query.filter_by(object_type="StageEvent", action="create").count() == 2


def test_dates_never_run_backward(project, users):
    move(project, "contact", users["staff"], date(2026, 5, 1))
    with pytest.raises(StageError, match="倒流"):
        move(project, "signed", users["staff"], date(2026, 4, 30), contract_amount=10)


def test_future_dates_are_refused(project, users):
    with pytest.raises(StageError, match="晚于今天"):
        move(project, "contact", users["staff"], date(2026, 12, 1))


def test_pause_and_drop_need_a_reason(project, users):
    for side in ("paused", "dropped"):
        with pytest.raises(StageError, match="原因"):
            move(project, side, users["staff"], date(2026, 1, 5), reason="  ")
    move(project, "paused", users["staff"], date(2026, 1, 5), reason="企业资金未到位")
    assert project.stage == "paused"


def test_resume_after_pause_returns_to_the_stage_it_left(project, users):
    move(project, "contact", users["staff"], date(2026, 1, 5))
    move(project, "paused", users["staff"], date(2026, 2, 1), reason="等待用地指标")
    event = move(project, "contact", users["staff"], date(2026, 3, 1))
    assert not event.is_override and project.stage == "contact"
    assert project.contacted_on == date(2026, 1, 5)  # first date kept


def test_reviving_a_dropped_project_is_admin_only(project, users):
    move(project, "dropped", users["staff"], date(2026, 1, 5), reason="企业破产")
    with pytest.raises(StageError):
        move(project, "contact", users["staff"], date(2026, 2, 1))
    move(project, "contact", users["admin"], date(2026, 2, 1), reason="新投资方接手")
    assert project.stage == "contact"


def test_a_project_counts_once_toward_signing_at_its_first_event(project, users):
    move(project, "contact", users["staff"], date(2026, 1, 5))
    move(project, "signed", users["staff"], date(2026, 2, 1), contract_amount=500)
    move(project, "contact", users["admin"], date(2026, 3, 1), reason="合同解除，重新洽谈")
    move(project, "signed", users["staff"], date(2026, 4, 1), contract_amount=800)
    assert project.signed_on == date(2026, 2, 1) and project.signed_amount == Decimal("500")


def test_same_stage_and_unknown_stage_are_refused(project, users):
    with pytest.raises(StageError):
        move(project, "planned", users["staff"], date(2026, 1, 5))
    with pytest.raises(StageError):
        move(project, "bogus", users["staff"], date(2026, 1, 5))


def test_missing_date_is_refused(project, users):
    with pytest.raises(StageError, match="日期"):
        move_stage(project, "contact", actor=users["staff"], occurred_on=None, today=TODAY)


def test_officer_moves_only_projects_of_their_department(project, users):
    with pytest.raises(access.Denied):
        move(project, "contact", users["officer"], date(2026, 1, 5))
    project.lead_department = users["officer"].department
    db.session.commit()
    move(project, "contact", users["officer"], date(2026, 1, 5))
    assert project.stage == "contact"


def test_leader_cannot_move_stages(project, users):
    with pytest.raises(access.Denied):
        move(project, "contact", users["leader"], date(2026, 1, 5))
    assert allowed_targets(project, users["leader"]) == []


def test_allowed_targets_hide_skips_from_staff_but_not_from_admins(project, users):
    assert set(allowed_targets(project, users["staff"])) == {"contact", "paused", "dropped"}
    assert "operating" in allowed_targets(project, users["admin"])


def test_a_target_is_refused_before_any_form_when_the_user_may_not_pick_it(project, users):
    """What the board asks when a card is dropped: the same refusals move_stage gives."""
    assert target_kind(project, "contact", users["staff"]) == "normal"
    assert target_kind(project, "paused", users["staff"]) == "side"
    assert target_kind(project, "signed", users["admin"]) == "override"
    with pytest.raises(StageError, match="只能逐级推进一个阶段"):
        target_kind(project, "signed", users["staff"])
    with pytest.raises(StageError, match="已处于该阶段"):
        target_kind(project, "planned", users["admin"])
    with pytest.raises(StageError, match="未知阶段"):
        target_kind(project, "moon", users["admin"])


def test_the_form_preselects_the_next_stage_only_when_it_is_the_one_choice(project, users):
    assert default_target(project, users["staff"]) == "contact"
    assert default_target(project, users["admin"]) is None  # skips and moves back are open to admins
    move(project, "contact", users["staff"], date(2026, 1, 5))
    assert default_target(project, users["staff"]) == "signed"
    move(project, "paused", users["staff"], date(2026, 1, 6), reason="对方暂停投资计划")
    assert default_target(project, users["staff"]) is None  # resume 洽谈 or go on to 签约: a choice
    assert default_target(project, users["leader"]) is None


def test_a_history_is_checked_by_the_move_rules_without_saving_anything(app):
    good = [("contact", date(2026, 3, 2), None), ("signed", date(2026, 6, 18), Decimal("9000")),
            ("started", date(2026, 9, 1), None)]
    assert check_history(good, TODAY) is None
    assert check_history(good[:1] + [("signed", date(2026, 6, 18), None)], TODAY)[0] == "signed"
    stage, message = check_history(good[:2] + [("started", date(2026, 5, 1), None)], TODAY)
    assert stage == "started" and "不能早于签约日期" in message
    assert check_history([("contact", date(2026, 12, 1), None)], TODAY)[0] == "contact"
    assert not db.session.new and StageEvent.query.count() == 0
