"""Chain coverage over time: the chains.coverage job records each chain's links covered / links
total once a day (running it again the same day corrects that day's row), and the goals dashboard
shows today's live figures beside the recorded history."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Chain, ChainCoverage, ChainLink
from crm.services.chains.gaps import Coverage, link_states

HISTORY_DAYS = 365


@dataclass(frozen=True, slots=True)
class ChainName:
    """What a coverage row shows of its chain: its id and its label in the UI language."""
    id: int
    name: str

    def label(self) -> str:
        return self.name


def current() -> list[Coverage]:
    """Every chain's coverage now, from plain rows (the dashboard showed two numbers per chain
    from every chain and link loaded as ORM objects): four statements."""
    chains = db.session.execute(sa.select(Chain.id, Chain.label_column())
                                .order_by(Chain.priority, Chain.sort_order, Chain.id)).all()
    links = db.session.execute(sa.select(ChainLink.id, ChainLink.chain_id)).all()
    states = link_states()
    totals = Counter(chain_id for _link, chain_id in links)
    covered = Counter(chain_id for link, chain_id in links if link in states and states[link].covered)
    return [Coverage(ChainName(chain_id, name), covered[chain_id], totals[chain_id]) for chain_id, name in chains]


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
    """The dashboard's chain rows: five statements."""
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
