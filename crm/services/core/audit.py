"""Automatic audit trail: every insert, update and delete of an audited model is recorded.

A before_flush listener compares attribute history, so no view or service can forget to
audit a change.  The actor is the logged-in user, or whoever `acting_as()` names (CLI, jobs).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import MANYTOONE, Mapper, Session

from crm.i18n import lazy_gettext as _l
from crm.models.audit import AuditEvent
from crm.models.base import NamedInLanguages

# What an audit row says for a secret column (`__audit_secret__`: column → the name it is logged
# under): that it changed, never its value.
REDACTED = "[redacted]"

_actor: ContextVar = ContextVar("audit_actor", default=None)
_note: ContextVar = ContextVar("audit_note", default=None)


@contextmanager
def acting_as(user=None, label: str | None = None, note: str | None = None):
    """Attribute changes made inside the block to `user` (or a label such as "worker")."""
    token = _actor.set((user, label))
    note_token = _note.set(note)
    try:
        yield
    finally:
        _actor.reset(token)
        _note.reset(note_token)


def current_note() -> str | None:
    """The note acting_as() gave the block we are in (an import's row), if any."""
    return _note.get()


def _current_actor():
    explicit = _actor.get()
    if explicit is not None:
        return explicit
    try:
        from flask import has_request_context
        from flask_login import current_user
        if has_request_context() and current_user.is_authenticated:
            return current_user._get_current_object(), None
    except Exception:  # outside Flask: fall through to "system"
        pass
    return None, "system"


def stored_label(obj) -> str:
    """How a row is named in an audit row: in Chinese, whatever language the change was made in
    (str() of a reference row follows the UI language)."""
    return obj.label("zh") if isinstance(obj, NamedInLanguages) else str(obj)


def jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if hasattr(value, "__table__"):
        return {"id": inspect(value).identity[0] if inspect(value).identity else None, "label": stored_label(value)}
    return value


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    excluded = set(getattr(obj, "__audit_exclude__", ())) | {"created_at", "updated_at", "version"}
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in excluded:
            continue
        hist = state.attrs[key].history
        if action == "create":
            value = getattr(obj, key)
            if value is not None:
                changes[key] = [None, jsonable(value)]
        elif action == "delete":
            changes[key] = [jsonable(getattr(obj, key)), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                changes[key] = [jsonable(old), jsonable(new)]
    changes.update(_secret_changes(obj, state, action))
    if action == "update":
        changes.update(_many_to_one_changes(obj, state, changes))
    if action != "delete":
        collections = set(getattr(obj, "__audit_collections__", ()))
        for rel in state.mapper.relationships:
            if rel.viewonly or (rel.secondary is None and rel.key not in collections):
                continue
            hist = state.attrs[rel.key].history
            if hist.added or hist.deleted:
                old = [stored_label(o) for o in (hist.unchanged + hist.deleted)]
                new = [stored_label(o) for o in (hist.unchanged + hist.added)]
                changes[rel.key] = [old, new]
    return changes


def _secret_changes(obj, state, action: str) -> dict:
    """A password reset must leave a row, but a hash in the audit log would be a hash leaked."""
    found = {}
    for key, logged_as in getattr(obj, "__audit_secret__", {}).items():
        hist = state.attrs[key].history
        if action == "create" and getattr(obj, key) is not None:
            found[logged_as] = [None, REDACTED]
        elif action == "update" and hist.has_changes() and (hist.deleted or [None])[0] != (hist.added or [None])[0]:
            found[logged_as] = [REDACTED, REDACTED]
    return found


def _many_to_one_changes(obj, state, already: dict) -> dict:
    """`project.owner = user` changes owner_id only during the flush: read it off the relationship.

    Before the flush the foreign-key column still holds the old id.
    """
    found = {}
    for rel in state.mapper.relationships:
        if rel.viewonly or rel.direction is not MANYTOONE or len(rel.local_columns) != 1:
            continue
        hist = state.attrs[rel.key].history
        if not hist.added:
            continue
        key = state.mapper.get_property_by_column(next(iter(rel.local_columns))).key
        if key in already:
            continue
        new = hist.added[0]
        new_id = inspect(new).identity[0] if new is not None and inspect(new).identity else getattr(new, "id", None)
        old_id = getattr(obj, key)
        if old_id != new_id:
            found[key] = [old_id, new_id]
    return found


def pin(obj) -> None:
    """Keep the actor and the note of the acting_as() block we are in for obj's audit row, made
    at the next flush whenever it comes: an import saves its rows a chunk at a time, each row
    with its own note ("Excel 导入第 n 行"), and flushes the chunk outside their blocks."""
    from crm.extensions import db
    pinned = db.session.info.setdefault("audit_pinned", {})
    pinned[id(obj)] = (obj, _current_actor(), _note.get(), len(pinned))


def _pinned(session: Session) -> dict:
    return session.info.get("audit_pinned", {})


def _record(session: Session, obj, action: str) -> None:
    changes = _changes(obj, action)
    if action == "update" and not changes:
        return
    pinned = _pinned(session).get(id(obj))
    (user, label), note = (pinned[1], pinned[2]) if pinned else (_current_actor(), _note.get())
    session.add(AuditEvent(
        actor_id=getattr(user, "id", None),
        actor_label=label or (user.username if user is not None else None),
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        action=action,
        changes=changes,
        note=note,
        object_version=getattr(obj, "version", None),
    ))


@event.listens_for(Mapper, "mapper_configured")
def _load_old_values(mapper, class_) -> None:
    """Load a column's old value before it is overwritten, even after a commit expired it.

    Without this, an attribute expired by commit and then assigned has no history, and
    the audit row would say None → new instead of old → new.
    """
    if getattr(class_, "__audited__", False):
        for attr in mapper.column_attrs:
            class_manager = mapper.class_manager
            class_manager[attr.key].impl.active_history = True


@event.listens_for(Session, "before_flush")
def _audit_before_flush(session: Session, flush_context, instances) -> None:
    if session.info.get("audit_disabled"):
        return
    pinned = _pinned(session)  # a chunk's rows are audited in the order they were saved
    for obj in sorted(session.dirty, key=lambda o: pinned[id(o)][3] if id(o) in pinned else -1):
        if getattr(obj, "__audited__", False) and session.is_modified(obj, include_collections=True):
            _record(session, obj, "update")
    for obj in list(session.deleted):
        if getattr(obj, "__audited__", False):
            _record(session, obj, "delete")
    new = [o for o in session.new if getattr(o, "__audited__", False)]
    session.info.setdefault("audit_new", []).extend(new)


@event.listens_for(Session, "after_flush_postexec")
def _audit_after_flush(session: Session, flush_context) -> None:
    """New rows have ids only after the flush; record their creation now (flushed next time)."""
    new = session.info.pop("audit_new", [])
    for obj in new:
        _record(session, obj, "create")
    session.info.pop("audit_pinned", None)  # each pinned object has had its rows


@event.listens_for(Session, "after_soft_rollback")
def _forget_pinned(session: Session, previous_transaction) -> None:
    session.info.pop("audit_pinned", None)


@contextmanager
def disabled(session: Session):
    """Bulk loads (seeds, benchmark data) skip the per-row audit on purpose."""
    session.info["audit_disabled"] = True
    try:
        yield
    finally:
        session.info.pop("audit_disabled", None)


def history(object_type: str, object_id: int, limit: int = 100):
    """Audit rows of one object, newest first, with their actor loaded."""
    from crm.extensions import db
    return db.session.scalars(
        sa.select(AuditEvent).options(sa.orm.joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id.desc()).limit(limit)
    ).all()


def record(object_type: str, object_id: int, action: str, changes: dict, note: str | None = None) -> AuditEvent:
    """Audit a change made with a bulk UPDATE (a compare-and-set), which the flush listener
    cannot see: same actor and shape as the automatic rows."""
    from crm.extensions import db
    user, label = _current_actor()
    event = AuditEvent(actor_id=getattr(user, "id", None),
                       actor_label=label or (user.username if user is not None else None),
                       object_type=object_type, object_id=object_id, action=action, changes=changes, note=note)
    db.session.add(event)
    return event


# ---------------------------------------------------------------------------------------
# Reading the trail: what a history box shows

# Bookkeeping a reader never needs: the row's own id and its timestamps.
UNSHOWN = frozenset({"id", "version", "created_at", "updated_at"})


def reference_labels(events, models: dict) -> dict[str, dict[int, str]]:
    """field → {id → name} for the ids the events mention (models: field → model class), one
    query per referenced table, so a history box shows 绥芬河经济合作中心, never 6."""
    from crm.extensions import db
    wanted: dict[type, set] = {}
    for ev in events:
        for key, pair in (ev.changes or {}).items():
            if key in models and isinstance(pair, (list, tuple)):
                wanted.setdefault(models[key], set()).update(v for v in pair if isinstance(v, int))
    names = {model: {o.id: str(o) for o in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}
             for model, ids in wanted.items()}
    return {key: names.get(model, {}) for key, model in models.items()}


# Who made a change when no user did: the labels acting_as() writes, in the reader's words.
ACTOR_LABELS = {"system": _l("系统"), "worker": _l("后台任务"), "cli": _l("命令行"), "seed": _l("数据导入")}


def actor_name(event) -> str:
    """The author of an audit row: the user, a named process, or 系统."""
    if event.actor is not None:
        return str(event.actor)
    return str(ACTOR_LABELS.get(event.actor_label or "system", event.actor_label))
