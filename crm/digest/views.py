"""The weekly digest preview: this week's digest as a chosen recipient would receive it, its HTML
part framed by the page and its chart.  The digest itself lives in services/liaison/digest.py and
its email templates beside the preview's, under templates/digest/.
"""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from crm.models import User
from crm.models.digest import DELIVERY_STATUS
from crm.services.core.clock import utcnow
from crm.services.liaison import digest
from crm.web import get_or_404, roles_required

bp = Blueprint("digest", __name__, url_prefix="/admin")


def _recipient(user_id) -> User:
    return get_or_404(User, user_id, visible=lambda viewer, u: u.role in digest.RECIPIENT_ROLES)


@bp.route("/digest/preview")
@roles_required("admin")
def preview():
    users = digest.recipients()
    chosen = _recipient(request.args["user_id"]) if request.args.get("user_id") else None
    message = digest.render(chosen, utcnow()) if chosen is not None else None
    return render_template("digest/preview.html", users=users, chosen=chosen, message=message,
                           text=message.get_body(("plain",)).get_content() if message else None,
                           status=digest.week_status(utcnow()), DELIVERY_STATUS=DELIVERY_STATUS)


@bp.route("/digest/preview/<int:user_id>/email.html")
@roles_required("admin")
def preview_html(user_id: int):
    user = _recipient(user_id)
    data = digest.build_digest(user, utcnow())
    html = render_template("digest/email.html", **digest.template_context(
        data, url_for("digest.chart", user_id=user.id)))
    # The preview is framed by our own page only; no scripts are ever needed in it.
    return Response(html, headers={"Content-Security-Policy": "default-src 'none'; img-src 'self'; "
                                   "style-src 'unsafe-inline'; frame-ancestors 'self'"})


@bp.route("/digest/preview/<int:user_id>/chart.png")
@roles_required("admin")
def chart(user_id: int):
    user = _recipient(user_id)
    return Response(digest.chart_png(digest.build_digest(user, utcnow())), mimetype="image/png")
