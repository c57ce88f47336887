"""Login, logout and the user's own password change; the rules live in services/accounts/auth.py.

The login id Flask-Login keeps in the session and in the remember cookie is
"<user id>:<session generation>" (User.get_id).  load_user() accepts it only while the user is
enabled and the generation is current, so bumping the generation (logout, a password change,
an administrator's reset or disabling) ends every copy of the session and remember cookie.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from crm.auth.forms import LoginForm, PasswordChangeForm
from crm.extensions import db, login_manager
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import User
from crm.services.accounts import auth
from crm.services.core.clock import utcnow
from crm.web import attach, local_target

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager.login_view = "auth.login"
login_manager.login_message = _l("请先登录。")
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(login_id: str):
    user_id, _sep, generation = login_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None  # includes ids issued before generations existed: they sign in again
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_enabled or user.session_generation != int(generation):
        return None
    return user


def _fresh_session() -> None:
    """Empty the session (no fixation, no leftovers), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        settings = current_app.extensions["settings"]
        try:
            user = auth.authenticate(
                form.username.data, form.password.data, now=utcnow(),
                max_failures=settings.LOGIN_MAX_FAILURES, window_minutes=settings.LOGIN_WINDOW_MINUTES,
                ip_max_failures=settings.LOGIN_IP_MAX_FAILURES, remote_addr=request.remote_addr)
        except auth.LoginRefused as refused:
            attach(form, refused)
            return render_template("auth/login.html", form=form), 200
        _fresh_session()
        login_user(user, remember=form.remember.data)
        return redirect(local_target(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # A new generation: a copy of this session or of its remember cookie dies with it.
    current_user.end_sessions()
    db.session.commit()
    _fresh_session()
    logout_user()  # after the clear: it leaves in the session the order to delete the remember cookie
    flash(_("已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            auth.change_own_password(user, form.current_password.data, form.new_password.data)
        except auth.PasswordRefused as refused:  # raised before anything changed
            attach(form, refused)
            return render_template("auth/password.html", form=form)
        db.session.commit()
        # Every other session has ended; this browser signs in again under the new generation
        # (and gets a new remember cookie if it had one).
        remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
        login_user(user, remember=remembered)
        flash(_("密码已修改，其他设备上的登录均已结束。"), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
