"""The weekly digest's chain section (services/liaison/digest.py): for each 链长, the gaps of their chains
whose target firms have had no contact for STALE_DAYS (or have none yet); administrators (领导小组
办公室) see every chain's.  Loaded once per run (gaps.gaps: four statements)."""
from __future__ import annotations

from datetime import datetime, timedelta

from crm.models import User
from crm.services.chains.gaps import Gap, gaps

STALE_DAYS = 30


def stale_gaps(now: datetime) -> list[Gap]:
    """Every gap, in the gap list's order, whose last contact is older than STALE_DAYS before `now`
    (naive UTC, as stored)."""
    since = now - timedelta(days=STALE_DAYS)
    return [gap for gap in gaps() if gap.last_contact is None or gap.last_contact < since]


def for_recipient(user: User, found: list[Gap]) -> list[Gap]:
    if user.role == "admin":
        return found
    return [gap for gap in found if gap.leader_id == user.id]
