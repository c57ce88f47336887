"""The chain filter of the enterprise list, the project list and the board: conditions that keep
the firms and projects on a chain's links, and the chains to choose from."""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Chain, ChainLink, Enterprise, Project
from crm.models.chain import chain_link_enterprises, chain_link_projects
from crm.models.project import project_investors


def _chain_links(chain_id: int):
    return sa.select(ChainLink.id).where(ChainLink.chain_id == chain_id)


def projects_on_chain(chain_id: int):
    """A WHERE condition on Project: attached to a link of the chain."""
    return Project.id.in_(sa.select(chain_link_projects.c.project_id)
                          .where(chain_link_projects.c.link_id.in_(_chain_links(chain_id))))


def enterprises_on_chain(chain_id: int):
    """A WHERE condition on Enterprise: attached to a link of the chain, or investing in a project
    attached to one (as the link page lists them)."""
    attached = (sa.select(chain_link_enterprises.c.enterprise_id)
                .where(chain_link_enterprises.c.link_id.in_(_chain_links(chain_id))))
    investing = (sa.select(project_investors.c.enterprise_id)
                 .join(chain_link_projects, chain_link_projects.c.project_id == project_investors.c.project_id)
                 .where(chain_link_projects.c.link_id.in_(_chain_links(chain_id))))
    return Enterprise.id.in_(sa.union(attached, investing))


def chain_choices() -> list[tuple[int, str]]:
    """(id, name) of every chain, named in the UI language, in the chain list's order."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Chain.id, Chain.label_column()).order_by(Chain.priority, Chain.sort_order, Chain.id))]
