"""Template filters in crm/web/__init__.py: the fast date paths print what Babel prints."""
from datetime import date, datetime

import pytest
from flask_babel import format_date, format_datetime

from crm.services.core.clock import local_now


@pytest.fixture
def filters(app):
    with app.test_request_context("/"):
        yield app.jinja_env.filters


@pytest.mark.parametrize("pattern", ["yyyy-MM-dd HH:mm", "MM-dd HH:mm", "yyyy-MM-dd"])
def test_local_dt_prints_the_same_text_as_babel(filters, pattern):
    value = datetime(2026, 3, 5, 17, 4)  # naive UTC: 01:04 on the 6th in Shanghai
    assert filters["local_dt"](value, pattern) == format_datetime(local_now(value), pattern)


def test_local_dt_shows_shanghai_time(filters):
    assert filters["local_dt"](datetime(2026, 3, 5, 17, 4)) == "2026-03-06 01:04"
    assert filters["local_dt"](None) == ""


def test_local_dt_keeps_babel_for_other_patterns(filters):
    value = datetime(2026, 3, 5, 2, 0)
    assert filters["local_dt"](value, "yyyy年M月d日") == "2026年3月5日"


def test_local_date_prints_dates_and_takes_datetimes_to_the_local_day(filters):
    assert filters["local_date"](date(2026, 1, 9)) == format_date(date(2026, 1, 9), "yyyy-MM-dd") == "2026-01-09"
    assert filters["local_date"](datetime(2026, 1, 9, 20, 0)) == "2026-01-10"
    assert filters["local_date"](None) == ""
