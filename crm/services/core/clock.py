"""Time in Asia/Shanghai: the office's calendar.  Stored datetimes are naive UTC."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from crm.i18n import current_lang
from crm.i18n import gettext as _

TZ = ZoneInfo("Asia/Shanghai")
# The dates the office types: its records start this century, and nothing is planned more
# than ten years ahead.  0001-01-01 or 9999-12-31 is a typing slip (and breaks time-zone maths).
EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 10


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_now(now: datetime | None = None) -> datetime:
    """Aware local time for a naive-UTC (or aware) datetime; now by default."""
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(TZ)


def local_today(now: datetime | None = None) -> date:
    return local_now(now).date()


def to_utc_naive(value: datetime) -> datetime:
    """A local (naive = Asia/Shanghai) or aware datetime as naive UTC for storage."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value.astimezone(UTC).replace(tzinfo=None)


def from_local_iso(value: str | None) -> datetime | None:
    """An ISO datetime as the CLI and the schedule pass it (local unless it says otherwise), as naive
    UTC; None for none given (the caller then uses the real now)."""
    return to_utc_naive(datetime.fromisoformat(value)) if value else None


def check_date(value: date, *, earliest: date = EARLIEST, today: date | None = None) -> date:
    """`value` when it lies between `earliest` and ten years after today, else ValueError with
    the message to show (the range in it).  Whether a date may lie ahead at all is each
    service's rule (a stage date may not, a deadline may)."""
    today = today or local_today()
    latest = date(today.year + YEARS_AHEAD, today.month, min(today.day, 28))
    if isinstance(value, datetime):
        value = value.date()
    if not earliest <= value <= latest:
        raise ValueError(_("日期应在 %(start)s 至 %(end)s 之间。", start=earliest.isoformat(),
                           end=latest.isoformat()))
    return value


# ---------------------------------------------------------------------------------------
# Periods as readers name them: never the ISO codes ("2026-W50", "2026-Q4", "2026-12") the
# records keep.  Chinese counts 第四季度 and 12月7日–13日; English says "Q4 2026", "7–13 Dec".

_PERIOD_CODE = re.compile(r"^(\d{4})-(?:Q([1-4])|W(\d{1,2})|(\d{1,2}))$")


def quarter_label(value) -> str:
    """A quarter (a "2026-Q4" code, or what prints as one) as 2026年第四季度."""
    match = _PERIOD_CODE.match(str(value or ""))
    if not match or not match.group(2):
        return str(value or "")
    year, quarter = int(match.group(1)), int(match.group(2))
    return (_("%(year)s年第一季度", year=year), _("%(year)s年第二季度", year=year),
            _("%(year)s年第三季度", year=year), _("%(year)s年第四季度", year=year))[quarter - 1]


def _day_month(day: date, with_month: bool = True) -> str:
    if current_lang() == "en":
        return f"{day.day} {day:%b}" if with_month else str(day.day)
    return f"{day.month}月{day.day}日" if with_month else f"{day.day}日"


def day_label(value, today: date | None = None) -> str:
    """A day as readers say it on a to-do list: 12月7日, with the year (2025年12月7日) outside the
    current one; a datetime is taken to local time first."""
    if not value:
        return ""
    day = local_now(value).date() if isinstance(value, datetime) else value
    if day.year == (today or local_today()).year:
        return _day_month(day)
    return f"{_day_month(day)} {day.year}" if current_lang() == "en" else f"{day.year}年{_day_month(day)}"


def week_label(value) -> str:
    """An ISO week (a day in it, or a "2026-W50" code) as 2026年第50周（12月7日–13日）."""
    if not isinstance(value, date):
        match = _PERIOD_CODE.match(str(value or ""))
        try:
            value = date.fromisocalendar(int(match.group(1)), int(match.group(3)), 1)
        except (AttributeError, TypeError, ValueError):  # no match, or no such week (2025-W53)
            return str(value or "")
    year, week, weekday = value.isocalendar()
    monday = value - timedelta(days=weekday - 1)
    sunday = monday + timedelta(days=6)
    start, end = _day_month(monday), _day_month(sunday, with_month=sunday.month != monday.month)
    if current_lang() == "en" and sunday.month == monday.month:
        start, end = str(monday.day), _day_month(sunday)
    return _("%(year)s年第%(week)s周（%(start)s–%(end)s）", year=year, week=week, start=start, end=end)


def month_label(value) -> str:
    """A month (a date or a "2026-12" code) as 2026年12月 / December 2026."""
    if not isinstance(value, date):
        match = _PERIOD_CODE.match(str(value or ""))
        if not match or not match.group(4) or not 1 <= int(match.group(4)) <= 12:
            return str(value or "")
        value = date(int(match.group(1)), int(match.group(4)), 1)
    if current_lang() == "en":
        return f"{value:%B} {value.year}"
    return f"{value.year}年{value.month}月"


def full_day_label(value) -> str:
    """A date (or a naive-UTC datetime, taken to local time) as 2026年12月7日 / 7 Dec 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_today(value)
    if current_lang() == "en":
        return f"{value.day} {value:%b} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"
