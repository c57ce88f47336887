"""Reference data from the plan: sectors (one per 专栏) and parks/sites."""
from __future__ import annotations

from crm.extensions import db
from crm.models.base import TimestampMixin


class Sector(TimestampMixin, db.Model):
    __tablename__ = "sectors"
    __audited__ = True
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(30), nullable=False, unique=True)
    name = db.Column(db.String(40), nullable=False, unique=True)
    name_en = db.Column(db.String(80))
    name_ru = db.Column(db.String(80))
    column_no = db.Column(db.Integer)  # 专栏 number in the plan; orders catalogs and tables
    column_title = db.Column(db.String(80))

    def label(self, lang: str = "zh") -> str:
        translated = getattr(self, f"name_{lang}", None) if lang != "zh" else None
        return translated or self.name

    def __str__(self) -> str:
        return self.name


class Park(TimestampMixin, db.Model):
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

    def __str__(self) -> str:
        return self.short_name or self.name
