"""The calendar's periods: a week (Monday to Sunday) or a month laid out in whole weeks, the
days to show, and the neighbouring periods for navigation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

VIEWS = ("week", "month")


@dataclass(frozen=True)
class Period:
    view: str  # week | month
    anchor: date  # the day asked for: the week it is in, or its month
    first: date  # the first day shown (a Monday)
    last: date  # the last day shown (a Sunday)
    previous: date
    next: date

    @property
    def weeks(self) -> list[list[date]]:
        days = (self.last - self.first).days + 1
        return [[self.first + timedelta(days=w * 7 + d) for d in range(7)] for w in range(days // 7)]

    def in_period(self, day: date) -> bool:
        """A day of the month asked for (a month view also shows its neighbours' days)."""
        return self.view == "week" or (day.year, day.month) == (self.anchor.year, self.anchor.month)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def period(view: str | None, anchor: date) -> Period:
    """The week or month (default: month) around `anchor`."""
    if view == "week":
        first = _monday(anchor)
        return Period("week", anchor, first, first + timedelta(days=6), first - timedelta(days=7),
                      first + timedelta(days=7))
    start = anchor.replace(day=1)
    following = _add_months(start, 1)
    first = _monday(start)
    last = _monday(following - timedelta(days=1)) + timedelta(days=6)
    return Period("month", start, first, last, _add_months(start, -1), following)


def parse_day(raw: str | None, today: date) -> date:
    """?date=YYYY-MM-DD, or today for anything unusable (or out of the calendar's years)."""
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return today
    return day if 2000 <= day.year <= today.year + 10 else today
