"""疑似重复企业: admins and staff see the groups of likely duplicates; an administrator merges two
records field by field and can undo a merge from its record, which everyone who reads enterprises
may open (the firm's timeline links to it).  The rules are in
services/duplicates; these views parse the form, commit, and say what happened.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Enterprise
from crm.services.core.ids import parse_id
from crm.services.duplicates import compare, finder, merge, undo
from crm.services.timeline.audited import describe_enterprise
from crm.web import roles_required

bp = Blueprint("duplicates", __name__, url_prefix="/enterprises/duplicates")

VIEWERS = ("admin", "staff")


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    page = finder.group_page(request.args.get("after", "")[:200], current_app.extensions["settings"].PAGE_SIZE)
    return render_template("duplicates/index.html", page=page, can_merge=current_user.role == "admin")


def _pair_or_back():
    """The two firms of ?a=&b=, or a redirect to the list saying why not."""
    try:
        return merge.load_pair(parse_id(request.values.get("a")), parse_id(request.values.get("b")))
    except merge.MergeRefused as refused:
        flash(refused.message, "danger")
        return redirect(url_for("duplicates.index"))


def _form_page(pair, status: int = 200):
    a, b = pair
    return render_template(
        "duplicates/merge.html", a=a, b=b, fields=compare.field_rows(a, b), counts=compare.row_counts([a.id, b.id]),
        kinds=compare.KIND_LABELS, reasons=[finder.REASONS[r] for r in finder.reasons_between(a, b)],
        survivor=parse_id(request.form.get("survivor")) or a.id, chosen=request.form), status


@bp.route("/merge", methods=["GET", "POST"])
@roles_required("admin")
def merge_form():
    pair = _pair_or_back()
    if not isinstance(pair, tuple):
        return pair
    if request.method == "GET":
        return _form_page(pair)
    if not request.form.get("confirm"):
        flash(_("请勾选确认后再合并。"), "danger")
        return _form_page(pair, 400)
    try:
        event = _merge(*pair)
    except merge.MergeRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return _form_page(pair, 400)
    db.session.commit()
    flash(_("已合并。如有误，可在本记录上撤销合并。"), "success")
    return redirect(url_for("duplicates.record", merge_id=event.id))


def _merge(a: Enterprise, b: Enterprise):
    """The form's choices as the service takes them: each differing field's radio names the firm
    whose value is kept."""
    survivor_id = parse_id(request.form.get("survivor"))
    if survivor_id not in (a.id, b.id):
        raise merge.MergeRefused(_("请选择要保留的企业。"))
    loser_id = b.id if survivor_id == a.id else a.id
    keep = {}
    for field in merge.differing_fields(a, b):
        kept = parse_id(request.form.get(f"keep_{field}"))
        keep[field] = "survivor" if kept in (None, survivor_id) else "loser" if kept == loser_id else "?"
    versions = {firm.id: parse_id(request.form.get(f"version_{firm.id}")) for firm in (a, b)}
    return merge.merge(current_user._get_current_object(), survivor_id, loser_id, keep, versions)


@bp.route("/merges/<int:merge_id>")
def record(merge_id: int):
    event = undo.merge_event(merge_id) or abort(404)
    details = event.changes["merge"]
    return render_template(
        "duplicates/record.html", event=event, loser=details["loser"], survivor=db.session.get(Enterprise, event.object_id),
        moved=compare.moved_counts(details), kinds=compare.KIND_LABELS, undone=undo.is_undone(event),
        fields=describe_enterprise([event])[0]["items"])


@bp.route("/merges/<int:merge_id>/undo", methods=["POST"])
@roles_required("admin")
def undo_merge(merge_id: int):
    try:
        restored = undo.undo(current_user._get_current_object(), merge_id)
    except merge.MergeRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return redirect(url_for("duplicates.record", merge_id=merge_id) if undo.merge_event(merge_id)
                        else url_for("duplicates.index"))
    db.session.commit()
    flash(_("已撤销合并，企业“%(name)s”已恢复。", name=restored.name), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=restored.id))
