"""A user's own settings of the list pages: save the current filters under a name, delete a
saved set, choose the columns shown.  Everyone signed in keeps their own; each form posts
back to the list it came from."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models.lists import LIST_KEYS
from crm.services.lists import columns, saved

bp = Blueprint("lists", __name__, url_prefix="/lists")


def _list_key(list_key: str, known) -> str:
    if list_key not in known:
        abort(404)
    return list_key


def _back(list_key: str, query: str = ""):
    """To the list, with a query string kept to the list's own arguments (never another address)."""
    cleaned = saved.clean_query(list_key, query)
    return redirect(url_for(saved.ENDPOINTS[list_key]) + ("?" + cleaned if cleaned else ""))


@bp.route("/<list_key>/filters", methods=["POST"])
def save_filter(list_key: str):
    list_key = _list_key(list_key, LIST_KEYS)
    query = request.form.get("query", "")
    try:
        kept = saved.save(current_user._get_current_object(), list_key, request.form.get("name", ""), query)
    except saved.SavedFilterError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return _back(list_key, query)
    db.session.commit()
    flash(_("已保存筛选条件“%(name)s”。", name=kept.name), "success")
    return _back(list_key, kept.query_string)


@bp.route("/filters/<int:filter_id>/delete", methods=["POST"])
def delete_filter(filter_id: int):
    kept = saved.own_filter(current_user._get_current_object(), filter_id)
    if kept is None:
        abort(404)
    list_key, name = kept.list_key, kept.name
    saved.delete(kept)
    db.session.commit()
    flash(_("已删除筛选条件“%(name)s”。", name=name), "info")
    return _back(list_key, request.form.get("query", ""))


@bp.route("/<list_key>/columns", methods=["POST"])
def choose_columns(list_key: str):
    list_key = _list_key(list_key, columns.OPTIONAL)
    columns.choose(current_user._get_current_object(), list_key, request.form.getlist("columns"))
    db.session.commit()
    flash(_("已保存显示的列。"), "success")
    return _back(list_key, request.form.get("query", ""))
