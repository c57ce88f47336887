"""Goal measures the data cannot give: dated manual values (GoalValue) and the admin-kept
list of innovation platforms (InnovationPlatform) that the 创新平台 goal counts, and the stored
aggregates of the dashboard (Summary).
"""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.models.base import Money, TimestampMixin, utcnow

PLATFORM_LEVELS = ("省级", "市级")


class GoalValue(db.Model):
    """One entered value of a manual goal, kept as history; the latest (by as_of) is shown."""
    __tablename__ = "goal_values"
    __audited__ = True
    __table_args__ = (db.Index("ix_goal_values_goal_as_of", "goal_id", "as_of", "id"),)
    id = db.Column(db.Integer, primary_key=True)
    goal_id = db.Column(db.ForeignKey("goals.id", ondelete="CASCADE"), nullable=False)
    value = db.Column(Money, nullable=False)  # in the goal's unit
    as_of = db.Column(db.Date, nullable=False)
    source = db.Column(db.String(200), nullable=False)
    entered_by_id = db.Column(db.ForeignKey("users.id"))
    entered_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    goal = db.relationship("Goal")
    entered_by = db.relationship("User")


class InnovationPlatform(TimestampMixin, db.Model):
    """A recognised innovation platform (创新平台) of the bio-economy, e.g. a 省级工程技术研究中心."""
    __tablename__ = "innovation_platforms"
    __audited__ = True
    __table_args__ = (db.Index("ix_innovation_platforms_level_on", "level", "recognized_on"),)
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    level = db.Column(db.String(4), nullable=False)  # 省级 | 市级
    enterprise_id = db.Column(db.ForeignKey("enterprises.id", ondelete="SET NULL"), index=True)
    recognized_on = db.Column(db.Date, nullable=False)
    note = db.Column(db.String(200))
    enterprise = db.relationship("Enterprise")

    def __str__(self) -> str:
        return self.name


class Summary(db.Model):
    """A stored aggregate that scans the data (the dashboard's figures): its JSON, when it was
    computed, and whether a write has changed what it counts since (services/reports/summaries.py)."""
    __tablename__ = "summaries"
    key = db.Column(db.String(80), primary_key=True)
    payload = db.Column(db.Text, nullable=False)
    computed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    stale = db.Column(db.Boolean, nullable=False, default=False, server_default=sa.false())
