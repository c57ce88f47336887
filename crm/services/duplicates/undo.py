"""Undoing a merge from its audit record: the loser comes back with its own values and id, exactly
the rows that moved go back to it (rows added to the survivor since stay), and the survivor's
fields the merge changed return to their old values where nobody has edited them since.

Refused, with the reason, when that can no longer be done safely: the merge was already undone,
the survivor is gone, or another firm now uses the loser's name or credit code.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import AuditEvent, Enterprise, Interaction, User
from crm.services.core import audit
from crm.services.core.namekeys import normalize_name
from crm.services.duplicates import rows
from crm.services.duplicates.merge import MergeRefused, _after_bulk_change, require_admin

_DATETIMES = {c.name for c in Enterprise.__table__.columns if isinstance(c.type, sa.DateTime)}


def merge_event(event_id: int | None) -> AuditEvent | None:
    """The audit row of a merge, or None for any other id."""
    event = db.session.get(AuditEvent, event_id) if event_id is not None else None
    return event if event is not None and event.object_type == "Enterprise" and event.action == "merge" else None


def is_undone(event: AuditEvent) -> bool:
    """Whether an "unmerge" row names this merge (at most a few rows per survivor)."""
    later = db.session.scalars(sa.select(AuditEvent.changes).where(
        AuditEvent.object_type == "Enterprise", AuditEvent.object_id == event.object_id,
        AuditEvent.action == "unmerge", AuditEvent.id > event.id))
    return any((c or {}).get("unmerge", {}).get("merge_event") == event.id for c in later)


def _reverted(survivor: Enterprise, event: AuditEvent) -> dict:
    """field -> old value, for the fields the merge changed that still hold the merged value."""
    return {field: pair[0] for field, pair in event.changes.items()
            if field != "merge" and audit.jsonable(getattr(survivor, field)) == pair[1]}


def _refusal(event: AuditEvent, survivor: Enterprise | None, loser: dict, reverted: dict) -> str | None:
    if is_undone(event):
        return _("这次合并已经撤销过了。")
    if db.session.get(Enterprise, loser["id"]) is not None:  # SQLite reuses the highest id
        return _("被合并企业的记录位置已被新登记的企业占用，无法撤销合并。")
    if survivor is None:
        return _("保留的企业已被删除，无法撤销合并。")
    name_norm = normalize_name(reverted.get("name", survivor.name))
    code = reverted.get("credit_code", survivor.credit_code)
    others = sa.select(Enterprise.id).where(Enterprise.id != survivor.id).limit(1)
    if name_norm == loser["name_norm"] or db.session.scalar(others.where(Enterprise.name_norm == loser["name_norm"])):
        return _("企业名称“%(name)s”现已被另一家企业使用，无法撤销合并。", name=loser["name"])
    if loser["credit_code"] and (code == loser["credit_code"] or db.session.scalar(
            others.where(Enterprise.credit_code == loser["credit_code"]))):
        return _("统一社会信用代码 %(code)s 现已被另一家企业使用，无法撤销合并。", code=loser["credit_code"])
    return None


def _row(loser: dict) -> dict:
    return {key: datetime.fromisoformat(value) if key in _DATETIMES and value else value
            for key, value in loser.items()}


def undo(actor: User, event_id: int | None) -> Enterprise:
    """Undo the merge recorded by audit row `event_id`; flushes, returns the restored firm."""
    require_admin(actor)
    event = merge_event(event_id)
    if event is None:
        raise MergeRefused(_("找不到这次合并记录。"))
    details, survivor = event.changes["merge"], db.session.get(Enterprise, event.object_id)
    loser = details["loser"]
    reverted = _reverted(survivor, event) if survivor is not None else {}
    refusal = _refusal(event, survivor, loser, reverted)
    if refusal:
        raise MergeRefused(refusal)
    current = {field: audit.jsonable(getattr(survivor, field)) for field in reverted}
    with audit.disabled(db.session):
        for field, value in reverted.items():
            setattr(survivor, field, value)
        survivor.name_norm = normalize_name(survivor.name)
        db.session.flush()
    db.session.execute(sa.insert(Enterprise.__table__).values(_row(loser)))
    rows.move_back(details, survivor.id, loser["id"])
    survivor.last_interaction_at = db.session.scalar(
        sa.select(sa.func.max(Interaction.occurred_at)).where(Interaction.enterprise_id == survivor.id))
    with audit.disabled(db.session):
        db.session.flush()
    changes = {field: [current[field], value] for field, value in reverted.items()}
    audit.record("Enterprise", survivor.id, "unmerge", changes | {"unmerge": {"merge_event": event.id,
                                                                             "loser": loser["id"]}})
    audit.record("Enterprise", loser["id"], "unmerge", {"restored_from": [survivor.name, loser["name"]]})
    _after_bulk_change()
    return db.session.get(Enterprise, loser["id"])
