"""Weeks, quarters and months as readers name them, never as the ISO codes the records keep."""
from datetime import date

import pytest

from crm.services.core.clock import month_label, quarter_label, week_label
from tests.test_i18n import fresh_request


@pytest.mark.parametrize("value, text", [
    (date(2026, 12, 9), "2026年第50周（12月7日–13日）"), ("2026-W50", "2026年第50周（12月7日–13日）"),
    ("2026-W53", "2026年第53周（12月28日–1月3日）"), (date(2027, 1, 1), "2026年第53周（12月28日–1月3日）"),
    ("not a week", "not a week"), (None, ""),
])
def test_a_week_reads_as_its_number_and_its_days(app, value, text):
    assert week_label(value) == text


@pytest.mark.parametrize("value, text", [
    ("2026-Q4", "2026年第四季度"), ("2025-Q1", "2025年第一季度"), ("2026-Q2", "2026年第二季度"),
    ("2026-Q3", "2026年第三季度"), ("2026-Q5", "2026-Q5"), (None, ""),
])
def test_a_quarter_reads_in_chinese(app, value, text):
    assert quarter_label(value) == text


def test_a_month_reads_as_year_and_month(app):
    assert month_label(date(2026, 12, 1)) == month_label("2026-12") == "2026年12月"
    assert month_label("2026-13") == "2026-13"


def test_english_readers_get_their_own_words(app):
    with fresh_request(app, "en"):
        assert quarter_label("2026-Q4") == "Q4 2026"
        assert week_label("2026-W50") == "Week 50 of 2026 (7–13 Dec)"
        assert week_label("2026-W53") == "Week 53 of 2026 (28 Dec–3 Jan)"
        assert month_label("2026-12") == "December 2026"
