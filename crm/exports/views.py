"""A large Excel export's progress page, its status (JSON, polled by static/js/job_progress.js)
and its download.  Only the requester and administrators see them (another user gets 404); a
file past its day (SHEET_EXPORT_KEEP_HOURS) answers with a page that says so."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, send_file, url_for
from sqlalchemy.orm import joinedload

from crm.models import SheetExport
from crm.models.imports import IMPORT_KIND
from crm.redis_conn import redis_or_none
from crm.services.core.clock import local_today
from crm.services.sheets import exports
from crm.web import XLSX, get_or_404
from crm.web.exports import file_name

bp = Blueprint("exports", __name__, url_prefix="/exports")
LIST_PAGES = {"projects": "projects.index", "enterprises": "enterprises.index"}


def _settings():
    return current_app.extensions["settings"]


def _load(export_id: int) -> SheetExport:
    return get_or_404(SheetExport, export_id, visible=exports.may_see,
                      options=(joinedload(SheetExport.requested_by),))


def _state(export: SheetExport) -> dict:
    """The export's status; Redis is asked only while the job may still be running."""
    state = exports.state(export, redis_or_none(_settings()) if export.status in exports.ACTIVE else None)
    state["download_url"] = (url_for("exports.download", export_id=export.id)
                             if exports.file_path(export, _settings()) is not None else None)
    return state


def _page(export: SheetExport, status: int = 200):
    state = _state(export)
    return render_template("exports/show.html", export=export, state=state, kind_label=IMPORT_KIND[export.kind],
                           expired=exports.expired(export), list_url=url_for(LIST_PAGES[export.kind]),
                           download_url=url_for("exports.download", export_id=export.id)), status


@bp.route("/<int:export_id>")
def show(export_id: int):
    return _page(_load(export_id))


@bp.route("/<int:export_id>/status")
def status(export_id: int):
    return jsonify(_state(_load(export_id)))


@bp.route("/<int:export_id>/download")
def download(export_id: int):
    export = _load(export_id)
    path = exports.file_path(export, _settings())
    if path is None:  # not ready, failed or expired: the page says which, in words
        return _page(export, 410 if exports.expired(export) else 409)
    return send_file(path, mimetype=XLSX, as_attachment=True, max_age=0,
                     download_name=file_name(export.kind, local_today(export.finished_at)))
