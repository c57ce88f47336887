"""Liaison assignment rules (领导包联): eligibility, load balancing, cap, ties, flags, idempotence."""
from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, LiaisonFlag, Project
from crm.services.liaison import assignment
from crm.services.liaison.assignment import Rules, Tier, choose_leader, eligible_leaders, needs_liaison
from tests import factories

NOW = datetime(2026, 11, 23, 0, 0)


class L:
    """A leader stand-in for the pure rules: they read only id and leader_rank."""

    def __init__(self, id, rank=2):
        self.id, self.leader_rank = id, rank

    def __repr__(self):
        return f"L({self.id}, rank={self.leader_rank})"


class P:
    def __init__(self, sector_id=1, total_investment=None, is_key=False, stage="planned", in_pool=True, **kw):
        self.sector_id, self.total_investment, self.is_key = sector_id, total_investment, is_key
        self.stage, self.in_pool, self.liaison_leader_id = stage, in_pool, kw.get("liaison_leader_id")
        for column in ("contacted_on", "signed_on", "started_on", "operating_on"):
            setattr(self, column, kw.get(column))


# --- pure rules -----------------------------------------------------------------------------

def test_choose_leader_picks_the_fewest_active_liaison_projects():
    a, b, c = L(1), L(2), L(3)
    assert choose_leader(P(), [a, b, c], {1: 3, 2: 1, 3: 2}, cap=None) is b


def test_ties_resolve_by_rank_then_id_whatever_the_input_order():
    leaders = [L(7, rank=2), L(3, rank=2), L(9, rank=1), L(4, rank=None)]
    for _ in range(20):
        random.shuffle(leaders)
        assert choose_leader(P(), leaders, {}, cap=None).id == 9
    leaders = [L(7, rank=2), L(3, rank=2)]
    assert choose_leader(P(), leaders, {}, cap=None).id == 3


def test_cap_is_never_exceeded_over_random_loads():
    rng = random.Random(20261123)
    for _ in range(500):
        leaders = [L(i, rank=rng.choice([1, 2, 3, None])) for i in range(1, rng.randint(1, 6) + 1)]
        cap = rng.choice([None, 1, 2, 3, 5])
        loads = {leader.id: rng.randint(0, 6) for leader in leaders}
        # Assign a burst of projects the way run_all does, updating the loads as it goes.
        for _ in range(rng.randint(1, 8)):
            chosen = choose_leader(P(), leaders, loads, cap)
            open_ = [leader for leader in leaders if cap is None or loads[leader.id] < cap]
            if chosen is None:
                assert not open_
                break
            assert cap is None or loads[chosen.id] < cap
            assert loads[chosen.id] == min(loads[leader.id] for leader in open_)
            loads[chosen.id] += 1


def test_cap_full_for_every_eligible_leader_gives_none():
    assert choose_leader(P(), [L(1), L(2)], {1: 2, 2: 2}, cap=2) is None


def test_eligible_are_the_sector_leaders_below_every_tier():
    a, b, top = L(1), L(2), L(3, rank=1)
    rules = Rules(leaders=[top, a, b], sector_leaders={1: [b, a]}, tiers=[Tier(Decimal(10000), 1)])
    assert eligible_leaders(P(sector_id=1, total_investment=Decimal(5000)), rules) == [a, b]
    assert eligible_leaders(P(sector_id=2, total_investment=Decimal(5000)), rules) == []


def test_a_tier_gives_the_top_leaders_and_prefers_those_in_charge_of_the_sector():
    vice1, vice2, top1, top2 = L(1), L(2), L(3, rank=1), L(4, rank=1)
    rules = Rules(leaders=[top1, top2, vice1, vice2], sector_leaders={1: [vice1, top2]},
                  tiers=[Tier(Decimal(10000), 1), Tier(Decimal(3000), 2)])
    assert eligible_leaders(P(total_investment=Decimal(10000)), rules) == [top2]
    assert eligible_leaders(P(sector_id=2, total_investment=Decimal(20000)), rules) == [top1, top2]
    assert eligible_leaders(P(total_investment=Decimal(5000)), rules) == [vice1]
    assert eligible_leaders(P(sector_id=2, total_investment=Decimal(5000)), rules) == [vice1, vice2]


