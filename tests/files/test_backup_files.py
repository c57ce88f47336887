"""The backup command archives the evidence files and only then purges the removed ones."""
from __future__ import annotations

import tarfile

from crm.extensions import db
from crm.services.files import evidence, store
from tests import factories


def test_backup_archives_files_then_purges_those_removed_before_it(app, users, tmp_path):
    settings = app.extensions["settings"]
    project = factories.project()
    kept = factories.evidence_file(project, data=factories.png_bytes(color="gold"))
    gone = factories.evidence_file(project, data=factories.png_bytes(color="plum"))
    shared = factories.evidence_file(project, data=factories.png_bytes(color="gold"), name="副本.png")
    for row in (gone, shared):
        evidence.remove(users["staff"], row)
    db.session.commit()
    output = tmp_path / "crm.backup"
    result = app.test_cli_runner().invoke(args=["backup", "-o", str(output)])
    assert "佐证材料" in result.output, result.output
    with tarfile.open(tmp_path / "crm.backup.files.tar") as tar:
        names = tar.getnames()
    assert any(n.endswith(gone.sha256) for n in names) and any(n.endswith(kept.sha256) for n in names)
    assert not store.path_of(settings, gone.sha256).exists()
    assert store.path_of(settings, kept.sha256).is_file()  # the removed copy shares the live file's bytes
    assert db.session.get(type(gone), gone.id) is not None  # the row stays for the audit trail
