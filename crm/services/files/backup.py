"""The files' half of a backup: archive the evidence directory next to the database backup, then
purge what no longer needs keeping.  A removed file is kept until a backup has copied it; this is
that backup, so its bytes may go now (its row stays, for the audit trail), unless another live row
shares the same content.  Bytes no row points at (an upload whose request failed after writing)
go too, once they are older than ORPHAN_GRACE, so an upload still in flight is never touched.
"""
from __future__ import annotations

import tarfile
import time
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from crm.extensions import db
from crm.models import EvidenceFile
from crm.services.files import store

ORPHAN_GRACE_SECONDS = 24 * 3600


def archive(settings, output: Path) -> int:
    """Write every stored file (and thumbnail) into a tar at `output`; returns how many files."""
    root = store.evidence_dir(settings)
    count = 0
    with tarfile.open(output, "x") as tar:
        if root.exists():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith(".part-"):
                    tar.add(path, arcname=str(path.relative_to(settings.files_dir)))
                    count += 1
    return count


def purge(settings, taken_at: datetime) -> int:
    """Delete the bytes of files removed before `taken_at` (naive UTC) and of old orphans."""
    live = set(db.session.scalars(sa.select(EvidenceFile.sha256).where(EvidenceFile.removed_at.is_(None))))
    removed = set(db.session.scalars(sa.select(EvidenceFile.sha256).where(EvidenceFile.removed_at < taken_at)))
    known = live | set(db.session.scalars(sa.select(EvidenceFile.sha256)))
    deleted = 0
    for sha in store.stored_hashes(settings):
        orphan = sha not in known and time.time() - store.path_of(settings, sha).stat().st_mtime > ORPHAN_GRACE_SECONDS
        if (sha in removed and sha not in live) or orphan:
            store.delete(settings, sha)
            deleted += 1
    return deleted
