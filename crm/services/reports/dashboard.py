"""The dashboard's figures, read through the stored aggregates (services/reports/summaries.py):
the parts that scan the data are computed together, stored as one row per day and language, and
turned back into the shapes metrics.py gives, so the page and the charts do not care which."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import force_locale

from crm.i18n import current_lang
from crm.services.reports import metrics, summaries


@dataclass
class Figures:
    funnel: list[metrics.StageTotal]
    sectors: list[dict]
    moves: dict
    problems: dict
    computed: dict  # metric -> (value, unit), for metrics.goal_statuses
    computed_at: datetime  # naive UTC: when they were counted


def _compute(today: date) -> dict:
    computed = {}
    for func, _formula in metrics.COMPUTED.values():
        computed.update(func(today))
    return {
        "funnel": [[s.stage, s.count, s.investment] for s in metrics.funnel()],
        "sectors": metrics.investment_by_sector(),
        "moves": metrics.stage_moves_by_month(today),
        "problems": metrics.problem_stats(today),
        "computed": {metric: [value, unit] for metric, (value, unit) in computed.items()},
    }


def key(today: date) -> str:
    return f"dashboard:{current_lang()}:{today.isoformat()}"


def figures(today: date) -> Figures:
    stored = summaries.read(key(today), lambda: _compute(today))
    data = stored.value
    problems = dict(data["problems"], rate=Decimal(data["problems"]["rate"]) if data["problems"]["rate"] else None)
    return Figures(
        funnel=[metrics.StageTotal(stage, count, Decimal(total)) for stage, count, total in data["funnel"]],
        sectors=[dict(row, investment=Decimal(row["investment"])) for row in data["sectors"]],
        moves=data["moves"], problems=problems,
        computed={metric: (Decimal(value), unit) for metric, (value, unit) in data["computed"].items()},
        computed_at=stored.computed_at)


def refresh(today: date, locales=("zh_Hans_CN", "en")) -> int:
    """The cron's refresh: recompute and store the figures of `today` in every UI language, and
    drop earlier days' rows."""
    for locale in locales:
        with force_locale(locale):
            summaries.store(key(today), _compute(today))
    summaries.purge(today)
    return len(locales)
