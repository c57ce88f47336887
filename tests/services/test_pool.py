"""Quarterly reserve-pool reviews (services/pool.py): batches, rolls and the pool as it stood."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, PoolReview, PoolReviewItem
from crm.services import pool
from tests import factories

TODAY = date(2026, 11, 28)


def run(users, quarter, on, **kw):
    review = pool.run_review(quarter=quarter, reviewed_on=on, note=kw.pop("note", None),
                             actor=kw.pop("actor", users["admin"]), today=kw.pop("today", TODAY))
    db.session.commit()
    return review


def actions(review) -> dict:
    rows = PoolReviewItem.query.filter_by(review_id=review.id).all()
    return {a: sorted(r.project_id for r in rows if r.action == a) for a in ("in", "out", "kept")}


@pytest.fixture
def first(app, users):
    """A first review over: planned/contact/paused in the pool, operating and dropped in it, a 谋划 candidate."""
    p = {name: factories.project(name=name, stage=stage, in_pool=in_pool) for name, stage, in_pool in (
        ("A", "planned", True), ("B", "operating", True), ("C", "dropped", True), ("D", "contact", True),
        ("E", "planned", False), ("F", "paused", True), ("X", "signed", False))}
    review = run(users, "2026-Q3", date(2026, 9, 30))
    return p, review


def test_first_review_moves_operating_and_dropped_out_and_new_planned_in(first):
    p, review = first
    assert actions(review) == {"in": [p[k].id for k in "ADEF"], "out": [p["B"].id, p["C"].id], "kept": []}
    assert [p[k].in_pool for k in "ABCDEFX"] == [True, False, False, True, True, True, False]
    item = db.session.get(PoolReviewItem, (review.id, p["B"].id))
    assert item.stage_at_review == "operating"


def test_second_review_keeps_the_rest_and_takes_in_what_is_new(first, users):
    p, r1 = first
    p["A"].stage = "contact"  # still in the pool: kept
    p["D"].stage = "operating"  # reached 投产: out
    p["F"].in_pool = False  # cleared by hand since: out
    g = factories.project(name="G", stage="planned", in_pool=True)  # created since: in
    h = factories.project(name="H", stage="planned", in_pool=False)  # a new 谋划 candidate: in
    old = factories.project(name="I", stage="planned", in_pool=False,
                            created_at=r1.created_at - timedelta(days=1))  # an old one left out: stays out
    db.session.commit()
    plan = pool.plan_review()
    assert plan.previous.id == r1.id
    assert [x.name for x in plan.incoming] == ["G", "H"]
    r2 = run(users, "2026-Q4", date(2026, 11, 28), note="第四季度评审")
    assert actions(r2) == {"in": [g.id, h.id], "out": [p["D"].id, p["F"].id], "kept": [p["A"].id, p["E"].id]}
    assert not old.in_pool and h.in_pool and not p["D"].in_pool
    # The pool as it stood after each review.
    assert set(db.session.scalars(pool.project_ids_as_of(r1.id))) == {p[k].id for k in "ADEF"}
    assert set(db.session.scalars(pool.project_ids_as_of(r2.id))) == {p["A"].id, p["E"].id, g.id, h.id}


def test_preview_changes_nothing(first):
    p, _ = first
    p["A"].stage = "dropped"
    db.session.commit()
    plan = pool.plan_review()
    assert [x.name for x in plan.outgoing] == ["A"]
    assert p["A"].in_pool and PoolReview.query.count() == 1


def test_the_preview_counts_every_project_and_loads_only_the_first_of_each_action(first):
    p, _ = first
    p["A"].stage = "dropped"
    for n in range(3):
        factories.project(name=f"新{n}", stage="planned", in_pool=True)
    db.session.commit()
    plan = pool.plan_review()

    preview = pool.preview_review(limit=2)

    assert preview.counts == {"in": len(plan.incoming), "out": len(plan.outgoing), "kept": len(plan.kept)}
    assert [x.id for x in preview.shown["in"]] == [x.id for x in plan.incoming[:2]] and len(plan.incoming) == 3
    assert [x.id for x in preview.shown["out"]] == [p["A"].id]


def test_a_reviews_lists_hold_its_first_rows_by_project_and_count_them_all(first):
    _, review = first
    lists = pool.review_lists(review, limit=1)
    pooled = sorted(i.project_id for i in review.items if i.action in ("in", "kept"))
    assert [i.project_id for i in lists["pool"]] == pooled[:1]
    assert sum(lists["counts"].values()) == len(review.items)


def test_review_changes_are_audited_with_the_review_as_note(first, users):
    p, review = first
    event = AuditEvent.query.filter_by(object_type="Project", object_id=p["B"].id, action="update").one()
    assert event.changes["in_pool"] == [True, False]
    assert event.actor_id == users["admin"].id and "2026-Q3" in event.note


def test_reviews_list_counts_actions(first):
    _, review = first
    ((listed, counts),) = pool.reviews()
    assert listed.id == review.id and counts == {"in": 4, "out": 2, "kept": 0, "held": 0}


@pytest.mark.parametrize("quarter, on, message", [
    ("2026-Q3", date(2026, 11, 1), "已经评审过"),
    ("2026Q4", date(2026, 11, 1), "YYYY-Qn"),
    ("2026-Q4", TODAY + timedelta(days=1), "不能晚于今天"),
    ("2026-Q2", date(2026, 11, 1), "不能早于上一次评审"),
    ("2026-Q4", date(2026, 9, 1), "不能早于上一次评审"),
])
def test_refused_reviews_change_nothing(first, users, quarter, on, message):
    p, _ = first
    p["A"].stage = "operating"
    db.session.commit()
    with pytest.raises(pool.PoolError, match=message):
        pool.run_review(quarter=quarter, reviewed_on=on, note=None, actor=users["admin"], today=TODAY)
    db.session.rollback()
    assert PoolReview.query.count() == 1 and p["A"].in_pool


def test_only_admins_run_reviews(app, users):
    factories.project()
    for role in ("staff", "officer", "leader"):
        with pytest.raises(pool.PoolError, match="管理员"):
            pool.run_review(quarter="2026-Q4", reviewed_on=TODAY, note=None, actor=users[role], today=TODAY)
    assert PoolReview.query.count() == 0


def test_quarter_of():
    assert [pool.quarter_of(date(2026, m, 1)) for m in (1, 3, 4, 9, 10, 12)] == [
        "2026-Q1", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-Q4"]



def test_project_list_filter_shows_the_pool_as_of_a_review(app, users):
    from crm.models import Project
    from crm.services import projects as project_svc
    factories.project(name="评审时在库项目")
    review = run(users, "2026-Q3", date(2026, 9, 30))
    factories.project(name="评审后新建项目")
    conditions = project_svc.project_filters({"pool_review": str(review.id)})
    names = set(db.session.scalars(sa.select(Project.name).where(*conditions)))
    assert names == {"评审时在库项目"}


# ---- the committee's decisions, project by project ----------------------------------------

def _state():
    """Every project's pool flag, and how many reviews and audit rows there are."""
    from crm.models import Project
    return ({p.id: p.in_pool for p in Project.query.all()}, PoolReview.query.count(), AuditEvent.query.count())


