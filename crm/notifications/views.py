"""提醒与通知: each user sees only their own notifications; the bell shows the unread count."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Notification
from crm.services.core.paging import paginate
from crm.services.messaging import bell, notify
from crm.web import app_settings, get_or_404

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _own(user, note: Notification) -> bool:
    return note.user_id == user.id


def _local_path(url: str | None) -> str | None:
    """Only same-site paths: a stored link never sends the user elsewhere."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


# The bell's badge reads "99+" from the cap on: the count stops there (notify.unread_count).
bp.add_app_template_global(notify.BELL_CAP, "BELL_CAP")


@bp.app_template_global()
def unread_notifications() -> int:
    """The bell's number, up to notify.BELL_CAP: kept in Redis until the user's notifications change
    (services/messaging/bell), else one COUNT on the (user_id, read_at, id) index (the top bar
    shows the bell twice, for phones and for wider screens, from one count)."""
    if "_crm_unread" not in g:
        user_id = current_user.id if current_user.is_authenticated else None
        g._crm_unread = 0 if user_id is None else bell.unread(
            bell.redis_or_none(), user_id, lambda: notify.unread_count(user_id, cap=notify.BELL_CAP),
            bell.cache_seconds())
    return g._crm_unread


@bp.route("/")
def index():
    unread_only = request.args.get("unread") == "1"
    page = paginate(notify.inbox_select(current_user.id, unread_only), request.args.get("page"), app_settings().PAGE_SIZE,
                    lambda n: url_for("notifications.index", page=n, unread="1" if unread_only else None))
    return render_template("notifications/index.html", page=page, unread_only=unread_only,
                           local_path=_local_path)


@bp.route("/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int):
    """Mark one read; with go=1, continue to what it is about."""
    note = get_or_404(Notification, notification_id, visible=_own)
    notify.mark_read(current_user.id, note.id)
    db.session.commit()
    target = _local_path(note.url) if request.form.get("go") else None
    return redirect(target or url_for("notifications.index", unread=request.form.get("unread") or None))


@bp.route("/read-all", methods=["POST"])
def mark_all_read():
    count = notify.mark_read(current_user.id)
    db.session.commit()
    flash(_("已将 %(n)s 条提醒标为已读。", n=count), "success")
    return redirect(url_for("notifications.index"))
