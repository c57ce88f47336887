"""每月调度 rules: who owes a report, late/overdue detection, cumulative figures that never drop,
and the audited admin correction."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import AuditEvent, ProgressReport, RoutineSettings
from crm.services.core import access
from crm.services.routines import dispatch
from crm.services.routines.dispatch import ReportError
from tests import factories

NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)


@pytest.fixture
def agri(app):
    return factories.department("农业农村局")


def _utc(*args) -> datetime:
    """A naive UTC datetime, as stored (local time is UTC+8)."""
    return datetime(*args)


def test_active_projects_are_in_pool_led_and_neither_operating_nor_dropped(app, agri):
    wanted = [factories.project(lead_department=agri, stage=s) for s in ("planned", "contact", "started", "paused")]
    factories.project(lead_department=agri, stage="operating")
    factories.project(lead_department=agri, stage="dropped")
    factories.project(lead_department=agri, in_pool=False)
    factories.project(lead_department=None)
    rows = dispatch.month_table(NOV, date(2026, 11, 3))
    assert [r.project for r in rows] == wanted
    assert {r.status for r in rows} == {"pending"}


def test_table_follows_the_column_order_with_unnumbered_projects_last(app, agri):
    loose = factories.project(lead_department=agri)
    second = factories.project(lead_department=agri, column_no=2, column_seq=1)
    first_b = factories.project(lead_department=agri, column_no=1, column_seq=2)
    first_a = factories.project(lead_department=agri, column_no=1, column_seq=1)
    assert [r.project for r in dispatch.month_table(NOV, date(2026, 11, 3))] == [first_a, first_b, second, loose]


def test_a_report_filed_on_the_due_day_is_on_time_and_after_it_late(app, agri):
    on_time, late, edge = (factories.project(lead_department=agri) for _ in range(3))
    factories.progress_report(on_time, month=NOV, submitted_at=_utc(2026, 11, 5, 15, 59))  # 23:59 on the 5th
    factories.progress_report(late, month=NOV, submitted_at=_utc(2026, 11, 6, 1, 0))
    factories.progress_report(edge, month=NOV, submitted_at=_utc(2026, 11, 5, 16, 0))  # 00:00 on the 6th local
    status = {r.project.id: r.status for r in dispatch.month_table(NOV, date(2026, 11, 20))}
    assert status == {on_time.id: "on_time", late.id: "late", edge.id: "late"}


def test_missing_reports_appear_only_after_the_due_day(app, agri):
    owing = factories.project(lead_department=agri)
    filed_late = factories.project(lead_department=agri)
    factories.progress_report(filed_late, month=NOV, submitted_at=_utc(2026, 11, 7, 2, 0))
    assert dispatch.missing_reports(NOV, date(2026, 11, 5)) == []
    assert dispatch.missing_reports(NOV, date(2026, 11, 6)) == [(owing, agri)]


def test_the_due_day_is_configurable(app, agri):
    factories.project(lead_department=agri)
    db.session.add(RoutineSettings(id=1, **{**RoutineSettings.DEFAULTS, "report_due_day": 10}))
    db.session.commit()
    assert dispatch.missing_reports(NOV, date(2026, 11, 10)) == []
    assert len(dispatch.missing_reports(NOV, date(2026, 11, 11))) == 1


def test_due_day_is_clamped_to_the_end_of_a_short_month():
    assert dispatch.due_date(date(2026, 2, 1), 31) == date(2026, 2, 28)


def test_owed_reports_lists_only_the_departments_unfiled_projects(app, agri, users):
    mine = factories.project(lead_department=users["officer"].department)
    filed = factories.project(lead_department=users["officer"].department)
    factories.project(lead_department=agri)
    factories.progress_report(filed, month=NOV)
    owed = dispatch.owed_reports(NOV, date(2026, 11, 3), users["officer"].department_id)
    assert [r.project for r in owed] == [mine]


def _month_of_every_status(agri, other):
    """A month with each status in two departments and two 专栏, as of 20 November (overdue).

    Returns the projects by name; the report of `moved` was filed by `other`, which led it then."""
    made = {
        "on_time": factories.project(lead_department=agri, column_no=1, column_seq=1),
        "edge_late": factories.project(lead_department=agri, column_no=1, column_seq=2),
        "overdue": factories.project(lead_department=agri, column_no=2, column_seq=1),
        "moved": factories.project(lead_department=agri, column_no=2, column_seq=2, stage="operating"),
        "other_overdue": factories.project(lead_department=other),
    }
    factories.progress_report(made["on_time"], month=NOV, submitted_at=_utc(2026, 11, 5, 15, 59))  # 23:59 local
    factories.progress_report(made["edge_late"], month=NOV, submitted_at=_utc(2026, 11, 5, 16, 0))  # 00:00 the 6th
    factories.progress_report(made["moved"], month=NOV, department_id=other.id, submitted_at=_utc(2026, 11, 9, 2))
    return made


def test_counts_cover_the_whole_month_and_follow_department_and_column_not_status(app, agri, users):
    other = users["officer"].department
    _month_of_every_status(agri, other)
    today = date(2026, 11, 20)
    whole = dispatch.month_counts(NOV, today)
    assert whole == {"pending": 0, **Counter(r.status for r in dispatch.month_table(NOV, today))}
    assert whole == {"on_time": 1, "late": 2, "pending": 0, "overdue": 2}
    narrowed = dispatch.TableFilters(department_id=agri.id, status="late")
    assert dispatch.month_counts(NOV, today, narrowed) == {"on_time": 1, "late": 1, "pending": 0, "overdue": 1}
    assert dispatch.month_counts(NOV, today, dispatch.TableFilters(department_id=other.id)) == \
        {"on_time": 0, "late": 1, "pending": 0, "overdue": 1}  # the report counts for the department that filed it
    assert dispatch.month_counts(NOV, today, dispatch.TableFilters(column=2))["overdue"] == 1
    assert dispatch.month_counts(NOV, today, dispatch.TableFilters(column=dispatch.NO_COLUMN)) == \
        {"on_time": 0, "late": 0, "pending": 0, "overdue": 1}
    assert dispatch.month_counts(NOV, date(2026, 11, 3))["pending"] == 2  # before the due day: pending


def _page(filters, number=1):
    return dispatch.month_page(NOV, date(2026, 11, 20), filters, number, url=lambda n: f"?page={n}")


def test_a_page_holds_its_rows_numbered_by_their_place_in_the_whole_table(app, agri, users, monkeypatch):
    monkeypatch.setattr(dispatch, "TABLE_PAGE_SIZE", 2)
    made = _month_of_every_status(agri, users["officer"].department)
    whole = dispatch.month_table(NOV, date(2026, 11, 20))
    assert [r.number for r in whole] == [1, 2, 3, 4, 5]
    second = _page(dispatch.TableFilters(), 2)
    assert [(r.project, r.number) for r in second.items] == [(made["overdue"], 3), (made["moved"], 4)]
    assert second.has_prev and second.has_next and second.first_index == 3
    other = users["officer"].department
    assert [(r.status, r.department) for r in second.items] == [("overdue", agri), ("late", other)]
    late = _page(dispatch.TableFilters(status="late"))
    assert [(r.project, r.number) for r in late.items] == [(made["edge_late"], 2), (made["moved"], 4)]
    assert not late.has_next
    mine = _page(dispatch.TableFilters(department_id=agri.id, column=2))
    assert [(r.project, r.number) for r in mine.items] == [(made["overdue"], 3)]
    assert _page(dispatch.TableFilters(), 4).items == []  # beyond the end: an empty page


def test_an_unfiltered_page_numbers_its_rows_as_the_whole_table_does_without_a_window(app, agri, users, monkeypatch,
                                                                                      statements):
    monkeypatch.setattr(dispatch, "TABLE_PAGE_SIZE", 2)
    _month_of_every_status(agri, users["officer"].department)
    whole = [(r.project.id, r.number) for r in dispatch.month_table(NOV, date(2026, 11, 20))]
    with statements() as counter:
        paged = [(r.project.id, r.number) for n in (1, 2, 3) for r in _page(dispatch.TableFilters(), n).items]
    assert paged == whole
    assert not any("row_number" in s.lower() for s in counter.statements)


def test_a_page_and_the_counts_are_one_statement_each_whatever_the_month_holds(app, agri, statements):
    filters = dispatch.TableFilters(department_id=agri.id, status="overdue")

    def run(n):
        for project in factories.many_projects(n, lead_department=agri)[: n // 2]:
            factories.progress_report(project, month=NOV, commit=False)
        db.session.commit()
        db.session.expire_all()
        with statements() as counter:
            shown = len(_page(filters, 1).items)
            dispatch.month_counts(NOV, date(2026, 11, 20), filters)
        return shown, len([s for s in counter.statements if "routine_settings" not in s])  # the settings row

    assert run(3) == (2, 2)
    assert run(300) == (dispatch.TABLE_PAGE_SIZE, 2)


def test_table_filters_keep_what_names_something_and_drop_the_rest():
    parse = lambda **args: dispatch.table_filters(args, department_ids=[7], column_nos=[1, 2])  # noqa: E731
    assert parse(department="7", status="late", column="2") == dispatch.TableFilters(7, "late", 2)
    assert parse(column="other").column == dispatch.NO_COLUMN
    for junk in ({"department": "8"}, {"department": "abc"}, {"department": str(2**64)}, {"status": "done"},
                 {"column": "3"}, {"column": "专栏1"}, {"column": "-1"}):
        assert parse(**junk) == dispatch.TableFilters(), junk
    assert dispatch.TableFilters(7, None, dispatch.NO_COLUMN).args() == {"department": "7", "column": "other"}


def test_owed_reports_may_be_capped_in_table_order(app, users):
    dept = users["officer"].department
    owed = [factories.project(lead_department=dept, column_no=1, column_seq=n) for n in (3, 1, 2)]
    assert [r.project for r in dispatch.owed_reports(NOV, date(2026, 11, 3), dept.id, limit=2)] == [owed[1], owed[2]]
    assert {r.status for r in dispatch.owed_reports(NOV, date(2026, 11, 6), dept.id)} == {"overdue"}


def _file(user, project, month=NOV, **data):
    return dispatch.file_report(user, project, month, data, today=date(2026, 11, 20), now=_utc(2026, 11, 3, 2, 0))


def test_first_report_needs_a_starting_cumulative(app, users):
    project = factories.project(lead_department=users["officer"].department)
    with pytest.raises(ReportError) as err:
        _file(users["officer"], project, invest_month="50", funds_in_place="100")
    assert err.value.field == "invest_cumulative"
    report = _file(users["officer"], project, invest_month="50", invest_cumulative="300", funds_in_place="100")
    assert (report.department_id, report.submitted_by_id) == (project.lead_department_id, users["officer"].id)
    assert report.invest_cumulative == Decimal("300.00")


def test_cumulative_is_derived_from_the_previous_month_and_must_match_it(app, users):
    project = factories.project(lead_department=users["officer"].department)
    factories.progress_report(project, month=OCT, invest_cumulative=Decimal("1000"), funds_in_place=Decimal("800"))
    with pytest.raises(ReportError, match="1100"):
        _file(users["officer"], project, invest_month="100", invest_cumulative="1200", funds_in_place="800")
    report = _file(users["officer"], project, invest_month="100", funds_in_place="900")
    assert report.invest_cumulative == Decimal("1100.00")


def test_funds_in_place_can_never_drop_below_last_month(app, users):
    project = factories.project(lead_department=users["officer"].department)
    factories.progress_report(project, month=OCT, invest_cumulative=Decimal("1000"), funds_in_place=Decimal("800"))
    with pytest.raises(ReportError) as err:
        _file(users["officer"], project, invest_month="0", funds_in_place="799.99")
    assert err.value.field == "funds_in_place"
    assert db.session.query(ProgressReport).filter_by(month=NOV).count() == 0


def test_refiling_may_not_lower_what_was_filed_nor_touch_a_month_with_a_later_one(app, users):
    project = factories.project(lead_department=users["officer"].department)
    _file(users["officer"], project, month=OCT, invest_month="10", invest_cumulative="500", funds_in_place="400")
    with pytest.raises(ReportError, match="不能调低"):
        _file(users["officer"], project, month=OCT, invest_month="10", invest_cumulative="400", funds_in_place="400")
    again = _file(users["officer"], project, month=OCT, invest_month="10", invest_cumulative="520",
                  funds_in_place="400")
    assert again.submitted_at == _utc(2026, 11, 3, 2, 0)
    _file(users["officer"], project, invest_month="5", funds_in_place="400")
    with pytest.raises(ReportError, match="后续月份"):
        _file(users["officer"], project, month=OCT, invest_month="10", invest_cumulative="530", funds_in_place="400")
    with pytest.raises(ReportError, match="后续月份"):  # back-filling a skipped month
        _file(users["officer"], project, month=date(2026, 9, 1), invest_month="1", invest_cumulative="1",
              funds_in_place="0")


def test_negative_and_future_figures_are_refused(app, users):
    project = factories.project(lead_department=users["officer"].department)
    with pytest.raises(ReportError):
        _file(users["officer"], project, invest_month="-1", invest_cumulative="10", funds_in_place="0")
    with pytest.raises(ReportError, match="未来"):
        _file(users["officer"], project, month=date(2026, 12, 1), invest_month="1", invest_cumulative="1",
              funds_in_place="0")


def test_officers_file_only_for_projects_their_department_leads(app, agri, users):
    foreign = factories.project(lead_department=agri, departments=[users["officer"].department])
    with pytest.raises(access.Denied):
        _file(users["officer"], foreign, invest_month="1", invest_cumulative="1", funds_in_place="0")
    with pytest.raises(access.Denied):
        _file(users["leader"], foreign, invest_month="1", invest_cumulative="1", funds_in_place="0")
    filed = _file(users["staff"], foreign, invest_month="1", invest_cumulative="1", funds_in_place="0")
    assert filed.department_id == agri.id


def test_admin_correction_may_lower_figures_and_is_audited_with_the_reason(app, users):
    report = factories.progress_report(invest_cumulative=Decimal("1000"), funds_in_place=Decimal("800"))
    data = {"invest_month": "100", "invest_cumulative": "900", "funds_in_place": "700"}
    with pytest.raises(access.Denied):
        dispatch.correct_report(users["staff"], report, data, "录入错误")
    with pytest.raises(ReportError):
        dispatch.correct_report(users["admin"], report, data, "  ")
    dispatch.correct_report(users["admin"], report, data, "统计局核定数据调整")
    db.session.commit()
    event = db.session.query(AuditEvent).filter_by(object_type="ProgressReport", object_id=report.id,
                                                   action="update").one()
    assert event.note == "统计局核定数据调整"
    assert event.actor_id == users["admin"].id
    assert event.changes["invest_cumulative"] == ["1000.00", "900.00"]
    assert event.changes["funds_in_place"] == ["800.00", "700.00"]
