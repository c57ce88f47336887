"""Industrial chains (产业链) of the plan: ordered, possibly branching links (环节), and the
enterprises and projects attached to each link.

A link follows its parent link (NULL for a chain's first links); several links with one parent
are a branch.  A link with no local firm is a gap (补链): see crm/services/chains/gaps.py.
"""
from __future__ import annotations

from crm.extensions import db
from crm.models.base import NamedInLanguages, TimestampMixin

POSITIONS = ("upstream", "midstream", "downstream")  # 上游 / 中游 / 下游

chain_link_enterprises = db.Table(
    "chain_link_enterprises",
    db.Column("link_id", db.ForeignKey("chain_links.id", ondelete="CASCADE"), primary_key=True),
    db.Column("enterprise_id", db.ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)

chain_link_projects = db.Table(
    "chain_link_projects",
    db.Column("link_id", db.ForeignKey("chain_links.id", ondelete="CASCADE"), primary_key=True),
    db.Column("project_id", db.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Chain(NamedInLanguages, TimestampMixin, db.Model):
    """One industrial chain, with its 链主 (leading firm) and 链长 (the leader responsible)."""
    __tablename__ = "chains"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    name_en = db.Column(db.String(200))
    description = db.Column(db.Text)
    plan_quote = db.Column(db.Text)  # the plan's sentence naming the chain, verbatim
    # 1 high … 3 low: the order of the gap list.
    priority = db.Column(db.Integer, nullable=False, default=2)
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    lead_enterprise_id = db.Column(db.ForeignKey("enterprises.id", ondelete="SET NULL"))  # 链主
    leader_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"), index=True)  # 链长
    # What the office must still confirm (the plan leaves it open); empty when nothing is open.
    to_confirm = db.Column(db.Text)
    lead_enterprise = db.relationship("Enterprise")
    leader = db.relationship("User")
    links = db.relationship("ChainLink", back_populates="chain", cascade="all, delete-orphan",
                            order_by="ChainLink.seq")

    def __str__(self) -> str:
        return self.name


class ChainLink(NamedInLanguages, TimestampMixin, db.Model):
    """环节: a step of a chain, standing for some products or capabilities."""
    __tablename__ = "chain_links"
    __audited__ = True
    __table_args__ = (db.UniqueConstraint("chain_id", "name", name="uq_chain_links_chain_name"),)
    id = db.Column(db.Integer, primary_key=True)
    chain_id = db.Column(db.ForeignKey("chains.id", ondelete="CASCADE"), nullable=False, index=True)
    parent_id = db.Column(db.ForeignKey("chain_links.id", ondelete="SET NULL"), index=True)
    name = db.Column(db.String(80), nullable=False)
    name_en = db.Column(db.String(160))
    position = db.Column(db.String(10), nullable=False, default="midstream")
    seq = db.Column(db.Integer, nullable=False, default=0)  # order within the chain
    description = db.Column(db.Text)
    products = db.Column(db.String(300))  # products or capabilities the link stands for
    plan_quote = db.Column(db.Text)  # the plan's words this link is transcribed from
    to_confirm = db.Column(db.Text)
    chain = db.relationship("Chain", back_populates="links")
    parent = db.relationship("ChainLink", remote_side=[id])
    enterprises = db.relationship("Enterprise", secondary=chain_link_enterprises, order_by="Enterprise.id")
    projects = db.relationship("Project", secondary=chain_link_projects, order_by="Project.id")

    def __str__(self) -> str:
        return self.name


class ChainCoverage(db.Model):
    """A chain's coverage on a day (links covered / links total), recorded daily by the
    chains.coverage job, so the goals dashboard can show coverage over time."""
    __tablename__ = "chain_coverage"
    __table_args__ = (db.UniqueConstraint("chain_id", "taken_on", name="uq_chain_coverage_chain_day"),)
    id = db.Column(db.Integer, primary_key=True)
    chain_id = db.Column(db.ForeignKey("chains.id", ondelete="CASCADE"), nullable=False)
    taken_on = db.Column(db.Date, nullable=False, index=True)  # local date
    covered = db.Column(db.Integer, nullable=False)
    total = db.Column(db.Integer, nullable=False)
