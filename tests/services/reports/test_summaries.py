"""Stored aggregates (services/reports/summaries.py) and the dashboard's figures read through
them: stored once, served until a write or their age says otherwise, refreshed by the cron."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import current_app

from crm.extensions import db
from crm.models import Summary
from crm.services.reports import dashboard, summaries
from tests import factories
from workers.schedule import SCHEDULE

NOW = datetime(2026, 12, 7, 2, 0)


@pytest.fixture
def counted():
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}
    return compute, calls


@pytest.fixture
def debounce(app, monkeypatch):
    monkeypatch.setattr(current_app.extensions["settings"], "SUMMARY_DEBOUNCE_SECONDS", 10)


def test_a_stored_value_is_served_without_counting_again(app, counted):
    compute, calls = counted
    assert summaries.read("k:zh:2026-12-07", compute, NOW).value == {"n": 1}
    db.session.commit()
    assert summaries.read("k:zh:2026-12-07", compute, NOW + timedelta(seconds=50)).value == {"n": 1}
    assert len(calls) == 1


def test_a_write_marks_it_stale_and_the_next_read_after_the_debounce_counts_again(app, counted, debounce):
    compute, calls = counted
    summaries.read("k:zh:2026-12-07", compute, NOW)
    db.session.commit()
    factories.project()  # a project: what the dashboard counts has changed
    assert db.session.get(Summary, "k:zh:2026-12-07").stale is True
    # Within the debounce the stored figures still serve (a stream of writes recounts at most this often).
    assert summaries.read("k:zh:2026-12-07", compute, NOW + timedelta(seconds=5)).value == {"n": 1}
    assert summaries.read("k:zh:2026-12-07", compute, NOW + timedelta(seconds=11)).value == {"n": 2}
    db.session.commit()
    assert db.session.get(Summary, "k:zh:2026-12-07").stale is False


def test_a_write_to_something_not_counted_leaves_it_fresh(app, counted):
    compute, _calls = counted
    summaries.read("k:zh:2026-12-07", compute, NOW)
    db.session.commit()
    factories.user()
    assert db.session.get(Summary, "k:zh:2026-12-07").stale is False


def test_a_row_the_cron_stopped_refreshing_is_counted_again(app, counted):
    compute, calls = counted
    summaries.read("k:zh:2026-12-07", compute, NOW)
    db.session.commit()
    summaries.read("k:zh:2026-12-07", compute, NOW + timedelta(seconds=301))
    assert len(calls) == 2


def test_storing_the_same_key_twice_is_an_upsert(app):
    summaries.store("k:zh:2026-12-07", {"a": 1}, NOW)
    summaries.store("k:zh:2026-12-07", {"a": 2}, NOW + timedelta(seconds=1))
    db.session.commit()
    assert db.session.query(Summary).count() == 1
    assert summaries.read("k:zh:2026-12-07", lambda: {"a": 3}, NOW + timedelta(seconds=2)).value == {"a": 2}


def test_the_cron_refreshes_both_languages_and_drops_earlier_days(app):
    factories.project(stage="contact")
    summaries.store("dashboard:zh:2026-12-06", {"old": True})
    assert dashboard.refresh(date(2026, 12, 7)) == 2
    db.session.commit()
    assert sorted(db.session.scalars(db.select(Summary.key))) == ["dashboard:en:2026-12-07", "dashboard:zh:2026-12-07"]
    figures = dashboard.figures(date(2026, 12, 7))
    assert {s.stage: s.count for s in figures.funnel}["contact"] == 1
    assert (60, "summaries.refresh", {}) in SCHEDULE and summaries.REFRESH_SECONDS == 60


def test_the_dashboard_figures_match_a_fresh_count(app):
    from crm.services.reports import metrics
    factories.project(stage="signed", total_investment=12000)
    factories.problem()
    db.session.commit()
    today = date(2026, 12, 7)
    stored = dashboard.figures(today)
    db.session.commit()
    again = dashboard.figures(today)  # served from the row this time
    for figures in (stored, again):
        assert figures.funnel == metrics.funnel()
        assert figures.sectors == metrics.investment_by_sector()
        assert figures.problems == metrics.problem_stats(today)
        assert figures.moves == metrics.stage_moves_by_month(today)