def test_needs_liaison_when_key_in_a_tier_or_past_a_trigger_stage_and_active():
    rules = Rules(tiers=[Tier(Decimal(10000), 1)], trigger_stages=frozenset({"signed"}))
    assert not needs_liaison(P(), rules)
    assert needs_liaison(P(is_key=True), rules)
    assert needs_liaison(P(total_investment=Decimal(10000)), rules)
    assert needs_liaison(P(stage="signed"), rules)
    assert needs_liaison(P(stage="paused", signed_on=date(2026, 1, 1)), rules)
    assert not needs_liaison(P(is_key=True, stage="operating"), rules)
    assert not needs_liaison(P(is_key=True, in_pool=False), rules)


# --- assignment against the database ------------------------------------------------------------

@pytest.fixture
def city(app, users):
    """Two 副市长 in charge of 生物医药, one top leader, an admin; tier ≥ 1亿 → rank 1."""
    biomed = factories.sector("biomed")
    vice_a, vice_b = factories.leader(2, display_name="王副市长"), factories.leader(2, display_name="李副市长")
    top = factories.leader(1, display_name="张书记")
    factories.liaison_rules({biomed: [vice_a, vice_b]}, tiers=[("10000", 1)])
    return {"biomed": biomed, "vice_a": vice_a, "vice_b": vice_b, "top": top, "admin": users["admin"]}


def _notes(user, kind):
    from crm.models import Notification
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id,
                                                            Notification.kind == kind)).all()


def test_assign_gives_a_key_project_the_least_loaded_sector_leader_and_notifies_them(city):
    factories.project(is_key=True, liaison_leader_id=city["vice_a"].id)
    project = factories.project(is_key=True)
    with assignment.audit.acting_as(label="worker"):
        assert assignment.assign(project.id, NOW) == "assigned"
    db.session.commit()
    assert project.liaison_leader_id == city["vice_b"].id
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "Project",
                                                            AuditEvent.object_id == project.id,
                                                            AuditEvent.action == "update")).one()
    assert event.changes["liaison_leader_id"] == [None, city["vice_b"].id]
    assert event.actor_label == "worker"
    assert len(_notes(city["vice_b"], "liaison.assigned")) == 1


def test_assign_twice_changes_nothing(city):
    project = factories.project(is_key=True)
    assert assignment.assign(project.id, NOW) == "assigned"
    db.session.commit()
    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    assert assignment.assign(project.id, NOW) == "kept"
    assert assignment.run_all(NOW)["assigned"] == 0
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events
    assert len(_notes(db.session.get(type(city["vice_a"]), project.liaison_leader_id), "liaison.assigned")) == 1


def test_a_project_with_a_valid_leader_keeps_them_even_outside_the_rules(city):
    outsider = factories.leader(3)
    project = factories.project(is_key=True, liaison_leader_id=outsider.id)
    assert assignment.assign(project.id, NOW) == "kept"
    assert project.liaison_leader_id == outsider.id


def test_a_disabled_leader_is_replaced(city):
    project = factories.project(is_key=True, liaison_leader_id=city["vice_a"].id)
    city["vice_a"].is_enabled = False
    db.session.commit()
    assert assignment.run_all(NOW)["assigned"] == 1
    assert project.liaison_leader_id == city["vice_b"].id


def test_big_investment_goes_to_the_top_leader(city):
    project = factories.project(total_investment=Decimal("20000"))
    assert assignment.assign(project.id, NOW) == "assigned"
    assert project.liaison_leader_id == city["top"].id


def test_no_eligible_leader_flags_the_project_and_tells_the_admins_once(city):
    other = factories.sector("bioenergy")
    project = factories.project(is_key=True, sector=other)
    assert assignment.assign(project.id, NOW) == "unassigned"
    assert assignment.assign(project.id, NOW) == "unassigned"
    assignment.run_all(NOW)
    db.session.commit()
    flag = db.session.scalars(sa.select(LiaisonFlag)).one()
    assert (flag.project_id, flag.reason) == (project.id, "no_eligible")
    assert len(_notes(city["admin"], "liaison.unassigned")) == 1
    assert project.liaison_leader_id is None


def test_cap_full_flags_the_project_and_a_later_assignment_clears_the_flag(city):
    assignment.config().cap = 1
    factories.project(is_key=True, liaison_leader_id=city["vice_a"].id)
    factories.project(is_key=True, liaison_leader_id=city["vice_b"].id)
    project = factories.project(is_key=True)
    assert assignment.assign(project.id, NOW) == "unassigned"
    assert db.session.scalars(sa.select(LiaisonFlag.reason)).one() == "all_at_cap"
    assignment.config().cap = 2
    assert assignment.run_all(NOW)["assigned"] == 1
    assert db.session.scalars(sa.select(LiaisonFlag)).all() == []


