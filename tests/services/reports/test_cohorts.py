"""Cohort rates (services/reports/cohorts.py): exact values on a hand-built cohort."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import PoolReviewItem
from crm.models.routines import ProgressReport
from crm.services.reports import cohorts
from tests import factories

AS_OF = date(2026, 11, 28)
IN_2026 = datetime(2026, 3, 1, 2, 0)


def report(project, month, funds, cumulative, **kw):
    row = ProgressReport(project_id=project.id, month=month, department_id=project.lead_department_id,
                         invest_month=Decimal("0"), invest_cumulative=Decimal(cumulative),
                         funds_in_place=Decimal(funds), **kw)
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def cohort_projects(app):
    """P1–P4 created in 2026 (the cohort), P5 in 2025 (outside it)."""
    dept = factories.department("工信科局")
    make = lambda **kw: factories.project(lead_department=dept, created_at=IN_2026, **kw)  # noqa: E731
    p1 = make(total_investment=Decimal("3000"), stage="started", signed_on=date(2026, 3, 1),
              started_on=date(2026, 5, 1))
    p2 = make(total_investment=Decimal("2000"), stage="dropped", signed_on=date(2026, 6, 1))
    p3 = make(total_investment=None, stage="contact")
    p4 = make(total_investment=Decimal("1000"), stage="operating", signed_on=date(2026, 11, 20),
              started_on=date(2026, 11, 25), operating_on=date(2026, 11, 27))
    p5 = factories.project(lead_department=dept, created_at=datetime(2025, 6, 1), signed_on=date(2025, 7, 1),
                           total_investment=Decimal("9999"))
    report(p1, date(2026, 9, 1), "1000", "800")
    report(p1, date(2026, 10, 1), "1500", "1200")
    report(p2, date(2026, 10, 1), "200", "100")
    report(p2, date(2026, 12, 1), "1900", "1900")  # a month after the as-of date: not counted
    report(p5, date(2026, 10, 1), "5000", "5000")
    return p1, p2, p3, p4, p5


def rates_of(cohort):
    size, rates = cohorts.cohort_rates(cohort)
    return size, {r.key: (r.numerator, r.denominator, r.value) for r in rates}


def year_2026(as_of=AS_OF, **kw):
    return cohorts.Cohort(as_of=as_of, start=date(2026, 1, 1), end=date(2026, 12, 31), **kw)


def test_rates_of_a_cohort_count_first_dates_and_sum_latest_reports(cohort_projects):
    size, rates = rates_of(year_2026())
    assert size == 4
    assert rates["signed"] == (3, 4, Decimal("75.00"))  # the dropped P2 signed before it was dropped
    assert rates["started"] == (2, 4, Decimal("50.00"))
    assert rates["operating"] == (1, 4, Decimal("25.00"))
    # (1500 + 200 + 0) ÷ (3000 + 2000 + 1000); P3 has no total investment and is left out
    assert rates["funds"] == (Decimal("1700.00"), Decimal("6000.00"), Decimal("28.33"))
    assert rates["invest"] == (Decimal("1300.00"), Decimal("6000.00"), Decimal("21.67"))


def test_rates_as_of_an_earlier_date_use_the_reports_and_dates_known_then(cohort_projects):
    size, rates = rates_of(year_2026(as_of=date(2026, 9, 30)))
    assert rates["signed"] == (2, 4, Decimal("50.00"))
    assert rates["started"] == (1, 4, Decimal("25.00"))
    assert rates["operating"] == (0, 4, Decimal("0.00"))
    assert rates["funds"] == (Decimal("1000.00"), Decimal("6000.00"), Decimal("16.67"))
    assert rates["invest"] == (Decimal("800.00"), Decimal("6000.00"), Decimal("13.33"))


def test_an_empty_cohort_has_no_rates(app):
    size, rates = rates_of(year_2026())
    assert size == 0
    assert all(value is None for _, _, value in rates.values())


def test_period_bounds_are_local_dates(app):
    # 2025-12-31 17:00 UTC is 2026-01-01 01:00 in 绥芬河: inside the 2026 cohort.
    inside = factories.project(created_at=datetime(2025, 12, 31, 17, 0))
    factories.project(created_at=datetime(2025, 12, 31, 15, 59))
    ids = [p.id for p, _ in db.session.execute(cohorts.cohort_projects_query(year_2026(), "signed", "den"))]
    assert ids == [inside.id]


def test_projects_behind_numerator_and_denominator(cohort_projects):
    p1, p2, p3, p4, _ = cohort_projects

    def ids(rate, part):
        return [p.id for p, _ in db.session.execute(cohorts.cohort_projects_query(year_2026(), rate, part))]

    assert ids("signed", "num") == [p1.id, p2.id, p4.id]
    assert ids("signed", "den") == [p1.id, p2.id, p3.id, p4.id]
    assert ids("operating", "num") == [p4.id]
    assert ids("funds", "den") == [p1.id, p2.id, p4.id]
    assert ids("funds", "num") == [p1.id, p2.id]
    rows = db.session.execute(cohorts.cohort_projects_query(year_2026(), "invest", "num")).all()
    assert [(r.month, r.invest_cumulative) for _, r in rows] == [(date(2026, 10, 1), Decimal("1200")),
                                                                 (date(2026, 10, 1), Decimal("100"))]


def test_cohort_by_pool_review_batch_and_sector(cohort_projects, users):
    p1, p2, p3, p4, _ = cohort_projects
    review = factories.pool_review(quarter="2026-Q1")
    db.session.add_all([PoolReviewItem(review_id=review.id, project_id=p.id, action=action, stage_at_review="planned")
                        for p, action in ((p1, "in"), (p2, "in"), (p3, "kept"))])
    db.session.commit()
    size, rates = rates_of(cohorts.Cohort(as_of=AS_OF, review_id=review.id))
    assert size == 2
    assert rates["funds"] == (Decimal("1700.00"), Decimal("5000.00"), Decimal("34.00"))
    other = factories.sector("bioenergy")
    p4.sector = other
    db.session.commit()
    size, rates = rates_of(cohorts.Cohort(as_of=AS_OF, sector_id=other.id))
    assert size == 1 and rates["operating"] == (1, 1, Decimal("100.00"))

