"""Link coverage and the gap list (补链): which links of a chain have a local firm, which have a
project in talks, and whom to call about each gap.

A link is covered (有本地企业) when a local firm (services/metrics.local_enterprise_filter: in 绥芬河,
local by source, or invested here) is attached to it, or invests in a project on it that is not
dropped; so a link loses its cover when the only such project is dropped.  An uncovered link with a
project past 谋划 (洽谈 … 投产) is in talks (有在谈项目); any other is blank (空白).  A link's size on
the map is the total investment of its projects that are not dropped.

Every function runs a fixed number of statements, whatever the number of chains and links.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Chain, ChainLink, Enterprise, Project, User
from crm.models.chain import chain_link_enterprises as link_enterprises
from crm.models.chain import chain_link_projects as link_projects
from crm.models.project import project_investors
from crm.services.reports.metrics import local_enterprise_filter

TALKS_STAGES = ("contact", "signed", "started", "operating")
TARGETS_SHOWN = 5  # per gap: the longest uncalled first; the link page lists them all
STATES = ("local", "talks", "gap")


@dataclass
class LinkState:
    covered: bool = False
    talks: bool = False
    investment: Decimal = Decimal(0)

    @property
    def state(self) -> str:
        return "local" if self.covered else "talks" if self.talks else "gap"


@dataclass
class Coverage:
    chain: Chain
    covered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0


class Target(NamedTuple):
    """A target firm as the gap list shows it (plain columns: the list may hold thousands)."""
    id: int
    name: str  # in the UI language
    last_interaction_at: datetime | None


@dataclass
class Gap:
    """An uncovered link, as plain values, with its first TARGETS_SHOWN target firms."""
    link_id: int
    link_name: str
    chain_id: int
    chain_name: str
    leader_id: int | None
    leader_name: str | None
    state: LinkState
    targets: list[Target] = field(default_factory=list)
    target_count: int = 0
    last_contact: datetime | None = None  # the latest contact with any of its target firms

    @property
    def more(self) -> int:
        return self.target_count - len(self.targets)


def _scoped(query, column, chain_id: int | None):
    if chain_id is None:
        return query
    return query.where(column.in_(sa.select(ChainLink.id).where(ChainLink.chain_id == chain_id)))


def link_states(chain_id: int | None = None) -> dict[int, LinkState]:
    """The state of every link (of one chain, or of all): two statements."""
    live = Project.stage != "dropped"
    local_investor = (sa.select(project_investors.c.project_id)
                      .join(Enterprise, Enterprise.id == project_investors.c.enterprise_id)
                      .where(project_investors.c.project_id == Project.id, local_enterprise_filter()).exists())
    by_project = _scoped(
        sa.select(link_projects.c.link_id,
                  sa.func.max(sa.case((sa.and_(live, local_investor), 1), else_=0)),
                  sa.func.max(sa.case((Project.stage.in_(TALKS_STAGES), 1), else_=0)),
                  sa.func.sum(sa.case((live, Project.total_investment), else_=0)))
        .join(Project, Project.id == link_projects.c.project_id).group_by(link_projects.c.link_id),
        link_projects.c.link_id, chain_id)
    states: dict[int, LinkState] = {}
    for link_id, covered, talks, investment in db.session.execute(by_project):
        states[link_id] = LinkState(bool(covered), bool(talks), Decimal(investment or 0))
    direct = _scoped(sa.select(link_enterprises.c.link_id).distinct()
                     .join(Enterprise, Enterprise.id == link_enterprises.c.enterprise_id)
                     .where(local_enterprise_filter()),
                     link_enterprises.c.link_id, chain_id)
    for link_id in db.session.scalars(direct):
        states.setdefault(link_id, LinkState()).covered = True
    return states


def state_of(states: dict[int, LinkState], link: ChainLink) -> LinkState:
    return states.get(link.id) or LinkState()


def coverage(chains: list[Chain], states: dict[int, LinkState]) -> list[Coverage]:
    """Links covered / links total per chain (the chains' links loaded)."""
    return [Coverage(chain, sum(state_of(states, link).covered for link in chain.links), len(chain.links))
            for chain in chains]


def _link_firm_pairs(link_ids=None):
    """(link_id, enterprise_id) of the firms on each link: attached, or investing in a live project
    on it.  `link_ids`: a list or a select of link ids; None for every link."""
    attached = sa.select(link_enterprises.c.link_id, link_enterprises.c.enterprise_id)
    investing = (sa.select(link_projects.c.link_id, project_investors.c.enterprise_id)
                 .join(Project, Project.id == link_projects.c.project_id)
                 .join(project_investors, project_investors.c.project_id == Project.id)
                 .where(Project.stage != "dropped"))
    if link_ids is not None:
        # Each branch filters by link itself: a database need not push the filter into a UNION.
        attached = attached.where(link_enterprises.c.link_id.in_(link_ids))
        investing = investing.where(link_projects.c.link_id.in_(link_ids))
    return sa.union(attached, investing).subquery()


# The longest without a contact first (never contacted before all), as staff call them in that order.
CALL_ORDER = (Enterprise.last_interaction_at.is_not(None), Enterprise.last_interaction_at, Enterprise.id)


def _targets(link_ids: list[int]) -> dict[int, list[Enterprise]]:
    """The firms on each link, in CALL_ORDER."""
    pairs = _link_firm_pairs(link_ids)
    query = (sa.select(pairs.c.link_id, Enterprise)
             .join(Enterprise, Enterprise.id == pairs.c.enterprise_id)
             .order_by(*CALL_ORDER))
    found: dict[int, list[Enterprise]] = {link_id: [] for link_id in link_ids}
    for link_id, firm in db.session.execute(query):
        found[link_id].append(firm)
    return found


def _target_rows(gaps_by_link: dict[int, Gap], chain_id: int | None) -> None:
    """Fill each gap's first TARGETS_SHOWN targets, its target count and its latest contact: one
    statement, its window functions cutting each link's list in the database.  The links are
    chosen by chain (not by a list of ids, which costs a bound parameter per gap); the covered
    links' few rows are skipped here."""
    scope = None if chain_id is None else sa.select(ChainLink.id).where(ChainLink.chain_id == chain_id)
    pairs = _link_firm_pairs(scope)
    per_link = {"partition_by": pairs.c.link_id}
    ranked = (sa.select(pairs.c.link_id, Enterprise.id, Enterprise.label_column().label("name"),
                        Enterprise.last_interaction_at,
                        sa.func.row_number().over(order_by=CALL_ORDER, **per_link).label("rank"),
                        sa.func.count().over(**per_link).label("total"),
                        sa.func.max(Enterprise.last_interaction_at).over(**per_link).label("latest"))
              .join(Enterprise, Enterprise.id == pairs.c.enterprise_id)).subquery()
    query = sa.select(ranked).where(ranked.c.rank <= TARGETS_SHOWN).order_by(ranked.c.link_id, ranked.c.rank)
    for link_id, firm_id, name, last, _rank, total, latest in db.session.execute(query):
        gap = gaps_by_link.get(link_id)
        if gap is None:
            continue
        gap.targets.append(Target(firm_id, name, last))
        gap.target_count, gap.last_contact = total, latest


def gaps(chain_id: int | None = None) -> list[Gap]:
    """Every uncovered link with its first target firms, by the chain's priority, then plan order:
    four statements, plain rows (no ORM objects), so a province's hundreds of gaps stay cheap."""
    query = _scoped(sa.select(ChainLink.id, ChainLink.label_column(), Chain.id, Chain.label_column(),
                              Chain.leader_id, User.display_name)
                    .join(Chain, Chain.id == ChainLink.chain_id).outerjoin(User, User.id == Chain.leader_id)
                    .order_by(Chain.priority, Chain.sort_order, Chain.id, ChainLink.seq, ChainLink.id),
                    ChainLink.id, chain_id)
    rows = db.session.execute(query).all()
    states = link_states(chain_id)
    found = [Gap(*row, state=states.get(row[0]) or LinkState()) for row in rows
             if not (states.get(row[0]) or LinkState()).covered]
    _target_rows({gap.link_id: gap for gap in found}, chain_id)
    return found


def link_firms(link: ChainLink) -> tuple[list[Enterprise], list[Enterprise]]:
    """The firms on a link, attached or investing in a live project on it, split into local firms
    and target firms (to recruit): two statements."""
    firms = _targets([link.id])[link.id]
    local = set(db.session.scalars(sa.select(Enterprise.id).where(
        Enterprise.id.in_([f.id for f in firms]), local_enterprise_filter())))
    return [f for f in firms if f.id in local], [f for f in firms if f.id not in local]
