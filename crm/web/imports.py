"""The Excel import pages (enterprises, projects) share one form and one flow: upload, check the
sheet without writing anything (services/sheets/imports.check), and show its preview
(crm/imports/views.py), where the user confirms.
"""
from __future__ import annotations

from flask import redirect, render_template, url_for
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


def import_page(kind: str, *, max_rows: int, **context):
    """The view: a readable sheet becomes a previewed import (then the browser goes to its
    preview); an unreadable one is refused under the file field.  `context` goes to
    _import.html (title, back_url, back_label, template_url, rules)."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            record = imports.check(current_user._get_current_object(), kind, upload.filename, upload.stream.read())
        except reader.SheetError as error:
            db.session.rollback()
            attach(form, error, field="file")
        else:
            db.session.commit()
            return redirect(url_for("imports.preview", import_id=record.id))
    return render_template("_import.html", form=form, max_rows=max_rows, header_rows=reader.HEADER_SEARCH_ROWS,
                           **context)
