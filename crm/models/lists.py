"""A user's own settings of the list pages: filter sets saved under a name, and the columns
chosen to be shown.  Both belong to one user and go with the account."""
from __future__ import annotations

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import utcnow
from crm.models.choices import Choices

# The list pages that keep these settings (the key is stored; the label names the list).
LIST_KEY = Choices({"enterprises": _l("目标企业"), "projects": _l("项目"), "problems": _l("问题台账")})
LIST_KEYS = LIST_KEY.codes


class SavedFilter(db.Model):
    """A filter set of one list, saved by its user under a name: the list's query string, kept
    to the list's own filter and sort arguments (services/lists/saved.py)."""
    __tablename__ = "saved_filters"
    __audited__ = True
    __table_args__ = (
        db.UniqueConstraint("user_id", "list_key", "name"),
        LIST_KEY.check("list_key"),
    )
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    list_key = db.Column(db.String(20), nullable=False)
    name = db.Column(db.String(40), nullable=False)
    query_string = db.Column(db.String(1000), nullable=False)  # not "query": Model.query is taken
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class ListColumns(db.Model):
    """The optional columns a user shows on one list (the name column is always shown); no row:
    the list's default columns."""
    __tablename__ = "list_columns"
    __audited__ = True
    __table_args__ = (
        db.UniqueConstraint("user_id", "list_key"),
        LIST_KEY.check("list_key"),
    )
    id = db.Column(db.Integer, primary_key=True)  # the audit trail names rows by id
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    list_key = db.Column(db.String(20), nullable=False)
    shown = db.Column(db.JSON, nullable=False, default=list)
