"""Record ids as they arrive from outside: URL segments, query strings and form fields.

Primary keys are INTEGER columns (32 bits on PostgreSQL), and SQLite cannot bind an int wider
than 64 bits, so a number like 99999999999999999999 that reaches a query is a database error —
an HTTP 500 — rather than "no such record".  Every place that turns input into an id goes
through here, so an out-of-range number is just an id that matches nothing.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

ID_MAX = 2**31 - 1  # the largest value of a PostgreSQL INTEGER


def parse_id(value) -> int | None:
    """A positive id the database can hold, or None for anything else (junk, 0, out of range)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= ID_MAX else None


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: a number beyond ID_MAX does not match, so the URL is a plain 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
