"""The stage-evidence rule form: for each stage, whether a move into it needs a file and what."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from crm.i18n import lazy_gettext as _l
from crm.models.project import STAGE, STAGES
from crm.services.files.rules import WHAT_MAX


class StageRulesForm(FlaskForm):
    @classmethod
    def for_rules(cls, current: dict) -> StageRulesForm:
        data = {}
        for stage, rule in current.items():
            data[f"required_{stage}"] = rule.required
            data[f"what_{stage}"] = rule.what
        return cls(data=data)

    def rows(self):
        """(stage label, required field, what field) in stage order, for the template."""
        return [(STAGE[s], self[f"required_{s}"], self[f"what_{s}"]) for s in STAGES]

    def answers(self) -> dict[str, tuple[bool, str]]:
        return {s: (self[f"required_{s}"].data, self[f"what_{s}"].data) for s in STAGES}


for _stage in STAGES:
    setattr(StageRulesForm, f"required_{_stage}", BooleanField(_l("须上传佐证材料")))
    setattr(StageRulesForm, f"what_{_stage}", StringField(_l("需要的材料"), validators=[Length(max=WHAT_MAX)]))
