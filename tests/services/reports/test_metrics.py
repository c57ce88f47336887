"""Goal measures and dashboard aggregates (services/reports/metrics.py)."""
from datetime import date
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import Goal, GoalValue, StageEvent
from crm.models.routines import Problem
from crm.services.reports import metrics
from tests import factories

TODAY = date(2026, 11, 28)


def status_of(code):
    return next(s for s in metrics.goal_statuses(TODAY) if s.goal.code == code)


@pytest.fixture
def computed_goals(app):
    for code, measure, target, unit in (
            ("count", "computed:key_projects_count", "5", "个"),
            ("invest", "computed:key_projects_investment", "15", "亿元"),
            ("hightech", "computed:high_tech_enterprises", "2", "家"),
            ("special", "computed:specialized_enterprises", "2", "家"),
            ("platforms", "computed:innovation_platforms", "1", "家")):
        factories.goal(code=code, measure=measure, target=Decimal(target), unit=unit)


def test_key_projects_are_key_and_not_terminated(computed_goals):
    factories.project(is_key=True, stage="planned", total_investment=Decimal("15000"))
    factories.project(is_key=True, stage="paused", total_investment=Decimal("5000.50"))
    factories.project(is_key=True, stage="dropped", total_investment=Decimal("90000"))
    factories.project(is_key=False, stage="operating", total_investment=Decimal("90000"))
    factories.project(is_key=True, stage="signed", total_investment=None)
    count, invest = status_of("count"), status_of("invest")
    assert (count.value, count.progress, count.computed) == (Decimal(3), Decimal("60.00"), True)
    # 20000.50 万元 = 2.00005 亿元, shown to 0.0001 亿元
    assert invest.value == Decimal("2.0001") and invest.progress == Decimal("13.33")


def test_enterprise_goals_count_local_enterprises_with_the_tag(computed_goals):
    bio = factories.sector("biomed")
    factories.enterprise(region="黑龙江省绥芬河市", sector=bio, tags=["高新技术企业", "专精特新"])
    factories.enterprise(source_channel="本地企业", sector=bio, tags=["高新技术企业"])
    factories.enterprise(status="invested", region="广东省东莞市", tags=["专精特新"])
    factories.enterprise(region="黑龙江省绥芬河市", tags=["高新技术企业"])  # no bio sector
    factories.enterprise(region="广东省深圳市", sector=bio, tags=["高新技术企业", "专精特新"])  # not local
    assert status_of("hightech").value == 2
    assert status_of("special").value == 2
    assert status_of("special").met


def test_the_tagged_count_reads_the_local_firms_index(computed_goals):
    """The partial index is only read when the count's WHERE implies the index's condition; a
    change to either alone would bring back a read of every tagged firm's row (PostgreSQL: silently;
    SQLite, told the index: with an error)."""
    factories.enterprise(region="黑龙江省绥芬河市", tags=["专精特新"])
    dialect = db.engine.dialect
    query = metrics.local_tagged_select(dialect).compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    connection = db.session.connection()
    if dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a few test rows: a scan would do
        explain = "EXPLAIN "
    else:
        explain = "EXPLAIN QUERY PLAN "
    plan = "\n".join(str(row) for row in connection.exec_driver_sql(explain + str(query)))
    assert metrics.LOCAL_FIRMS_INDEX.name in plan, plan
    assert status_of("special").value == 1


def test_platform_goal_counts_provincial_platforms_recognised_by_today(computed_goals):
    factories.innovation_platform(level="省级", recognized_on=date(2025, 3, 1))
    factories.innovation_platform(level="市级", recognized_on=date(2025, 3, 1))
    factories.innovation_platform(level="省级", recognized_on=date(2026, 12, 1))
    status = status_of("platforms")
    assert status.value == 1 and status.progress == Decimal("100.00") and status.bar == 100


def test_manual_goal_shows_the_latest_value_by_date_not_by_entry(app, users):
    goal = factories.goal(code="gross", target=Decimal("10"), unit="亿元")
    assert status_of("gross").value is None
    for value, as_of in (("6.5", date(2026, 6, 30)), ("4.1", date(2025, 12, 31))):
        metrics.record_goal_value(goal, value=Decimal(value), as_of=as_of, source="市统计局", actor=users["admin"],
                                  today=TODAY)
    db.session.commit()
    status = status_of("gross")
    assert (status.value, status.as_of, status.source, status.computed) == (
        Decimal("6.50"), date(2026, 6, 30), "市统计局", False)
    assert status.progress == Decimal("65.00")
    assert goal.manual_value == Decimal("6.50") and GoalValue.query.count() == 2


def test_manual_goal_falls_back_to_the_goal_columns(app):
    factories.goal(code="share", target=Decimal("5"), unit="%", manual_value=Decimal("3.2"),
                   manual_as_of=date(2025, 12, 31), manual_source="统计公报")
    status = status_of("share")
    assert (status.value, status.progress, status.source) == (Decimal("3.2"), Decimal("64.00"), "统计公报")


@pytest.mark.parametrize("kw, message", [
    ({"value": Decimal("-1")}, "负数"),
    ({"as_of": TODAY.replace(day=29)}, "晚于今天"),
    ({"source": "  "}, "来源"),
])
def test_refused_goal_values_save_nothing(app, users, kw, message):
    goal = factories.goal()
    args = {"value": Decimal("1"), "as_of": TODAY, "source": "统计局"} | kw
    with pytest.raises(metrics.MetricError, match=message):
        metrics.record_goal_value(goal, actor=users["admin"], today=TODAY, **args)
    db.session.rollback()
    assert GoalValue.query.count() == 0


