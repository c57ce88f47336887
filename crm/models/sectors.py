"""Reference data from the plan: sectors (one per 专栏) and parks/sites, named in zh/en/ru."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property

from crm.extensions import db
from crm.models.base import NamedInLanguages, TimestampMixin


class Sector(NamedInLanguages, TimestampMixin, db.Model):
    __tablename__ = "sectors"
    __audited__ = True
    # Lists sorted by sector walk the sectors in this order (services/core/index_order.py).
    __table_args__ = (db.Index("ix_sectors_column_no", "column_no", "id"),)
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(30), nullable=False, unique=True)
    name = db.Column(db.String(40), nullable=False, unique=True)
    name_en = db.Column(db.String(80))
    name_ru = db.Column(db.String(80))
    column_no = db.Column(db.Integer)  # 专栏 number in the plan; orders catalogs and tables
    column_title = db.Column(db.String(80))


class Park(NamedInLanguages, TimestampMixin, db.Model):
    __tablename__ = "parks"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(30), nullable=False, unique=True)
    name = db.Column(db.String(80), nullable=False, unique=True)
    name_en = db.Column(db.String(120))
    name_ru = db.Column(db.String(120))
    short_name = db.Column(db.String(30))
    description = db.Column(db.Text)
    description_en = db.Column(db.Text)
    description_ru = db.Column(db.Text)

    @hybrid_property
    def label_zh(self):
        """Chinese pages name a park as the office does: 边合区 rather than its full name."""
        return self.short_name or self.name

    @label_zh.inplace.expression
    @classmethod
    def _label_zh_expression(cls):
        return sa.func.coalesce(cls.short_name, cls.name)
