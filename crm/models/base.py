"""Shared column types and helpers for all model modules.

Datetimes are stored as naive UTC; dates (follow-ups, stage dates) are local
Asia/Shanghai calendar dates.  Money is Decimal 万元 (Numeric(14, 2)).  Rows named in several
languages (sectors, parks, departments, task forces, goals, projects) share NamedInLanguages.
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import declared_attr

from crm.extensions import db
from crm.i18n import current_lang
from crm.services.core import pinyin

Money = sa.Numeric(14, 2, asdecimal=True)


def utcnow() -> datetime:
    """Naive UTC now: what every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def pinyin_columns(source: str, length: int) -> tuple[sa.Column, sa.Column]:
    """name_pinyin and name_initials of the column `source` (services/core/pinyin.py), for a model
    with `length` characters of name.  The defaults fill them on INSERT, bulk ones included (the
    bench's loader inserts through Core); keep_pinyin() follows later edits made through the ORM."""
    def default(fn):
        return lambda context: fn(context.get_current_parameters().get(source))
    width = length * pinyin.PER_CHARACTER
    return (sa.Column("name_pinyin", sa.String(width), nullable=False, default=default(pinyin.full),
                      server_default=""),
            sa.Column("name_initials", sa.String(length * 2), nullable=False, default=default(pinyin.initials),
                      server_default=""))


def derived_column(name: str, source: str, fn, type_, **kwargs) -> sa.Column:
    """A column computed by fn from the column `source`, filled on INSERT (bulk ones included, as
    pinyin_columns); keep_derived() follows later ORM edits of the source."""
    return sa.Column(name, type_, default=lambda context: fn(context.get_current_parameters().get(source)), **kwargs)


def keep_derived(cls, source: str, target: str, fn) -> None:
    """Recompute cls.target = fn(value) whenever `source` is set on an instance (create or edit)."""
    @event.listens_for(getattr(cls, source), "set")
    def _follow(obj, value, _old, _initiator):
        setattr(obj, target, fn(value))


def keep_pinyin(cls, source: str) -> None:
    """Recompute cls's pinyin keys whenever `source` is set on an instance (create or edit)."""
    @event.listens_for(getattr(cls, source), "set")
    def _follow(target, value, _old, _initiator):
        target.name_pinyin = pinyin.full(value)
        target.name_initials = pinyin.initials(value)


class TimestampMixin:
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Versioned:
    """A record edited through forms: its row version goes up with every UPDATE, and an UPDATE
    of a row someone else changed meanwhile fails (SQLAlchemy's version_id_col), so no save
    silently undoes another (services/core/versions.py compares the version a form was filled from)."""
    version = db.Column(db.Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


class NamedInLanguages:
    """A row named in the UI language: `name` in Chinese, `name_<lang>` otherwise.

    Only the label changes: `name` stays what is stored, searched and ordered by, and audit rows
    keep the Chinese label (services/audit.stored_label).  Emails and jobs run without a request,
    so str() gives them Chinese.  A row without a translation shows its Chinese label, as does
    every row of a model without a `name_<lang>` column for the language.
    """

    @hybrid_property
    def label_zh(self):
        """The Chinese label (Park overrides it with its short name)."""
        return self.name

    @classmethod
    def translated_column(cls, lang: str | None = None):
        """The `name_<lang>` column; None for Chinese and for a language the model has no column for.
        `lang` defaults to the UI language ("zh" without a request)."""
        lang = lang or current_lang()
        return getattr(cls, f"name_{lang}", None) if lang != "zh" else None

    def label(self, lang: str | None = None) -> str:
        """The label in `lang`, by default the UI language."""
        column = self.translated_column(lang)
        return (column is not None and getattr(self, column.key)) or self.label_zh

    @property
    def display_name(self) -> str:
        """The name pages show (projects, enterprises): the label in the UI language; the audit
        log keeps the Chinese name."""
        return self.label()

    @classmethod
    def label_column(cls, lang: str | None = None):
        """The label as an SQL expression, so (id, label) choices need no ORM objects."""
        translated = cls.translated_column(lang)
        if translated is None:
            return cls.label_zh
        # NULLIF: an emptied translation falls back as in label(), where "" is falsy.
        return sa.func.coalesce(sa.func.nullif(translated, ""), cls.label_zh)

    def __str__(self) -> str:
        return self.label()
