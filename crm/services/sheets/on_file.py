"""The enterprises' names and credit codes on file, held in memory for a sheet import.

services/enterprises.enterprise_errors refuses a name or a credit code another firm already has
with one query each; an import of 10,000 rows asked 20,000 times.  OnFile loads, in a few
queries of 500 values each, every firm holding one of the names or codes the sheet can bring
(its rows' values and those of the firms its rows name), and follows the rows the import saves
(a firm renamed frees its old name), so each row is checked against the data as the earlier
rows left it, as the queries saw it.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise
from crm.services.enterprises import normalize_name

CHUNK = 500  # values per IN (…): well below every database's bound on parameters


def rows_in(query, column, values):
    """The rows of `query` whose `column` is one of `values` (empty ones aside), CHUNK values a
    statement: a sheet's names, codes or ids are looked up in a few statements, never one a row."""
    values = sorted({v for v in values if v})
    for start in range(0, len(values), CHUNK):
        yield from db.session.execute(query.where(column.in_(values[start:start + CHUNK])))


@dataclass(frozen=True)
class Holder:
    """A firm on file as a refusal links to it."""
    id: int
    name: str


class OnFile:
    """("name", normalised name) and ("code", credit code) → the firms holding them."""

    def __init__(self, names, codes):
        self._held: dict[tuple, dict] = {}
        query = sa.select(Enterprise.id, Enterprise.name, Enterprise.name_norm, Enterprise.credit_code)
        for column, values in ((Enterprise.name_norm, names), (Enterprise.credit_code, codes)):
            for row in rows_in(query, column, values):
                self._add(row.id, Holder(row.id, row.name), row.name_norm, row.credit_code)

    def _add(self, key, holder, name_norm: str | None, code: str | None) -> None:
        for kind, value in (("name", name_norm), ("code", code)):
            if value:
                self._held.setdefault((kind, value), {})[key] = holder

    def holder(self, kind: str, value: str, exclude: Enterprise | None):
        """The firm (lowest id first) holding `value`, other than `exclude`; None when free."""
        held = self._held.get((kind, value), {})
        others = [h for key, h in held.items() if exclude is None or key not in (exclude.id, id(exclude))]
        return min(others, key=lambda h: h.id or 0) if others else None

    def before_save(self, firm: Enterprise | None) -> None:
        """Forget what `firm` holds now: it is about to be saved with new values."""
        if firm is None or firm.id is None:
            return
        for kind, value in (("name", firm.name_norm), ("code", firm.credit_code)):
            self._held.get((kind, value), {}).pop(firm.id, None)

    def saved(self, firm: Enterprise) -> None:
        """Remember what `firm` holds once saved (a new firm has no id until the flush)."""
        self._add(firm.id if firm.id is not None else id(firm), firm, normalize_name(firm.name), firm.credit_code)
