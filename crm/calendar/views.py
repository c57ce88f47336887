"""The follow-up calendar: a month or week of the user's open follow-ups (each one click from
the contact form), the page of the private .ics link, and the feed itself, which a phone or
Outlook fetches without a session: the secret in its URL is the authentication (403 otherwise).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from crm.extensions import db
from crm.i18n import gettext as _
from crm.interactions.views import LOGGERS
from crm.services import calendar
from crm.services.calendar import feed, grid
from crm.services.core.access import can_log_interaction
from crm.services.core.clock import local_today

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def _open_url(back: str):
    """Where a follow-up leads: the contact form for its enterprise (and project) for those who
    log contacts; the enterprise's page for leaders, who read only."""
    user = current_user._get_current_object()

    def url(interaction) -> str:
        if user.role not in LOGGERS:
            return url_for("enterprises.detail", enterprise_id=interaction.enterprise_id)
        project = interaction.project if interaction.project and can_log_interaction(user, interaction.project) else None
        return url_for("interactions.quick", enterprise_id=interaction.enterprise_id,
                       project_id=project.id if project else None, next=back)
    return url


@bp.route("/")
def index():
    today = local_today()
    shown = grid.period(request.args.get("view"), grid.parse_day(request.args.get("date"), today))
    user = current_user._get_current_object()
    items, counts = calendar.period_follow_ups(user, shown.first, shown.last, calendar.PER_DAY[shown.view])
    by_day: dict = {}
    for i in items:
        by_day.setdefault(i.next_follow_up, []).append(i)
    more = {day: total - len(by_day.get(day, [])) for day, total in counts.items()}
    overdue = calendar.overdue_before(user, min(shown.first, today)) if shown.first <= today else []

    def nav(view: str, day) -> str:
        return url_for("calendar.index", view=view, date=day.isoformat())
    return render_template("calendar/index.html", period=shown, by_day=by_day, overdue=overdue, today=today,
                           more=more, nav=nav,
                           open_url=_open_url(request.full_path.rstrip("?")))


@bp.route("/subscription", methods=["GET", "POST"])
def subscription():
    """The page of the user's .ics link: make it, or reset it (the old link stops at once)."""
    user = current_user._get_current_object()
    link = None
    if request.method == "POST":
        had_one = feed.feed_of(user) is not None
        token = feed.issue(user)
        db.session.commit()
        link = current_app.extensions["settings"].BASE_URL.rstrip("/") + url_for("calendar.feed_ics", token=token)
        flash(_("已重置订阅链接，旧链接已失效。") if had_one else _("已生成订阅链接。"), "success")
    return render_template("calendar/subscription.html", link=link, current=feed.feed_of(user))


@bp.route("/feed/<token>.ics")
def feed_ics(token: str):
    user = feed.user_for(token)
    if user is None:
        abort(403)
    with force_locale(user.locale or "zh"):
        body = feed.build(user, current_app.extensions["settings"].BASE_URL,
                          lambda i: url_for("enterprises.detail", enterprise_id=i.enterprise_id))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="follow-ups.ics"', "Cache-Control": "private, max-age=300"})
