"""Admin home (links to every admin page) and user management."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload

from crm.admin.forms import UserForm
from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Department, User
from crm.services.accounts import users as users_svc
from crm.services.core import listing, paging, versions
from crm.services.lists import sorts
from crm.web import ADMIN_LINKS, attach, get_or_404, lists, roles_required, versioning

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html", links=ADMIN_LINKS)


@bp.route("/users")
@roles_required("admin")
def users():
    """Every account, a page at a time: by role then user name, or by the column clicked."""
    sort = listing.parse_sort(request.args.get("sort"), sorts.USERS)
    kept = {"sort": sort.arg} if sort.key else {}
    page = lists.sorted_page(
        sa.select(User.id).order_by(User.role, User.username), sort, sorts.USERS, User.id,
        page_of=lambda query: paging.paginate_ids(
            query, User, request.args.get("page"), current_app.extensions["settings"].PAGE_SIZE,
            lambda n: url_for("admin.users", page=n, **kept), options=(joinedload(User.department),)))
    return render_template("admin/users.html", page=page, sort=sort, sort_url=lists.sort_url("admin.users", {}))


def _department_choices():
    depts = db.session.scalars(sa.select(Department).order_by(Department.name)).all()
    return [(0, "—")] + [(d.id, d.label()) for d in depts]


def _values(form: UserForm) -> dict:
    """The form as account values: empty inputs are NULL."""
    values = {name: form[name].data or None for name in users_svc.FIELDS if name != "is_enabled"}
    values["is_enabled"] = bool(form.is_enabled.data)
    return values


def _edit(user: User, template_title: str):
    form = UserForm(obj=user)
    form.department_id.choices = _department_choices()
    if user.id is None and not form.is_submitted():
        form.is_enabled.data = True
    if form.validate_on_submit():
        if _saved(form, user):
            flash(_("已保存用户 %(name)s。", name=user.display_name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, title=template_title), versioning.status(form)


def _saved(form: UserForm, user: User) -> bool:
    """Apply and commit the form, or put a stale save's conflict on it (nothing saved)."""
    try:
        versions.check(user if user.id else None, form.data)
        with versions.saved(user, form.data):
            users_svc.save(user, _values(form), password=form.password.data)
    except versions.StaleEdit as stale:
        versioning.conflict(stale, form)
        return False
    except users_svc.AccountError as error:
        attach(form, error)
        return False
    db.session.commit()
    return True


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_create():
    return _edit(User(), _("新建用户"))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int):
    return _edit(get_or_404(User, user_id), _("编辑用户"))
