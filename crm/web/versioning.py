"""Forms of versioned records (models.base.Versioned): the hidden version field, and the 409
answer to a stale save (services/versions.StaleEdit).

The 409 page is the same form, still holding what this person typed, with the version field
moved on to the record's current one (saving again then knowingly replaces the other person's
values) and, above it, the other person's changes field by field, named as the form names them.
"""
from __future__ import annotations

from wtforms import HiddenField

from crm.extensions import db
from crm.i18n import gettext as _
from crm.services.core import versions
from crm.services.core.audit import REDACTED


class VersionedForm:
    """Mixin for a FlaskForm editing a Versioned record; rendered by form.hidden_tag().  After a
    stale save, `conflict` holds what base.html shows above the form (_conflict.html)."""
    version = HiddenField()
    conflict = None


def status(form) -> int:
    """The HTTP status of a form page: 409 when its save was refused as stale."""
    return 409 if getattr(form, "conflict", None) else 200


def conflict(stale: versions.StaleEdit, form, labels: dict | None = None, describe=None) -> dict:
    """Put on `form.conflict` (and return) who changed what since the form's version.  `labels`
    names fields the form has no field for; `describe(rows)` may give (label, old, new) items per
    row (the project page's readable history), else the form's labels and choices name them."""
    db.session.rollback()  # nothing of this save is kept; the record is read again as it is now
    record = stale.record
    rows = versions.changes_since(record, stale.submitted)
    items = describe(rows) if describe else [[_item(form, labels or {}, k, v) for k, v in (r.changes or {}).items()]
                                             for r in rows]
    form.version.data = record.version
    form.conflict = {"changes": [{"event": row, "items": row_items} for row, row_items in zip(rows, items)]}
    return form.conflict


def _item(form, labels: dict, key: str, pair) -> tuple:
    field = form._fields.get(key) or form._fields.get(key.removesuffix("s") + "_ids")
    label = str(field.label.text) if field is not None else str(labels.get(key, key))
    old, new = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
    return label, _readable(field, old), _readable(field, new)


def _readable(field, value) -> str:
    """A value as the form shows it: a choice's name rather than its id."""
    if value is None or value == "":
        return "—"
    if value == REDACTED:
        return "******"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        return str(value.get("label") or value.get("id"))
    if isinstance(value, list):
        return "、".join(_readable(field, v) for v in value) or "—"
    for choice in getattr(field, "choices", None) or ():
        if str(choice[0]) == str(value):
            return str(choice[1])
    return str(value)
