"""The plan's 2025 targets (发展目标)."""
from __future__ import annotations

from crm.extensions import db
from crm.models.base import NamedInLanguages, TimestampMixin, Versioned


class Goal(NamedInLanguages, TimestampMixin, Versioned, db.Model):
    __tablename__ = "goals"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    name = db.Column(db.String(80), nullable=False)
    name_en = db.Column(db.String(120))  # the English UI's name; plan_quote stays the plan's own words
    target = db.Column(db.Numeric(14, 2), nullable=False)
    unit = db.Column(db.String(10), nullable=False)
    comparator = db.Column(db.String(2), nullable=False, default=">=")
    year = db.Column(db.Integer, nullable=False, default=2025)
    baseline_year = db.Column(db.Integer, nullable=False, default=2021)
    # "manual", or "computed:<metric>" for a value the data can give (see services/reports/metrics.py).
    measure = db.Column(db.String(60), nullable=False, default="manual")
    plan_quote = db.Column(db.Text)
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    # Manual measures: the value an admin entered, with its date and source.
    manual_value = db.Column(db.Numeric(14, 2))
    manual_as_of = db.Column(db.Date)
    manual_source = db.Column(db.String(200))
