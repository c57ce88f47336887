"""Time in Asia/Shanghai: the office's calendar.  Stored datetimes are naive UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

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
