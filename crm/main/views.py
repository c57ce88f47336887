"""Home page (工作台): each role's workbench (crm/services/workbench); language switch; health."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import LANGUAGES
from crm.services import workbench
from crm.services.core import health as health_checks
from crm.services.core.clock import local_today
from crm.services.interactions import RESCHEDULE_SHORTCUTS
from crm.web import app_settings

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    today = local_today()
    page = render_template("main/index.html", sections=workbench.sections_for(current_user, today), today=today,
                           shortcuts=RESCHEDULE_SHORTCUTS)
    # Keeps the stored counts when this request had to count them (the administrator's late
    # items); after rendering, so the rows the page shows are not expired and read again.
    db.session.commit()
    return page


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    target = request.referrer or url_for("main.index")
    return redirect(target if target.startswith(request.host_url) else url_for("main.index"))


@bp.route("/healthz")
def health():
    """Each part with ok/detail; 200 when all are ok, else 503 (for monitors and load balancers)."""
    parts = health_checks.check(app_settings())
    ok = all(part["ok"] for part in parts.values())
    return jsonify(status="ok" if ok else "down", parts=parts), 200 if ok else 503
