"""Login and logout views; the rules live in services/accounts/auth.py."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from crm.auth.forms import LoginForm
from crm.extensions import db, login_manager
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import User
from crm.services.accounts import auth
from crm.services.core.clock import utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager.login_view = "auth.login"
login_manager.login_message = _l("请先登录。")
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


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
                remote_addr=request.remote_addr)
        except auth.LoginRefused:
            flash(_("用户名或密码错误，或账户因多次失败已被暂时锁定（%(m)s 分钟内最多 %(n)s 次）。",
                    m=settings.LOGIN_WINDOW_MINUTES, n=settings.LOGIN_MAX_FAILURES), "danger")
            return render_template("auth/login.html", form=form), 200
        lang = session.get("lang")
        session.clear()  # a fresh session on login: no fixation
        if lang:
            session["lang"] = lang
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("已退出登录。"), "info")
    return redirect(url_for("auth.login"))
