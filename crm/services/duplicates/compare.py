"""Two records side by side for the merge page: each form field in words, whether they differ, and
how many rows of each kind would move to the survivor."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.i18n import term
from crm.models import Enterprise
from crm.services.duplicates import rows
from crm.services.enterprises import ENTERPRISE_FIELDS, ROLE_LABELS, STATUS_LABELS
from crm.services.timeline.audited import ENTERPRISE_LABELS

# kind -> its words on the merge page and the merge record
KIND_LABELS = {"contacts": _l("联系人"), "interactions": _l("对接记录"), "files": _l("佐证材料"),
               "platforms": _l("创新平台"), "chains": _l("链主产业链"), "projects": _l("投资项目"),
               "chain_links": _l("产业链环节"), "tags": _l("标签")}


@dataclass
class FieldRow:
    field: str
    label: str
    values: tuple[str, str]  # in words, "—" for none
    differs: bool


def shown(firm: Enterprise, field: str) -> str:
    """A field's value as a reader says it (the sector's name, 洽谈中), never an id or a code."""
    if field == "sector_id":
        return str(firm.sector) if firm.sector else "—"
    if field == "owner_id":
        return firm.owner.display_name if firm.owner else "—"
    value = getattr(firm, field)
    words = {"status": STATUS_LABELS, "role": ROLE_LABELS}.get(field)
    if words is not None:
        return str(words.get(value, value))
    return str(term(value)) if value else "—"


def field_rows(a: Enterprise, b: Enterprise) -> list[FieldRow]:
    return [FieldRow(f, str(ENTERPRISE_LABELS[f]), (shown(a, f), shown(b, f)), getattr(a, f) != getattr(b, f))
            for f in ENTERPRISE_FIELDS]


def row_counts(firm_ids: list[int]) -> dict[int, dict[str, int]]:
    """firm id -> kind -> rows pointing at it: one COUNT per kind, whatever the firms hold."""
    counts = {i: {} for i in firm_ids}
    tables = {kind: table.c[column] for kind, (table, column) in rows.OWNED.items()}
    tables |= {kind: table.c.enterprise_id for kind, (table, _other, _ref) in rows.LINKS.items()}
    for kind, fk in tables.items():
        for firm_id, n in db.session.execute(sa.select(fk, sa.func.count()).where(fk.in_(firm_ids)).group_by(fk)):
            counts[firm_id][kind] = n
    return counts


def moved_counts(details: dict) -> dict[str, int]:
    """kind -> rows a merge moved (its audit record's ids), the kinds with none left out."""
    found = {kind: len(ids) for kind, ids in details.get("owned", {}).items()}
    for kind, moved in details.get("links", {}).items():
        found[kind] = len(moved) + len(details.get("dropped", {}).get(kind, []))
    return {kind: n for kind, n in found.items() if n}
