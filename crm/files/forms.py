"""The upload form every page with a 佐证材料 section shares, and the one way a view reads files.

Browsers send an empty part for a file input left empty: `uploads_of` drops those, so "no file"
is an empty list, whatever the browser.
"""
from __future__ import annotations

from flask import current_app, request
from flask_wtf import FlaskForm
from wtforms import FileField, MultipleFileField, StringField
from wtforms.validators import Length

from crm.i18n import lazy_gettext as _l
from crm.models.files import PICTURE_SLOTS
from crm.services.brochures import pictures
from crm.services.files import evidence
from crm.services.files.evidence import CAPTION_MAX, Upload
from crm.services.files.store import MB
from crm.web.fields import SelectField

FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.heic,.heif,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt"


def file_field(label=None):
    return MultipleFileField(label or _l("佐证材料"), render_kw={"accept": FILE_ACCEPT},
                             description=_l("PDF、图片（JPEG、PNG、HEIC）、Office 文档或纯文本，可多选。"))


def caption_field():
    return StringField(_l("文件说明"), validators=[Length(max=CAPTION_MAX)], render_kw={"autocomplete": "off"},
                       description=_l("如：投资协议扫描件、2026年5月现场照片。"))


class UploadForm(FlaskForm):
    files = file_field()
    caption = caption_field()


def accepts_uploads(view):
    """Mark a view that takes files: its requests may be UPLOAD_MAX_MB (the app's default limit suits
    forms and Excel sheets).  Put it under the route decorators, above nothing that rewraps."""
    view.accepts_uploads = True
    return view


def raise_upload_limit(endpoint, values) -> None:
    """Runs before every before_request hook (CSRF reads the body there), so the limit is in place
    before the first byte of the form is parsed."""
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "accepts_uploads", False):
        request.max_content_length = current_app.extensions["settings"].UPLOAD_MAX_MB * MB


def uploads_of(form, field: str = "files", caption: str = "caption") -> list[Upload]:
    text = (form[caption].data or "") if caption in form else ""
    return [Upload(part.read(), part.filename, text) for part in (form[field].data or [])
            if getattr(part, "filename", None)]


def section_files(kind: str, owner_id: int, visible: bool):
    """The files a 佐证材料 card lists, or None when the reader may not see them (no card)."""
    return evidence.for_owners(kind, [owner_id])[owner_id] if visible else None


class PictureForm(FlaskForm):
    """A brochure picture: where it goes (the cover or one of four) and its caption in three languages."""
    position = SelectField(_l("位置"), coerce=int, choices=[])
    file = FileField(_l("图片"), render_kw={"accept": ".jpg,.jpeg,.png,.heic,.heif"},
                     description=_l("JPEG、PNG 或 HEIC；放入已有图片的位置会替换原图。"))
    caption = StringField(_l("说明（中文）"), validators=[Length(max=CAPTION_MAX)])
    caption_en = StringField(_l("说明（英文）"), validators=[Length(max=CAPTION_MAX)])
    caption_ru = StringField(_l("说明（俄文）"), validators=[Length(max=CAPTION_MAX)])

    def upload(self) -> Upload | None:
        part = self.file.data
        return Upload(part.read(), part.filename) if getattr(part, "filename", None) else None


def picture_form(**kw) -> PictureForm:
    form = PictureForm(**kw)
    form.position.choices = [(n, pictures.position_label(n)) for n in range(PICTURE_SLOTS)]
    return form