def test_computed_goals_take_no_manual_values(computed_goals, users):
    goal = Goal.query.filter_by(code="count").one()
    with pytest.raises(metrics.MetricError, match="系统"):
        metrics.record_goal_value(goal, value=1, as_of=TODAY, source="x", actor=users["admin"], today=TODAY)


@pytest.mark.parametrize("today, share", [
    (date(2020, 12, 31), "0.00"), (date(2021, 1, 1), "0.05"), (date(2023, 7, 2), "50.00"),
    (date(2025, 12, 31), "100.00"), (date(2026, 11, 28), "100.00")])
def test_period_elapsed(today, share):
    # 2021-01-01 … 2025-12-31 has 1826 days; 2023-07-02 is day 730 + 183 = 913 → 913/1826 = 50.00%.
    assert metrics.period_elapsed(today) == Decimal(share)


def test_funnel_and_investment_by_sector(app):
    med, energy = factories.sector("biomed", column_no=1), factories.sector("bioenergy", column_no=3)
    factories.project(sector=med, stage="planned", total_investment=Decimal("100.25"))
    factories.project(sector=med, stage="planned", total_investment=None)
    factories.project(sector=energy, stage="signed", total_investment=Decimal("3000"))
    factories.project(sector=energy, stage="dropped", total_investment=Decimal("7000"))
    funnel = {s.stage: (s.count, s.investment) for s in metrics.funnel()}
    assert funnel["planned"] == (2, Decimal("100.25")) and funnel["signed"] == (1, Decimal("3000.00"))
    assert funnel["dropped"] == (1, Decimal("7000.00")) and funnel["operating"] == (0, Decimal("0.00"))
    assert metrics.investment_by_sector() == [
        {"sector": "生物医药", "count": 2, "investment": Decimal("100.25")},
        {"sector": "生物能源", "count": 1, "investment": Decimal("3000.00")}]


def test_stage_moves_per_month_cover_the_last_twelve_months(app):
    project = factories.project()
    for to_stage, on in (("contact", date(2025, 11, 30)), ("contact", date(2025, 12, 1)),
                         ("signed", date(2026, 11, 2)), ("started", date(2026, 11, 28)),
                         ("operating", date(2026, 11, 29))):
        db.session.add(StageEvent(project=project, to_stage=to_stage, occurred_on=on))
    db.session.commit()
    moves = metrics.stage_moves_by_month(TODAY)
    assert moves["months"][0] == "2025-12" and moves["months"][-1] == "2026-11" and len(moves["months"]) == 12
    assert moves["series"]["contact"] == [1] + [0] * 11
    assert moves["series"]["signed"][-1] == 1 and moves["series"]["started"][-1] == 1
    assert sum(moves["series"]["operating"]) == 0  # after today


def test_problem_rate_and_overdue(app):
    project = factories.project()
    dept = factories.department("工信科局")
    for status, deadline, resolved_on in (
            ("resolved", date(2026, 11, 1), date(2026, 10, 20)),  # on time
            ("resolved", date(2026, 11, 1), date(2026, 11, 5)),  # late
            ("open", date(2026, 11, 27), None),  # overdue
            ("in_progress", date(2026, 11, 28), None)):  # due today: not overdue yet
        db.session.add(Problem(project_id=project.id, department_id=dept.id, description="用地指标未落实",
                               raised_on=date(2026, 10, 1), deadline=deadline, status=status,
                               resolved_on=resolved_on))
    db.session.commit()
    assert metrics.problem_stats(TODAY) == {"total": 4, "resolved": 2, "open": 2, "overdue": 1,
                                            "resolved_late": 1, "rate": Decimal("50.00")}


def test_no_problems_no_rate(app):
    assert metrics.problem_stats(TODAY)["rate"] is None


def test_plain_number():
    assert [metrics.plain_number(v) for v in (Decimal("10.00"), Decimal("2.0001"), Decimal("12000"), None)] == [
        "10", "2.0001", "12,000", "—"]


@pytest.mark.parametrize("value, unit, lang, text", [
    (Decimal("10"), "亿元", "zh", "10 亿元"),
    (Decimal("10"), "亿元", "en", "CNY 1 billion"),
    (Decimal("1.5"), "亿元", "ru", "150 млн юаней"),
    (Decimal("5000"), "万元", "en", "CNY 50 million"),
    (Decimal("2"), "家", "zh", "2 家"),
    (Decimal("5"), "%", "en", "5 %"),
    (None, "亿元", "en", "—"),
])
def test_goal_amounts_read_as_money_or_as_a_number_with_its_unit(app, value, unit, lang, text):
    assert metrics.goal_amount(value, unit, lang) == text


def test_the_five_computed_goals_take_three_statements(computed_goals, statements):
    """Goals, latest entered values, then one statement per group of figures: the key projects'
    count and sum, the two tagged-firm counts (one pass over the enterprises serves both: at
    province scale each pass reads all of them), the platforms."""
    factories.enterprise(region="黑龙江省绥芬河市", sector=factories.sector("biomed"), tags=["高新技术企业", "专精特新"])
    with statements() as ran:
        figures = {s.goal.code: s.value for s in metrics.goal_statuses(TODAY)}
    assert figures == {"count": 0, "invest": 0, "hightech": 1, "special": 1, "platforms": 0}
    assert len(ran) == 2 + 3
