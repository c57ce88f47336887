"""The stage-evidence rule without HTTP: defaults, saved answers, the refusal's wording."""
from __future__ import annotations

import pytest

from crm.extensions import db
from crm.models import AuditEvent
from crm.services.files import rules
from crm.services.files.store import FileRefused


def test_defaults_ask_for_evidence_at_signing_start_and_operation(app):
    current = rules.current()
    assert [s for s, r in current.items() if r.required] == ["signed", "started", "operating"]
    with pytest.raises(FileRefused, match="变更到“开工”须上传佐证材料：施工许可证或注明日期的现场照片。"):
        rules.check_move("started", 0)
    rules.check_move("started", 1)
    rules.check_move("contact", 0)


def test_saved_rules_replace_the_defaults_and_are_audited(app):
    rules.save({"signed": (False, ""), "paused": (True, "  暂缓  说明函 ")})
    db.session.commit()
    current = rules.current()
    assert not current["signed"].required and current["paused"].what == "暂缓 说明函"
    rules.check_move("signed", 0)
    with pytest.raises(FileRefused):
        rules.check_move("paused", 0)
    assert db.session.query(AuditEvent).filter_by(object_type="StageEvidenceRule").count() == 2
    with pytest.raises(FileRefused):
        rules.save({"started": (True, "长" * 201)})
