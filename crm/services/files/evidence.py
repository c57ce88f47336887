"""Files attached to records: accept a batch, list them by owner, remove one, and who may see them.

A batch is all or nothing: every file is checked (store.prepare) before any is written or any
row added, so one refused file refuses the batch with its reason and nothing is kept.  Rows are
audited by the flush listener (upload: create; removal: removed_at old → new).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import EvidenceFile, Project, User
from crm.models.project import project_investors
from crm.services.core import access
from crm.services.core.clock import utcnow
from crm.services.files import store
from crm.services.files.store import FileRefused

MAX_FILES = 10  # per upload: a stage move's contract and a few photos, not an archive
CAPTION_MAX = 200

# kind → the column naming its owner.
OWNER_COLUMN = {
    "project": "project_id", "enterprise": "enterprise_id", "stage": "stage_event_id", "report": "report_id",
    "problem": "problem_id", "problem_close": "problem_id", "reply": "reply_id", "picture": "project_id",
}


@dataclass
class Upload:
    """One file as the form sent it: its bytes, the name the browser gave, the caption typed."""
    data: bytes
    name: str | None
    caption: str | None = None


def prepare_all(uploads: Sequence[Upload], settings) -> list[tuple[store.Prepared, str | None]]:
    """Check every file of a batch; FileRefused (naming the file) for the first that cannot be kept."""
    if len(uploads) > MAX_FILES:
        raise FileRefused(_("一次最多上传 %(n)s 个文件。", n=MAX_FILES), code="too-many")
    max_bytes = settings.FILE_MAX_MB * store.MB
    prepared = []
    for upload in uploads:
        caption = " ".join((upload.caption or "").split())
        if len(caption) > CAPTION_MAX:
            raise FileRefused(_("说明不能超过 %(n)s 个字。", n=CAPTION_MAX), code="caption")
        prepared.append((store.prepare(upload.data, upload.name, max_bytes=max_bytes), caption or None))
    return prepared


def save(actor: User, settings, prepared: Iterable[tuple[store.Prepared, str | None]], *, kind: str,
         project_id: int | None = None, owner_id: int | None = None) -> list[EvidenceFile]:
    """Write checked files and their rows (flushed).  `owner_id` is the record of `kind`; files of a
    project's records carry `project_id` too (the access rule reads it)."""
    rows = []
    for item, caption in prepared:
        row = EvidenceFile(kind=kind, project_id=project_id, sha256=store.write(settings, item), mime=item.mime,
                           size=len(item.data), display_name=item.display_name, caption=caption,
                           has_thumbnail=item.thumbnail is not None, uploaded_by_id=actor.id, uploaded_at=utcnow())
        if kind not in ("project", "picture"):
            setattr(row, OWNER_COLUMN[kind], owner_id)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def attach(actor: User, settings, uploads: Sequence[Upload], *, kind: str, project_id: int | None = None,
           owner_id: int | None = None) -> list[EvidenceFile]:
    """prepare_all then save: the one call of a page that only uploads."""
    if not uploads:
        raise FileRefused(_("请选择要上传的文件。"), field="files", code="none")
    return save(actor, settings, prepare_all(uploads, settings), kind=kind, project_id=project_id,
                owner_id=owner_id)


def with_files(actor: User, settings, uploads: Sequence[Upload], *, kind: str, project_id: int, action):
    """Run `action` (a service call returning the record the files belong to) with its files: the
    files are checked before the action and kept after it, so either refusal saves nothing."""
    prepared = prepare_all(uploads, settings)
    record = action()
    save(actor, settings, prepared, kind=kind, project_id=project_id, owner_id=record.id)
    return record


def remove(actor: User, row: EvidenceFile) -> None:
    """Hide a file; its bytes stay until the next backup has copied them (commands/backup.py)."""
    if row.removed_at is None:
        row.removed_at = utcnow()
        row.removed_by_id = actor.id
        db.session.flush()


def for_owners(kind: str, ids: Iterable[int]) -> dict[int, list[EvidenceFile]]:
    """owner id → its files (oldest first), for any number of owners in one query: the stage history,
    the monthly reports and the project timeline show thumbnails with it."""
    ids = sorted(set(ids))
    found: dict[int, list[EvidenceFile]] = {i: [] for i in ids}
    if not ids:
        return found
    column = getattr(EvidenceFile, OWNER_COLUMN[kind])
    rows = db.session.scalars(sa.select(EvidenceFile).options(joinedload(EvidenceFile.uploaded_by))
                              .where(EvidenceFile.kind == kind, column.in_(ids), EvidenceFile.removed_at.is_(None))
                              .order_by(EvidenceFile.id))
    for row in rows:
        found[getattr(row, OWNER_COLUMN[kind])].append(row)
    return found


# ---------------------------------------------------------------------------------------
# Who may see and change a file: the rule of the record it belongs to

def can_see(user: User, row: EvidenceFile) -> bool:
    if row.removed_at is not None:
        return False
    if row.project_id is not None:
        project = db.session.get(Project, row.project_id)
        return project is not None and access.can_see_project_files(user, project)
    if row.enterprise_id is not None:
        return can_see_enterprise_files(user, row.enterprise_id)
    return False


def can_change(user: User, row: EvidenceFile) -> bool:
    """Remove a file: whoever may attach files to its record."""
    if not can_see(user, row):
        return False
    if row.project_id is not None:
        return access.can_edit_project(user, db.session.get(Project, row.project_id))
    return access.can_edit_enterprises(user)


def can_see_enterprise_files(user: User, enterprise_id: int) -> bool:
    """An enterprise's papers: the center's staff, and whoever may see the files of a project it
    invests in (the officers and leader who work on that project)."""
    if user.role in ("admin", "staff"):
        return True
    invested = sa.select(project_investors.c.project_id).where(project_investors.c.enterprise_id == enterprise_id)
    return db.session.scalar(sa.select(sa.exists().where(Project.id.in_(invested),
                                                         access.files_visible_projects(user)))) or False

