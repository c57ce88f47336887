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

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Chain, ChainLink, Enterprise, Project
from crm.models.chain import chain_link_enterprises as link_enterprises, chain_link_projects as link_projects
from crm.models.project import project_investors
from crm.services.metrics import local_enterprise_filter

TALKS_STAGES = ("contact", "signed", "started", "operating")
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


@dataclass
class Gap:
    link: ChainLink
    state: LinkState
    targets: list[Enterprise] = field(default_factory=list)

    @property
    def last_contact(self) -> datetime | None:
        return max((e.last_interaction_at for e in self.targets if e.last_interaction_at), default=None)


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
                     .join(Enterprise, Enterprise.id == link_enterprises.c.enterprise_id).where(local_enterprise_filter()),
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


def _targets(link_ids: list[int]) -> dict[int, list[Enterprise]]:
    """The firms on each link, attached or investing in a live project on it; the longest without a
    contact first, as staff call them in that order."""
    # Each branch filters by link itself: a database need not push the filter into a UNION.
    attached = (sa.select(link_enterprises.c.link_id, link_enterprises.c.enterprise_id)
                .where(link_enterprises.c.link_id.in_(link_ids)))
    investing = (sa.select(link_projects.c.link_id, project_investors.c.enterprise_id)
                 .join(Project, Project.id == link_projects.c.project_id)
                 .join(project_investors, project_investors.c.project_id == Project.id)
                 .where(link_projects.c.link_id.in_(link_ids), Project.stage != "dropped"))
    pairs = sa.union(attached, investing).subquery()
    query = (sa.select(pairs.c.link_id, Enterprise)
             .join(Enterprise, Enterprise.id == pairs.c.enterprise_id)
             .order_by(Enterprise.last_interaction_at.is_not(None), Enterprise.last_interaction_at, Enterprise.id))
    found: dict[int, list[Enterprise]] = {link_id: [] for link_id in link_ids}
    for link_id, firm in db.session.execute(query):
        found[link_id].append(firm)
    return found


def gaps(chain_id: int | None = None) -> list[Gap]:
    """Every uncovered link with its target firms, by the chain's priority, then plan order: four
    statements."""
    query = _scoped(sa.select(ChainLink).join(ChainLink.chain)
                    .options(joinedload(ChainLink.chain).joinedload(Chain.leader))
                    .order_by(Chain.priority, Chain.sort_order, Chain.id, ChainLink.seq, ChainLink.id),
                    ChainLink.id, chain_id)
    links = db.session.scalars(query).all()
    states = link_states(chain_id)
    open_links = [link for link in links if not state_of(states, link).covered]
    targets = _targets([link.id for link in open_links])
    return [Gap(link, state_of(states, link), targets[link.id]) for link in open_links]


def link_firms(link: ChainLink) -> tuple[list[Enterprise], list[Enterprise]]:
    """The firms on a link, attached or investing in a live project on it, split into local firms
    and target firms (to recruit): two statements."""
    firms = _targets([link.id])[link.id]
    local = set(db.session.scalars(sa.select(Enterprise.id).where(
        Enterprise.id.in_([f.id for f in firms]), local_enterprise_filter())))
    return [f for f in firms if f.id in local], [f for f in firms if f.id not in local]
