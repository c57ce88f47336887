"""Brochure pictures: a project's cover and up to four pictures, captioned in zh/en/ru.

They are evidence-file rows of kind "picture" (the same safe store: sniffed, re-encoded, EXIF
stripped, served through the project's access rule) with a position: 0 the cover, 1–4 the pictures
laid out beside the text.  A new picture at a taken position replaces the old one (removed, kept
until the next backup like any removed file).  For print each picture is cut to its frame and
scaled to about 200 dpi at its printed size (brochures/images.py), so a 500-project catalog stays a
reasonable size whatever the camera gave.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import EvidenceFile, Project, User
from crm.models.files import PICTURE_SLOTS
from crm.services.brochures.images import pixels, print_image
from crm.services.brochures.project import frame
from crm.services.brochures.sheet import SheetPicture
from crm.services.files import evidence, store
from crm.services.files.store import FileRefused

CAPTION_LANGS = ("zh", "en", "ru")


def position_label(position: int) -> str:
    return _("封面") if position == 0 else _("图片 %(n)s", n=position)


def set_picture(actor: User, settings, project: Project, upload: evidence.Upload | None, position: int,
                captions: Mapping[str, str | None]) -> EvidenceFile:
    """Put an image at `position` (replacing what was there); FileRefused when it is not an image."""
    if position not in range(PICTURE_SLOTS):
        raise FileRefused(_("请选择封面或图片 1–4。"), field="position", code="position")
    if upload is None:
        raise FileRefused(_("请选择要上传的图片。"), field="files", code="none")
    clean = {lang: " ".join((captions.get(lang) or "").split()) or None for lang in CAPTION_LANGS}
    if any(text and len(text) > evidence.CAPTION_MAX for text in clean.values()):
        raise FileRefused(_("说明不能超过 %(n)s 个字。", n=evidence.CAPTION_MAX), code="caption")
    (prepared, _caption), = evidence.prepare_all([upload], settings)
    if not prepared.mime.startswith("image/"):
        raise FileRefused(_("项目册图片须是 JPEG、PNG 或 HEIC 图片。"), field="files", code="type")
    for old in current(project.id).get(position, ()):
        evidence.remove(actor, old)
    row, = evidence.save(actor, settings, [(prepared, clean["zh"])], kind="picture", project_id=project.id)
    row.position, row.caption_en, row.caption_ru = position, clean["en"], clean["ru"]
    db.session.flush()
    make_print_copy(settings, row.sha256, position)  # the upload pays the scaling, not every catalog build
    return row


def make_print_copy(settings, sha256: str, position: int) -> None:
    width, height = frame(position)
    print_image(str(store.path_of(settings, sha256)), pixels(width), pixels(height))


def current(project_id: int) -> dict[int, list[EvidenceFile]]:
    """position → the project's pictures there (normally one)."""
    found: dict[int, list[EvidenceFile]] = {}
    for row in for_projects([project_id])[project_id]:
        found.setdefault(row.position, []).append(row)
    return found


def for_projects(project_ids: Iterable[int], *, covers_only: bool = False) -> dict[int, list[EvidenceFile]]:
    """project id → its pictures in position order, for any number of projects in one query."""
    ids = sorted(set(project_ids))
    found: dict[int, list[EvidenceFile]] = {i: [] for i in ids}
    if not ids:
        return found
    query = (sa.select(EvidenceFile).where(EvidenceFile.kind == "picture", EvidenceFile.project_id.in_(ids),
                                           EvidenceFile.removed_at.is_(None))
             .order_by(EvidenceFile.project_id, EvidenceFile.position, EvidenceFile.id))
    if covers_only:
        query = query.where(EvidenceFile.position == 0)
    for row in db.session.scalars(query):
        found[row.project_id].append(row)
    return found


def sheet_pictures(settings, rows: Iterable[EvidenceFile]) -> list[SheetPicture]:
    """What the renderer is given: the stored file's path and the captions, never the row."""
    return [SheetPicture(path=str(store.path_of(settings, row.sha256)), position=row.position,
                         caption={"zh": row.caption, "en": row.caption_en, "ru": row.caption_ru})
            for row in rows if row.position is not None]
