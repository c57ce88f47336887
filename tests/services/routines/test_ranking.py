"""季度晾晒: the score on hand-built data with exact values, colours, ranks, the live
(provisional) quarter and snapshots that never change once frozen.

Most tests check the plain-rate arithmetic (method "raw", no minimum sample); the fair default
(Wilson lower bound, 样本不足 below min_items) has its own tests at the end."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import ProgressReport, RankingSnapshot, RoutineSettings, StageEvent
from crm.services.routines import ranking
from crm.services.routines.ranking import Quarter
from tests import factories

Q3 = Quarter(2026, 3)
AFTER_Q3 = date(2026, 10, 10)


def test_quarter_arithmetic():
    assert Quarter.parse("2026-q3") == Q3
    assert (Q3.start, Q3.end, Q3.months[-1]) == (date(2026, 7, 1), date(2026, 9, 30), date(2026, 9, 1))
    assert (str(Quarter(2026, 1).prev()), str(Quarter(2026, 4).next())) == ("2025-Q4", "2027-Q1")
    assert [Quarter.parse(t) for t in ("2026-Q5", "2026", "x-Q1", None)] == [None] * 4
    assert ranking.quarters_until(date(2023, 2, 1)) == [Quarter(2023, 1), Quarter(2022, 4)]


def _report(project, month, filed_day, **kw):
    """A report for `month` (1-based) filed at 10:00 local on `filed_day` of that month."""
    return factories.progress_report(project, month=date(2026, month, 1),
                                     submitted_at=datetime(2026, month, filed_day, 2, 0), **kw)


def _move(project, from_stage, to_stage, on):
    db.session.add(StageEvent(project_id=project.id, from_stage=from_stage, to_stage=to_stage, occurred_on=on))
    db.session.commit()


RAW = {**RoutineSettings.DEFAULTS, "rank_method": "raw", "min_items": 0}


@pytest.fixture(autouse=True)
def raw_rules(app):
    db.session.add(RoutineSettings(id=1, **RAW))
    db.session.commit()


def _set_rules(**values):
    settings = db.session.get(RoutineSettings, 1)
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.commit()


@pytest.fixture
def q3_data(app):
    """Department 甲 leads P1, P2; 乙 leads P3 (see the expected values in the tests)."""
    a, b = factories.department("甲局"), factories.department("乙局")
    p1, p2 = (factories.project(lead_department=a, stage="signed") for _ in range(2))
    p3 = factories.project(lead_department=b)
    for month in (7, 8, 9):
        _report(p1, month, 5)  # on time (the 5th counts)
        _report(p3, month, 3)
    _report(p2, 7, 1)
    _report(p2, 8, 6)  # late; September missing
    # Problems due in Q3: 甲 closes one on time and one late; one due in Q4 does not count yet.
    factories.problem(p1, deadline=date(2026, 8, 31), status="resolved", resolved_on=date(2026, 8, 30), resolution="ok")
    factories.problem(p1, deadline=date(2026, 9, 30), status="resolved", resolved_on=date(2026, 10, 2), resolution="ok")
    factories.problem(p2, deadline=date(2026, 10, 15))
    # Stage: P1 moves forward twice in Q3, P2 moves back (not counted), one move falls in Q2.
    _move(p1, "planned", "contact", date(2026, 7, 10))
    _move(p1, "contact", "signed", date(2026, 8, 10))
    _move(p2, "signed", "contact", date(2026, 8, 1))
    _move(p2, "planned", "contact", date(2026, 6, 30))
    return a, b


def test_scores_on_hand_built_data(app, q3_data):
    a, b = q3_data
    lines = {line.department_name: line for line in ranking.compute(Q3, AFTER_Q3)}
    甲, 乙 = lines["甲局"], lines["乙局"]
    assert (甲.reports_on_time, 甲.reports_expected, 甲.problems_on_time, 甲.problems_due,
            甲.stage_moves, 甲.projects_led) == (4, 6, 1, 2, 2, 2)
    assert (乙.reports_on_time, 乙.reports_expected, 乙.problems_due, 乙.stage_moves, 乙.projects_led) == (3, 3, 0, 0, 1)
    # 甲: 100 × (40 × 4/6 + 30 × 1/2 + 30 × 1) / 100 = 71.666… → 71.67 (黄)
    assert (甲.score, 甲.colour, 甲.rank) == (Decimal("71.67"), "yellow", 1)
    # 乙 has no problem due: 100 × (40 × 1 + 30 × 0) / 70 = 57.142… → 57.14 (红)
    assert (乙.score, 乙.colour, 乙.rank) == (Decimal("57.14"), "red", 2)


def test_weights_and_thresholds_come_from_the_settings(app, q3_data):
    _set_rules(w_timeliness=100, w_problems=0, w_stage=0, green_min=95)
    lines = {line.department_name: line for line in ranking.compute(Q3, AFTER_Q3)}
    assert (lines["乙局"].score, lines["乙局"].colour, lines["乙局"].rank) == (Decimal("100.00"), "green", 1)
    assert lines["甲局"].score == Decimal("66.67")


def test_stage_rate_is_capped_at_one(app):
    dept = factories.department("丙局")
    project = factories.project(lead_department=dept)
    for step, (frm, to) in enumerate([("planned", "contact"), ("contact", "signed"), ("signed", "started")]):
        _move(project, frm, to, date(2026, 7, 10 + step))
    (line,) = ranking.compute(Q3, AFTER_Q3)
    assert (line.stage_moves, line.projects_led, line.stage_rate) == (3, 1, 1)


def test_equal_scores_share_a_rank(app):
    for name in ("丁局", "戊局", "己局"):
        _report(factories.project(lead_department=factories.department(name)), 7, 1)
    _report(factories.project(lead_department=factories.department("己局")), 7, 9)
    assert [(x.department_name, x.rank) for x in ranking.compute(Quarter(2026, 3), date(2026, 7, 10))] == [
        ("丁局", 1), ("戊局", 1), ("己局", 3)]


def test_the_current_quarter_is_live_and_counts_up_to_yesterday(app):
    dept = factories.department("庚局")
    project = factories.project(lead_department=dept)
    q4 = Quarter(2026, 4)
    assert ranking.compute(q4, date(2026, 10, 1)) == []  # nothing counts on the quarter's first day
    (line,) = ranking.compute(q4, date(2026, 10, 5))  # October's report is not due before the 6th
    assert (line.reports_expected, line.timeliness, line.projects_led, line.stage_rate) == (0, None, 1, 0)
    (line,) = ranking.compute(q4, date(2026, 10, 6))
    assert (line.reports_expected, line.reports_on_time, line.score) == (1, 0, Decimal("0.00"))
    result = ranking.ranking_for(q4, date(2026, 10, 6))
    assert result.provisional and result.snapshot is None
    assert db.session.query(RankingSnapshot).count() == 0
    _report(project, 10, 6)  # filed late
    assert ranking.compute(q4, date(2026, 10, 7))[0].reports_expected == 1


def test_an_unfinished_quarter_cannot_be_frozen(app):
    with pytest.raises(ranking.RankingError):
        ranking.freeze(Quarter(2026, 4), date(2026, 12, 31))


def test_a_frozen_quarter_never_changes(app, q3_data, users):
    a, b = q3_data
    first = ranking.ranking_for(Q3, AFTER_Q3)  # the first view freezes it
    db.session.commit()
    assert not first.provisional and first.snapshot is not None
    before = [(x.department_name, x.score, x.colour, x.rank, x.reports_on_time) for x in first.lines]

    # Afterwards: a missing report is filed, a problem is closed, weights and names change, a project moves.
    led_by_a = db.session.query(ProgressReport).filter_by(department_id=a.id).first().project
    _report(factories.project(lead_department=b), 9, 2)
    _set_rules(w_timeliness=10, w_problems=10, w_stage=80, rank_method="wilson", min_items=50)
    a.name = "甲局（新）"
    db.session.commit()
    _move(led_by_a, "contact", "signed", date(2026, 9, 1))

    again = ranking.ranking_for(Q3, date(2027, 1, 5))
    assert [(x.department_name, x.score, x.colour, x.rank, x.reports_on_time) for x in again.lines] == before
    assert (again.settings.w_timeliness, again.snapshot.id) == (40, first.snapshot.id)
    assert (again.settings.rank_method, again.settings.min_items) == ("raw", 0)  # frozen with the quarter
    assert not any(x.insufficient for x in again.lines)
    assert ranking.freeze(Q3, date(2027, 1, 5), users["admin"]).id == first.snapshot.id
    assert db.session.query(RankingSnapshot).count() == 1


# ---------------------------------------------------------------- the fair default: sample size counts

def _problems(department, on_time: int, late: int = 0):
    """Problems due in Q3 owned by `department`, on a project nobody leads (no other items)."""
    host = factories.project(lead_department=None, in_pool=False)
    for number in range(on_time + late):
        resolved = date(2026, 8, 30) if number < on_time else date(2026, 9, 5)
        factories.problem(host, department_id=department.id, deadline=date(2026, 8, 31), status="resolved",
                          resolved_on=resolved, resolution="ok", commit=False)
    db.session.commit()


@pytest.fixture
def small_and_large(app):
    """市场局 closed its one problem on time; 交通局 missed its one; 工信科局 closed 45 of 50 on time."""
    market, transport, industry = (factories.department(n) for n in ("市场局", "交通局", "工信科局"))
    _problems(market, 1)
    _problems(transport, 0, 1)
    _problems(industry, 45, 5)
    return market, transport, industry


def _by_name(lines):
    return {line.department_name: line for line in lines}


def test_plain_rates_put_one_lucky_item_first(app, small_and_large):
    lines = ranking.compute(Q3, AFTER_Q3)
    assert [(x.department_name, x.score, x.rank) for x in lines] == [
        ("市场局", Decimal("100.00"), 1), ("工信科局", Decimal("90.00"), 2), ("交通局", Decimal("0.00"), 3)]


def test_wilson_lower_bound_ranks_fifty_items_above_one(app, small_and_large):
    _set_rules(rank_method="wilson")
    lines = _by_name(ranking.compute(Q3, AFTER_Q3))
    # 45/50: 78.64 (lower bound of 90%); 1/1: 1 / (1 + 1.96²) = 20.65; 0/1: 0.
    assert (lines["工信科局"].score, lines["工信科局"].rank, lines["工信科局"].basis) == (Decimal("78.64"), 1, 50)
    assert (lines["市场局"].score, lines["市场局"].rank, lines["市场局"].basis) == (Decimal("20.65"), 2, 1)
    assert lines["交通局"].rank == 3
    assert ranking.wilson_lower(0, 1) == 0 and ranking.wilson_lower(5, 5) < 1


def test_below_the_minimum_sample_a_department_is_not_ranked(app, small_and_large):
    _set_rules(rank_method="raw", min_items=5)
    lines = ranking.compute(Q3, AFTER_Q3)
    assert [(x.department_name, x.rank, x.colour, x.insufficient) for x in lines] == [
        ("工信科局", 1, "green", False), ("交通局", None, None, True), ("市场局", None, None, True)]
    assert ranking.grade_label(lines[1]) == "样本不足" and lines[2].score == Decimal("100.00")


def test_the_default_rules_are_fair_and_frozen_with_the_quarter(app, small_and_large, users):
    _set_rules(**{name: RoutineSettings.DEFAULTS[name] for name in ("rank_method", "min_items")})
    first = ranking.ranking_for(Q3, AFTER_Q3, users["admin"])
    db.session.commit()
    assert (first.snapshot.rank_method, first.snapshot.min_items) == ("wilson", 5)
    assert [(x.department_name, x.rank, x.insufficient) for x in first.lines] == [
        ("工信科局", 1, False), ("交通局", None, True), ("市场局", None, True)]
    _set_rules(rank_method="raw", min_items=0)
    again = ranking.ranking_for(Q3, date(2027, 1, 5))
    assert [(x.department_name, x.score, x.rank, x.insufficient) for x in again.lines] == [
        (x.department_name, x.score, x.rank, x.insufficient) for x in first.lines]
    assert "威尔逊区间下限" in ranking.method_note(again.settings) and "少于 5" in ranking.method_note(again.settings)
