"""The routines blueprint: 每月调度 (dispatch_views), 问题台账 (problems_views) and 季度晾晒
(ranking_views) share this `bp` and save_form.  Views parse input, call
crm.services.routines.{dispatch,problems,ranking} and commit.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect

from crm.extensions import db
from crm.models import Department
from crm.services.core.errors import RuleError
from crm.services.core.versions import StaleEdit
from crm.services.routines import dispatch, problems
from crm.web import attach, versioning

bp = Blueprint("routines", __name__, url_prefix="/routines")
FILERS = ("admin", "staff", "officer")


def department_choices() -> list[tuple]:
    """(id, label) of every department, by name: the tables' filters and the problem form's choices."""
    return [(d.id, d.label()) for d in db.session.scalars(sa.select(Department).order_by(Department.name))]


def save_form(form, action, message: str, target: str):
    """Run a service call: on success commit, flash and return the redirect; on a refusal put
    the message on the form and return None, so the view shows the form again (nothing saved)."""
    try:
        action()
    except RuleError as error:  # a routine's refusal, or a refused evidence file
        db.session.rollback()
        attach(form, error)
        return None
    except StaleEdit as stale:  # the page answers 409 with form.conflict (crm/web/versioning.py)
        versioning.conflict(stale, form, labels={**dispatch.FIELD_LABELS, **problems.FIELD_LABELS})
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(target)


# The feature modules add their routes to `bp`; importing them here registers every page with the
# blueprint wherever it is imported from.
from crm.routines import dispatch_views, problems_views, ranking_views  # noqa: E402,F401
