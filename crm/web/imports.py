"""The Excel import pages share one form and one of two flows.  The enterprise and project
lists (preview_import_page): upload, check the sheet without writing anything
(services/sheets/imports.check), and show its preview (crm/imports/views.py), where the user
confirms.  The chains sheet (import_page): upload, run the service's import, commit when every
row passed or roll back and list the problems.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.services.sheets import imports, reader
from crm.web import attach


class ImportForm(FlaskForm):
    file = FileField(_l("Excel 文件（.xlsx）"), validators=[
        FileRequired(_l("请选择要导入的 Excel 文件。")),
        FileAllowed(["xlsx"], _l("只能导入 .xlsx 文件（.xls 请先在 Excel 中另存为 .xlsx）。"))])


def import_page(run, *, done_url: str, done_message, max_rows: int, **context):
    """The view: run(stream) returns a reader.Result (its rows flushed) or raises SheetError.
    `context` goes to _import.html (title, back_url, back_label, template_url, rules, link_url)."""
    form, result = ImportForm(), None
    if form.validate_on_submit():
        try:
            result = run(form.file.data.stream)
        except reader.SheetError as error:
            attach(form, error, field="file")
        if result is not None and not result.errors:
            db.session.commit()
            flash(done_message(len(result.created)), "success")
            return redirect(done_url)
        db.session.rollback()
    return render_template("_import.html", form=form, result=result, max_rows=max_rows,
                           header_rows=reader.HEADER_SEARCH_ROWS, **context)


def preview_import_page(kind: str, *, max_rows: int, **context):
    """The view: a readable sheet becomes a previewed import (then the browser goes to its
    preview); an unreadable one is refused under the file field.  `context` goes to
    _import.html (title, back_url, back_label, template_url, rules)."""
    form = ImportForm()
    if form.validate_on_submit():
        upload, actor = form.file.data, current_user._get_current_object()
        content = upload.stream.read()
        # a large sheet is checked by a job: its preview page shows the progress meanwhile
        check = imports.request_check if imports.is_large(content) else imports.check
        try:
            record = check(actor, kind, upload.filename, content)
        except reader.SheetError as error:
            db.session.rollback()
            attach(form, error, field="file")
        else:
            db.session.commit()
            return redirect(url_for("imports.preview", import_id=record.id))
    return render_template("_import.html", form=form, max_rows=max_rows, header_rows=reader.HEADER_SEARCH_ROWS,
                           previewed=True, **context)
