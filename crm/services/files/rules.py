"""Which stage moves need an evidence file: the administrator's rule, with the office's defaults.

签约 needs the contract or an investment agreement, 开工 a construction permit or a dated photo of
the site, 投产 a photo of production or the 投产 certificate.  A stage without a saved row follows
DEFAULTS, so a fresh install asks for evidence without anyone configuring it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import StageEvidenceRule
from crm.models.project import STAGE, STAGES
from crm.services.files.store import FileRefused

WHAT_MAX = 200
DEFAULTS = {
    "signed": _l("签约合同或投资协议"),
    "started": _l("施工许可证或注明日期的现场照片"),
    "operating": _l("投产照片或投产证明"),
}


@dataclass
class Rule:
    stage: str
    required: bool
    what: str  # what the office asks for, as the refusal says it

    @property
    def label(self) -> str:
        return str(STAGE[self.stage])


def current() -> dict[str, Rule]:
    """stage → its rule, every stage (one query)."""
    saved = {r.stage: r for r in db.session.scalars(sa.select(StageEvidenceRule))}
    rules = {}
    for stage in STAGES:
        row = saved.get(stage)
        default = DEFAULTS.get(stage)
        what = (row.what if row is not None else None) or (str(default) if default else _("佐证材料"))
        rules[stage] = Rule(stage, row.required if row is not None else default is not None, what)
    return rules


def check_move(to_stage: str, file_count: int) -> None:
    """Refuse a move into a stage that needs evidence when no file comes with it."""
    rule = current().get(to_stage)
    if rule is not None and rule.required and file_count == 0:
        raise FileRefused(_("变更到“%(stage)s”须上传佐证材料：%(what)s。", stage=rule.label, what=rule.what),
                          field="files", code="evidence-required")


def save(data: Mapping[str, tuple[bool, str]]) -> None:
    """Store the settings page's answer: stage → (required, what).  Unchanged rows stay untouched
    (the audit trail shows only what changed)."""
    saved = {r.stage: r for r in db.session.scalars(sa.select(StageEvidenceRule))}
    for stage in STAGES:
        if stage not in data:
            continue
        required, what = data[stage]
        what = " ".join((what or "").split())
        if len(what) > WHAT_MAX:
            raise FileRefused(_("“%(stage)s”的说明不能超过 %(n)s 个字。", stage=STAGE[stage], n=WHAT_MAX),
                              field=f"what_{stage}", code="what")
        row = saved.get(stage)
        if row is None:
            row = StageEvidenceRule(stage=stage)
            db.session.add(row)
        row.required = bool(required)
        row.what = what or None
    db.session.flush()
