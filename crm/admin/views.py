"""Admin home (links to every admin page) and user management."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy.orm import joinedload

from crm import versioning
from crm.admin.forms import UserForm
from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Department, User
from crm.services import versions
from crm.services.passwords import password_problem
from crm.web import ADMIN_LINKS, get_or_404, roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles_required("admin")
def index():
    from flask import current_app
    links = [(e, label) for e, label in ADMIN_LINKS if e in current_app.view_functions]
    return render_template("admin/index.html", links=links)


@bp.route("/users")
@roles_required("admin")
def users():
    rows = db.session.scalars(sa.select(User).options(joinedload(User.department))
                              .order_by(User.role, User.username)).all()
    return render_template("admin/users.html", users=rows)


def _department_choices():
    depts = db.session.scalars(sa.select(Department).order_by(Department.name)).all()
    return [(0, "—")] + [(d.id, d.label()) for d in depts]


def _refusal(form: UserForm, user: User) -> tuple[str, str] | None:
    """(field, message) when the form may not be saved onto this user, else None."""
    clash = db.session.scalar(sa.select(User).where(User.username == form.username.data, User.id != (user.id or 0)))
    if clash:
        return "username", _("用户名已被使用。")
    if form.role.data == "officer" and not form.department_id.data:
        return "department_id", _("部门联络员必须选择所属部门。")
    if user.id is None and not form.password.data:
        return "password", _("新建用户必须设置密码。")
    if form.password.data:
        problem = password_problem(form.password.data, username=form.username.data or "",
                                   names=tuple(n for n in (form.display_name.data, form.email.data) if n))
        if problem:
            return "password", problem
    return None


def _apply(form: UserForm, user: User) -> None:
    was_enabled = user.id is not None and user.is_enabled
    for name in ("username", "display_name", "title", "email", "phone", "role", "leader_rank"):
        setattr(user, name, getattr(form, name).data or None)
    user.is_enabled = bool(form.is_enabled.data)
    user.department_id = form.department_id.data or None
    if form.password.data:
        user.set_password(form.password.data)
    if form.password.data or (was_enabled and not user.is_enabled):
        user.end_sessions()  # a reset or a disabling signs the user out everywhere


def _edit(user: User, template_title: str):
    form = UserForm(obj=user)
    form.department_id.choices = _department_choices()
    if user.id is None and not form.is_submitted():
        form.is_enabled.data = True
    if form.validate_on_submit():
        refusal = _refusal(form, user)
        if refusal:
            form[refusal[0]].errors.append(refusal[1])
        elif _saved(form, user):
            flash(_("已保存用户 %(name)s。", name=user.display_name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, title=template_title), versioning.status(form)


def _saved(form: UserForm, user: User) -> bool:
    """Apply and commit the form, or put a stale save's conflict on it (nothing saved)."""
    try:
        versions.check(user if user.id else None, form.data)
        _apply(form, user)
        db.session.add(user)
        with versions.saved(user, form.data):
            db.session.flush()
    except versions.StaleEdit as stale:
        versioning.conflict(stale, form)
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
