"""Home page (工作台): what the signed-in user should do today; language switch; health."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import LANGUAGES
from crm.services.core import queries
from crm.services.core.clock import local_today

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    today = local_today()
    due = queries.due_follow_ups(current_user, today, limit=20)
    recent = queries.recent_interactions(current_user, limit=10)
    return render_template("main/index.html", due=due, recent=recent, today=today)


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    target = request.referrer or url_for("main.index")
    return redirect(target if target.startswith(request.host_url) else url_for("main.index"))


@bp.route("/healthz")
def health():
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")
