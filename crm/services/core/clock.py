"""Time in Asia/Shanghai: the office's calendar.  Stored datetimes are naive UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


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
