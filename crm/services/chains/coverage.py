"""Chain coverage over time: the chains.coverage job records each chain's links covered / links
total once a day (running it again the same day corrects that day's row), and the goals dashboard
shows today's live figures beside the recorded history."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Chain, ChainCoverage
from crm.services.chains.gaps import Coverage, coverage, link_states

HISTORY_DAYS = 365


def _chains() -> list[Chain]:
    return db.session.scalars(sa.select(Chain).options(selectinload(Chain.links))
                              .order_by(Chain.priority, Chain.sort_order, Chain.id)).all()


def current() -> list[Coverage]:
    """Every chain's coverage now: three statements."""
    return coverage(_chains(), link_states())


def record(today: date) -> int:
    """Write today's coverage of every chain (one row per chain and day); flushes; returns the rows."""
    rows = {row.chain_id: row for row in db.session.scalars(
        sa.select(ChainCoverage).where(ChainCoverage.taken_on == today))}
    now = current()
    for item in now:
        row = rows.get(item.chain.id)
        if row is None:
            db.session.add(ChainCoverage(chain_id=item.chain.id, taken_on=today, covered=item.covered,
                                         total=item.total))
        else:
            row.covered, row.total = item.covered, item.total
    db.session.flush()
    return len(now)


@dataclass
class Trend:
    """One chain on the dashboard: today's live coverage and the recorded days before it."""
    now: Coverage
    days: list[tuple[date, int, int]] = field(default_factory=list)  # (day, covered, total)


def trends(today: date) -> list[Trend]:
    """The dashboard's chain rows: four statements."""
    found = {item.chain.id: Trend(item) for item in current()}
    history = db.session.execute(
        sa.select(ChainCoverage.chain_id, ChainCoverage.taken_on, ChainCoverage.covered, ChainCoverage.total)
        .where(ChainCoverage.taken_on >= today - timedelta(days=HISTORY_DAYS), ChainCoverage.taken_on < today)
        .order_by(ChainCoverage.taken_on))
    for chain_id, day, covered, total in history:
        if chain_id in found:
            found[chain_id].days.append((day, covered, total))
    return list(found.values())


def chart_data(found: list[Trend], today: date) -> dict:
    """Per chain, the percentage covered on each recorded day and today (ECharts time series)."""
    def pct(covered, total):
        return round(100 * covered / total, 1) if total else 0
    return {"series": [{"name": t.now.chain.label(),
                        "data": [[d.isoformat(), pct(c, n)] for d, c, n in t.days]
                        + [[today.isoformat(), pct(t.now.covered, t.now.total)]]} for t in found]}