def test_run_all_spreads_projects_and_never_passes_the_cap(city):
    assignment.config().cap = 3
    projects = [factories.project(is_key=True) for _ in range(8)]
    counts = assignment.run_all(NOW)
    db.session.commit()
    assert counts == {"assigned": 6, "unassigned": 2, "not_needed": 0, "kept": 0}
    loads = assignment.leader_loads()
    assert loads == {city["vice_a"].id: 3, city["vice_b"].id: 3}
    assert [p.liaison_leader_id for p in projects[:2]] == [city["vice_a"].id, city["vice_b"].id]


def test_operating_projects_do_not_count_toward_the_load(city):
    assignment.config().cap = 1
    factories.project(is_key=True, stage="operating", liaison_leader_id=city["vice_a"].id)
    factories.project(is_key=True, stage="dropped", liaison_leader_id=city["vice_a"].id)
    factories.project(is_key=True, in_pool=False, liaison_leader_id=city["vice_a"].id)
    project = factories.project(is_key=True)
    assert assignment.assign(project.id, NOW) == "assigned"
    assert project.liaison_leader_id == city["vice_a"].id


def test_manual_reassignment_is_audited_tells_both_leaders_and_respects_the_cap(city):
    assignment.config().cap = 1
    busy = factories.project(is_key=True, liaison_leader_id=city["vice_b"].id)
    project = factories.project(is_key=True, liaison_leader_id=city["vice_a"].id)
    with pytest.raises(assignment.LiaisonError):
        assignment.assign_by_hand(project, city["vice_b"], reason="调整")
    with assignment.audit.acting_as(city["admin"]):
        assignment.assign_by_hand(project, city["top"], reason="书记亲自包联")
    db.session.commit()
    assert project.liaison_leader_id == city["top"].id and busy.liaison_leader_id == city["vice_b"].id
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_id == project.id,
                                                            AuditEvent.object_type == "Project",
                                                            AuditEvent.action == "update")).one()
    assert event.actor_id == city["admin"].id and event.note == "书记亲自包联"
    assert len(_notes(city["top"], "liaison.assigned")) == 1
    assert len(_notes(city["vice_a"], "liaison.released")) == 1


def test_set_sector_leaders_replaces_the_table_and_audits_each_sector(city):
    other = factories.sector("bioenergy")
    changed = assignment.set_sector_leaders({city["biomed"].id: {city["vice_a"].id}, other.id: {city["top"].id}},
                                         city["admin"])
    db.session.commit()
    assert changed == 2
    assert assignment.sector_leader_ids() == {city["biomed"].id: {city["vice_a"].id}, other.id: {city["top"].id}}
    with pytest.raises(assignment.LiaisonError):
        assignment.set_sector_leaders({other.id: {city["admin"].id}}, city["admin"])


# --- triggers -------------------------------------------------------------------------------

def _outbox_jobs():
    from crm.models import OutboxMessage
    return [(m.job, m.payload) for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def test_saving_a_project_as_key_queues_the_assignment(city, users):
    from crm.services.projects import save_project
    project = factories.project()
    save_project(users["staff"], project, _form(project, is_key=True))
    assert _outbox_jobs() == [("liaison.assign", {"project_id": project.id})]


def test_crossing_a_tier_queues_the_assignment_but_other_edits_do_not(city, users):
    from crm.services.projects import save_project
    project = factories.project(total_investment=Decimal("5000"))
    save_project(users["staff"], project, _form(project, notes="备注"))
    assert _outbox_jobs() == []
    save_project(users["staff"], project, _form(project, total_investment="12000"))
    assert _outbox_jobs() == [("liaison.assign", {"project_id": project.id})]


def test_reaching_a_trigger_stage_queues_the_assignment(city, users):
    from crm.services.pipeline import move_stage
    assignment.config().trigger_stages = ["contact"]
    project = factories.project()
    move_stage(project, "contact", actor=users["staff"], occurred_on=date(2026, 11, 20), today=date(2026, 11, 23))
    assert _outbox_jobs() == [("liaison.assign", {"project_id": project.id})]


def _form(project: Project, **changes) -> dict:
    """The project's current values as save_project data, with `changes` applied."""
    from crm.services.projects import SCALAR_FIELDS
    data = {key: getattr(project, key) for key in SCALAR_FIELDS}
    data.update(investor_ids=[], department_ids=[])
    data.update(changes)
    return data
