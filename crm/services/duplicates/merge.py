"""Merging two records of one firm: the survivor keeps, field by field, the value the administrator
chose, every row of the other record (the loser) moves to it (rows.py), and the loser is deleted.

All in the caller's transaction, audited as one "merge" row on the survivor holding what an undo
needs (undo.py): the loser's whole row, the survivor's values before, and the ids of what moved.
The loser is deleted rather than marked: a marked row would have to be hidden from every list,
search, count and picker, and would keep its name and credit code from being used again.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import AuditEvent, Enterprise, User
from crm.services.core import access, audit
from crm.services.core.errors import RuleError
from crm.services.core.namekeys import normalize_name
from crm.services.duplicates import rows
from crm.services.enterprises import ENTERPRISE_FIELDS

KEEP = ("survivor", "loser")  # the radio values of a differing field


class MergeRefused(RuleError):
    """A merge (or an undo) the rules refuse; the message says why, nothing is changed."""


def require_admin(actor: User) -> None:
    access.require(actor.role == "admin", _("只有管理员可以合并企业。"))


def differing_fields(survivor: Enterprise, loser: Enterprise) -> list[str]:
    """The form's fields whose values differ: the merge page asks which to keep."""
    return [f for f in ENTERPRISE_FIELDS if getattr(survivor, f) != getattr(loser, f)]


def load_pair(survivor_id: int | None, loser_id: int | None) -> tuple[Enterprise, Enterprise]:
    """The two records to merge, or MergeRefused (same one twice, unknown id)."""
    if survivor_id is not None and survivor_id == loser_id:
        raise MergeRefused(_("请选择两家不同的企业进行合并。"))
    pair = [db.session.get(Enterprise, i) if i is not None else None for i in (survivor_id, loser_id)]
    if None in pair:
        raise MergeRefused(_("找不到要合并的企业，它可能已被合并或删除。"))
    return pair[0], pair[1]


def snapshot(enterprise: Enterprise) -> dict:
    """Every column of the row, JSON-ready (datetimes as ISO text), to insert it again on undo."""
    return {c.name: audit.jsonable(getattr(enterprise, c.key))
            for c in Enterprise.__mapper__.columns if c.table is Enterprise.__table__}


def _check_versions(pair, seen_versions: dict) -> None:
    for firm in pair:
        if seen_versions.get(firm.id) != firm.version:
            raise MergeRefused(_("企业“%(name)s”在您打开此页后已被修改，请核对后重新合并。", name=firm.name))


def _chosen(survivor: Enterprise, loser: Enterprise, keep: dict) -> dict:
    """field -> the loser's value, for the differing fields where the loser's value is kept."""
    chosen = {}
    for field in differing_fields(survivor, loser):
        choice = keep.get(field) or "survivor"
        if choice not in KEEP:
            raise MergeRefused(_("字段取值的选择无效，请重新选择。"))
        if choice == "loser":
            chosen[field] = getattr(loser, field)
    return chosen


def merge(actor: User, survivor_id: int | None, loser_id: int | None, keep: dict, seen_versions: dict) -> AuditEvent:
    """Merge loser into survivor.  keep: field -> "survivor" | "loser" (missing: the survivor's);
    seen_versions: id -> the row version the page was filled from (a stale page is refused).
    Flushes, never commits; returns the merge's audit row."""
    require_admin(actor)
    survivor, loser = load_pair(survivor_id, loser_id)
    _check_versions((survivor, loser), seen_versions)
    chosen = _chosen(survivor, loser, keep)
    db.session.flush()
    details = {"loser": snapshot(loser), "survivor_last_interaction_at": audit.jsonable(survivor.last_interaction_at)}
    details |= rows.move_all(loser.id, survivor.id)
    last = max(filter(None, (survivor.last_interaction_at, loser.last_interaction_at)), default=None)
    before = {field: audit.jsonable(getattr(survivor, field)) for field in chosen}
    loser_id, loser_name = loser.id, loser.name
    db.session.expunge(loser)  # deleted below by id: its rows have moved, nothing may cascade
    db.session.execute(sa.delete(Enterprise).where(Enterprise.id == loser_id))
    _apply(survivor, chosen, last)
    changes = {field: [before[field], audit.jsonable(value)] for field, value in chosen.items()}
    event = audit.record("Enterprise", survivor.id, "merge", changes | {"merge": details})
    audit.record("Enterprise", loser_id, "merged", {"merged_into": [loser_name, survivor.name]})
    _after_bulk_change()
    return event


def _apply(survivor: Enterprise, values: dict, last_interaction_at: datetime | None) -> None:
    """Set the survivor's values without an audit row of their own: the merge's row lists them."""
    with audit.disabled(db.session):
        for field, value in values.items():
            setattr(survivor, field, value)
        survivor.name_norm = normalize_name(survivor.name)
        survivor.last_interaction_at = last_interaction_at
        db.session.flush()


def _after_bulk_change() -> None:
    """Rows changed by bulk statements: reload them when next read, and let the dashboard's
    stored figures (enterprise and tag counts) know they are stale."""
    db.session.flush()
    db.session.expire_all()
    db.session.info["summaries_stale"] = True
