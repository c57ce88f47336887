"""Quarterly reviews of the rolling reserve pool (滚动储备库): one batch per quarter with one
row per project it touched (入库 in, 出库 out, 保留 kept), so the pool can be shown as it stood.
"""
from __future__ import annotations

from crm.extensions import db
from crm.models.base import utcnow

# What a review did to a project's membership: "held" is a candidate the committee left out of
# the pool for now (暂缓 or 待定), so the pool after a review is still its "in" and "kept" rows.
POOL_ACTIONS = ("in", "out", "kept", "held")
# The committee's decision per project: 入库, 出库 (with a reason), 暂缓, 待定.  Reviews recorded
# before decisions existed have none.
POOL_DECISIONS = ("in", "out", "defer", "pending")


class PoolReview(db.Model):
    __tablename__ = "pool_reviews"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    quarter = db.Column(db.String(7), nullable=False, unique=True)  # 'YYYY-Qn': one review a quarter
    reviewed_on = db.Column(db.Date, nullable=False, index=True)
    reviewed_by_id = db.Column(db.ForeignKey("users.id"))
    note = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    reviewed_by = db.relationship("User")
    items = db.relationship("PoolReviewItem", back_populates="review", cascade="all, delete-orphan",
                            order_by="PoolReviewItem.project_id")

    def __str__(self) -> str:
        return self.quarter


class PoolReviewItem(db.Model):
    __tablename__ = "pool_review_items"
    review_id = db.Column(db.ForeignKey("pool_reviews.id", ondelete="CASCADE"), primary_key=True)
    project_id = db.Column(db.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True)
    action = db.Column(db.String(4), nullable=False)
    stage_at_review = db.Column(db.String(10), nullable=False)
    decision = db.Column(db.String(8))
    note = db.Column(db.Text)  # the reviewer's note; the reason of an 出库
    review = db.relationship("PoolReview", back_populates="items")
    project = db.relationship("Project")
