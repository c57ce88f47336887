"""An Excel import's preview (what confirming would create, change and refuse) and its
confirmation.  Staff and admins upload on the list pages (crm/web/imports.py); an import is seen
by whoever uploaded it and by admins (another user gets 404).  A large sheet is checked and
applied by a job: meanwhile its page shows a progress bar that polls ``status``."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models.imports import IMPORT_KIND, SheetImport
from crm.redis_conn import redis_or_none
from crm.services.core.errors import RuleError
from crm.services.sheets import imports
from crm.web import attach, get_or_404, roles_required

bp = Blueprint("imports", __name__, url_prefix="/imports")

SHOWN = 500  # updated rows listed on the page; the counts cover them all
# kind → (the list page, the record page's endpoint and id argument)
PAGES = {"projects": ("projects.index", "projects.detail", "project_id"),
         "enterprises": ("enterprises.index", "enterprises.detail", "enterprise_id")}


class ApplyForm(FlaskForm):
    """Only the CSRF token: the import to apply is in the address."""


def _done_message(record: SheetImport) -> str:
    if record.kind == "projects":
        return _("已导入：新建 %(n)s 个项目，更新 %(u)s 个，%(same)s 个没有变化。", n=record.created_count,
                 u=record.updated_count, same=record.unchanged_count)
    return _("已导入：新建 %(n)s 家企业，更新 %(u)s 家，%(same)s 家没有变化。", n=record.created_count,
             u=record.updated_count, same=record.unchanged_count)


@bp.route("/<int:import_id>")
@roles_required("admin", "staff")
def preview(import_id: int):
    record = get_or_404(SheetImport, import_id, visible=imports.may_see)
    return _render(record, ApplyForm())


@bp.route("/<int:import_id>/apply", methods=["POST"])
@roles_required("admin", "staff")
def apply(import_id: int):
    record = get_or_404(SheetImport, import_id, visible=imports.may_see)
    form = ApplyForm()
    if not form.validate_on_submit():
        return _render(record, form), 400
    if _rows(record) > current_app.extensions["settings"].IMPORT_JOB_ROWS:
        return _apply_by_job(record)
    try:
        result = imports.apply(current_user._get_current_object(), record)
    except RuleError as error:
        db.session.rollback()
        attach(None, error)
        return redirect(url_for("imports.preview", import_id=import_id))
    db.session.commit()
    if not result.errors:
        flash(_done_message(record), "success")
        return redirect(url_for(PAGES[record.kind][0]))
    flash(_("数据在预览之后有了变化，表中有几行现在不能导入：什么也没有写入。请看下面更新后的预览。"), "danger")
    return _render(record, form), 409


def _rows(record: SheetImport) -> int:
    return record.created_count + record.updated_count + record.unchanged_count + record.refused_count


def _apply_by_job(record: SheetImport):
    try:
        imports.request_apply(current_user._get_current_object(), record)
    except RuleError as error:
        db.session.rollback()
        attach(None, error)
    else:
        db.session.commit()
    return redirect(url_for("imports.preview", import_id=record.id))


@bp.route("/<int:import_id>/status")
@roles_required("admin", "staff")
def status(import_id: int):
    """The job's progress, polled by static/js/job_progress.js; once it is over, the page to
    reload (the preview, or the import done)."""
    record = get_or_404(SheetImport, import_id, visible=imports.may_see)
    redis = redis_or_none(current_app.extensions["settings"]) if record.status in imports.BUSY else None
    state = imports.job_state(record, redis)
    state["next_url"] = url_for("imports.preview", import_id=import_id) if state["status"] == "done" else None
    return jsonify(state)




def _render(record: SheetImport, form: ApplyForm):
    _list, detail, argument = PAGES[record.kind]
    return render_template(
        "imports/preview.html", record=record, form=form, kind_label=IMPORT_KIND[record.kind],
        updated=record.preview.get("updated", [])[:SHOWN], errors=record.preview.get("errors", []), shown=SHOWN,
        list_url=url_for(PAGES[record.kind][0]), record_url=lambda ident: url_for(detail, **{argument: ident}),
        job=imports.job_state(record) if record.status in (*imports.BUSY, "failed") else None,
        can_apply=record.status == "ready" and not record.refused_count
        and bool(record.created_count or record.updated_count))
