"""Evidence files: upload to a project or an enterprise, download (only through the record's access
rule), remove, and the administrator's stage-evidence rule.  Rules live in services/files."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from crm.extensions import db
from crm.files.forms import UploadForm, accepts_uploads, picture_form, raise_upload_limit, uploads_of
from crm.files.rule_forms import StageRulesForm
from crm.i18n import gettext as _
from crm.models import Enterprise, EvidenceFile, Project
from crm.services.brochures import pictures
from crm.services.core import access
from crm.services.files import evidence, rules, store
from crm.services.files.store import FileRefused
from crm.web import attach, flash_errors, get_or_404, roles_required

bp = Blueprint("files", __name__, url_prefix="/files")
bp.app_url_value_preprocessor(raise_upload_limit)

EDITOR_ROLES = ("admin", "staff", "officer")


@bp.route("/<int:file_id>")
def download(file_id: int):
    return _send(get_or_404(EvidenceFile, file_id, visible=evidence.can_see), thumb=False)


@bp.route("/<int:file_id>/thumb")
def thumbnail(file_id: int):
    row = get_or_404(EvidenceFile, file_id, visible=lambda user, f: evidence.can_see(user, f) and f.has_thumbnail)
    return _send(row, thumb=True)


def _send(row: EvidenceFile, *, thumb: bool):
    settings = current_app.extensions["settings"]
    path = store.path_of(settings, row.sha256, thumb=thumb)
    if not path.is_file():  # the row outlived its bytes (a restore without the files)
        current_app.logger.error("evidence file %s missing on disk", row.id)
        return render_template("errors.html", code=404, title=_("未找到"),
                               description=_("文件已不在存储中，请联系管理员从备份恢复。")), 404
    mime = "image/jpeg" if thumb else row.mime
    if mime == store.TEXT:
        mime += "; charset=utf-8"
    # Images open in the browser; everything else downloads, so no document runs in our origin.
    resp = send_file(path, mimetype=mime, as_attachment=not (thumb or row.is_image),
                     download_name=row.display_name if not thumb else "thumb.jpg", max_age=0, etag=row.sha256)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    return resp


@bp.route("/project/<int:project_id>", methods=["POST"])
@roles_required(*EDITOR_ROLES)
@accepts_uploads
def upload_project(project_id: int):
    project = get_or_404(Project, project_id, visible=access.can_edit_project)
    return _upload(dict(kind="project", project_id=project.id), url_for("projects.detail", project_id=project.id))


@bp.route("/enterprise/<int:enterprise_id>", methods=["POST"])
@roles_required("admin", "staff")
@accepts_uploads
def upload_enterprise(enterprise_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id)
    return _upload(dict(kind="enterprise", owner_id=enterprise.id),
                   url_for("enterprises.detail", enterprise_id=enterprise.id))


def _upload(owner: dict, back: str):
    form = UploadForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back + "#files")
    try:
        rows = evidence.attach(current_user, current_app.extensions["settings"], uploads_of(form), **owner)
    except FileRefused as error:
        db.session.rollback()
        attach(None, error)
    else:
        db.session.commit()
        flash(_("已上传 %(n)s 个文件。", n=len(rows)), "success")
    return redirect(back + "#files")


@bp.route("/project/<int:project_id>/picture", methods=["POST"])
@roles_required(*EDITOR_ROLES)
@accepts_uploads
def upload_picture(project_id: int):
    """A brochure picture (the cover or one of four), replacing the one at its place."""
    project = get_or_404(Project, project_id, visible=access.can_edit_project)
    form = picture_form()
    back = url_for("projects.detail", project_id=project.id) + "#pictures"
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back)
    try:
        pictures.set_picture(current_user, current_app.extensions["settings"], project, form.upload(),
                             form.position.data, {"zh": form.caption.data, "en": form.caption_en.data,
                                                  "ru": form.caption_ru.data})
    except FileRefused as error:
        db.session.rollback()
        attach(None, error)
    else:
        db.session.commit()
        flash(_("已保存项目册图片：%(place)s。", place=pictures.position_label(form.position.data)), "success")
    return redirect(back)


@bp.route("/<int:file_id>/remove", methods=["POST"])
@roles_required(*EDITOR_ROLES)
def remove(file_id: int):
    row = get_or_404(EvidenceFile, file_id, visible=evidence.can_change)
    evidence.remove(current_user, row)
    db.session.commit()
    flash(_("已移除文件“%(name)s”。", name=row.display_name), "success")
    back = (url_for("projects.detail", project_id=row.project_id) if row.project_id is not None
            else url_for("enterprises.detail", enterprise_id=row.enterprise_id))
    return redirect(back + ("#pictures" if row.kind == "picture" else "#files"))


@bp.route("/stage-rules", methods=["GET", "POST"])
@roles_required("admin")
def stage_rules():
    current = rules.current()
    form = StageRulesForm.for_rules(current)
    if form.validate_on_submit():
        try:
            rules.save(form.answers())
        except FileRefused as error:
            attach(form, error)
        else:
            db.session.commit()
            flash(_("佐证材料规则已保存。"), "success")
            return redirect(url_for("files.stage_rules"))
    return render_template("files/stage_rules.html", form=form, rules=current)
