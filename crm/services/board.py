"""The pipeline board's cards, read as plain rows.

A card shows a project's name, key badge, sector and park, investors, total investment and last
contact.  Loading whole Project objects for that built about 300 ORM objects a request (each card's
project, sector, park and investors, with their identity-map bookkeeping) to print a dozen
columns; a Core select of just those columns, with the names already in the UI language, gives
the same card for a fraction of the work.  The ui helpers (key_badge, investor_names,
last_contact) read a card as they read a Project: by the same attribute names.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise, Park, Project, Sector
from crm.models.project import STAGES, project_investors
from crm.services.projects import newest_first


@dataclass(slots=True, frozen=True)
class Investor:
    id: int
    display_name: str


@dataclass(slots=True)
class Card:
    """What a board card shows of a project, named as on Project (labels in the UI language)."""
    id: int
    stage: str
    display_name: str
    is_key: bool
    key_level: str | None
    sector: str
    park: str | None
    total_investment: Decimal | None
    last_interaction_at: datetime | None
    investors: list[Investor] = field(default_factory=list)


def _card_select(shown) -> sa.Select:
    park = sa.orm.aliased(Park)
    return (sa.select(Project.id, Project.stage, Project.label_column(), Project.is_key, Project.key_level,
                      Sector.label_column(), park.label_column(), Project.total_investment,
                      Project.last_interaction_at)
            .join(Sector, Sector.id == Project.sector_id).outerjoin(park, park.id == Project.park_id)
            .where(Project.id.in_(shown)).order_by(Project.stage, *newest_first()))


def _investors(ids: list[int]) -> dict[int, list[Investor]]:
    """Each project's investors in the order of Project.investors (by enterprise id)."""
    found = defaultdict(list)
    if not ids:
        return found
    rows = db.session.execute(
        sa.select(project_investors.c.project_id, Enterprise.id, Enterprise.label_column())
        .join(Enterprise, Enterprise.id == project_investors.c.enterprise_id)
        .where(project_investors.c.project_id.in_(ids))
        .order_by(project_investors.c.project_id, Enterprise.id))
    for project_id, enterprise_id, name in rows:
        found[project_id].append(Investor(enterprise_id, name))
    return found


def board_cards(conditions, per_stage: int, stages=STAGES) -> dict[str, list[Card]]:
    """The `per_stage` most recently moved projects of each of `stages`, in two statements: a
    UNION ALL of one LIMITed index range per stage gives the cards' rows, then their investors."""
    newest = [sa.select(Project.id).where(*conditions, Project.stage == stage).order_by(*newest_first())
              .limit(per_stage).subquery() for stage in stages]
    shown = sa.union_all(*(sa.select(sub.c.id) for sub in newest))
    cards = [Card(*row) for row in db.session.execute(_card_select(shown))]
    investors = _investors([card.id for card in cards])
    columns: dict[str, list[Card]] = {stage: [] for stage in STAGES}
    for card in cards:
        card.investors = investors.get(card.id, [])
        columns[card.stage].append(card)
    return columns