def test_mixed_decisions_apply_in_one_transaction_and_are_audited(first, users):
    p, r1 = first
    new = factories.project(name="N", stage="planned", in_pool=True)  # proposed 入库
    waiting = factories.project(name="W", stage="planned", in_pool=False)  # a new 谋划 candidate
    p["D"].stage = "operating"  # proposed 出库
    db.session.commit()
    decisions = {p["A"].id: ("out", "企业撤资，项目不再推进"),  # proposed kept: taken out with a reason
                 p["D"].id: ("out", "已投产"), new.id: ("defer", "待用地指标落实"), waiting.id: ("pending", ""),
                 p["F"].id: ("defer", "")}  # was in the pool: 暂缓 keeps it there
    review = pool.run_review(quarter="2026-Q4", reviewed_on=TODAY, note="评审会", actor=users["admin"],
                             today=TODAY, decisions=decisions)
    db.session.commit()
    rows = {r.project_id: (r.decision, r.action, r.note) for r in review.items}
    assert rows[p["A"].id] == ("out", "out", "企业撤资，项目不再推进")
    assert rows[new.id] == ("defer", "held", "待用地指标落实") and rows[waiting.id] == ("pending", "held", None)
    assert rows[p["F"].id] == ("defer", "kept", None) and rows[p["E"].id] == ("in", "kept", None)
    assert [x.in_pool for x in (p["A"], p["D"], new, waiting, p["F"], p["E"])] == [False, False, False, False,
                                                                                   True, True]
    assert set(db.session.scalars(pool.project_ids_as_of(review.id))) == {p["E"].id, p["F"].id}
    audited = AuditEvent.query.filter_by(object_type="Project", object_id=p["A"].id).order_by(AuditEvent.id).all()
    assert audited[-1].actor_id == users["admin"].id and audited[-1].changes["in_pool"] == [True, False]
    assert "2026-Q4" in (audited[-1].note or "")
    # The first review stays readable as it was.
    assert pool.review_lists(r1)["counts"] == {"in": 4, "out": 2, "kept": 0, "held": 0}
    assert pool.review_lists(review)["counts"] == {"in": 0, "out": 2, "kept": 2, "held": 2}


@pytest.mark.parametrize("decision, message", [
    (("out", ""), "出库须填写理由"), (("in", ""), "不能入库"), (("keep", ""), "评审决定无效")])
def test_a_refused_decision_leaves_everything_unchanged(first, users, decision, message):
    p, _ = first
    p["D"].stage = "dropped"
    db.session.commit()
    before = _state()
    target = p["A"] if decision[0] != "in" else p["D"]
    decisions = {p["E"].id: ("out", "不再推进"), target.id: decision}  # the first one alone would pass
    with pytest.raises(pool.PoolError, match=message):
        pool.run_review(quarter="2026-Q4", reviewed_on=TODAY, note=None, actor=users["admin"], today=TODAY,
                        decisions=decisions)
    db.session.rollback()
    assert _state() == before


def test_a_decision_for_a_project_that_is_no_candidate_is_refused(first, users):
    p, _ = first
    with pytest.raises(pool.PoolError, match="不在本次评审的候选项目中"):
        pool.run_review(quarter="2026-Q4", reviewed_on=TODAY, note=None, actor=users["admin"], today=TODAY,
                        decisions={p["X"].id: ("in", "")})
