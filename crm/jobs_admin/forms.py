"""The reminder thresholds form: two day counts per watched stage."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from crm.i18n import lazy_gettext as _l
from crm.services.pipeline import STAGE_LABELS
from crm.services.routines.reminders import DEFAULT_STALE_DAYS, MAX_DAYS

_MESSAGE = _l("请填写 1–%(max)s 的整数。", max=MAX_DAYS)


def _days(label):
    return IntegerField(label, validators=[InputRequired(message=_MESSAGE), NumberRange(1, MAX_DAYS, message=_MESSAGE)])


class ReminderSettingsForm(FlaskForm):
    """Fields `<stage>_stale` and `<stage>_escalate` for each stage in DEFAULT_STALE_DAYS."""

    def values(self) -> dict[str, tuple[int, int]]:
        return {stage: (self[f"{stage}_stale"].data, self[f"{stage}_escalate"].data) for stage in DEFAULT_STALE_DAYS}

    def fill(self, values: dict[str, tuple[int, int]]) -> None:
        for stage, (stale, escalate) in values.items():
            self[f"{stage}_stale"].data, self[f"{stage}_escalate"].data = stale, escalate


for _stage in DEFAULT_STALE_DAYS:
    setattr(ReminderSettingsForm, f"{_stage}_stale", _days(_l("%(stage)s：未联系提醒天数", stage=STAGE_LABELS[_stage])))
    setattr(ReminderSettingsForm, f"{_stage}_escalate",
            _days(_l("%(stage)s：升级至包联领导天数", stage=STAGE_LABELS[_stage])))
