"""Enterprise rules: name normalisation and duplicate detection.

Two records for one company split its history, so duplicates are refused on the credit
code and on the normalised name (full-width/half-width, spaces, brackets and case folded).
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise

_PUNCT = re.compile(r"[\s\(\)（）\[\]【】·.,，、'\"“”‘’-]+")


def normalize_name(name: str) -> str:
    """NFKC (full-width → half-width), casefold, and drop spaces, brackets and punctuation."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return _PUNCT.sub("", text)


def find_duplicate(name: str, credit_code: str | None, exclude_id: int | None = None) -> Enterprise | None:
    """The existing enterprise this one would duplicate, if any."""
    conditions = [Enterprise.name_norm == normalize_name(name)]
    if credit_code:
        conditions.append(Enterprise.credit_code == credit_code)
    query = sa.select(Enterprise).where(sa.or_(*conditions))
    if exclude_id is not None:
        query = query.where(Enterprise.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()
