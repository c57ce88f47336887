"""Forms of the liaison rules editor and the manual assignment."""
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, StringField, widgets
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from crm.i18n import lazy_gettext as _l
from crm.models.project import MAIN_STAGES
from crm.services.pipeline import STAGE_LABELS
from crm.web.fields import SelectField, SelectMultipleField


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SettingsForm(FlaskForm):
    cap = IntegerField(_l("每位领导最多包联项目数"), validators=[
        Optional(), NumberRange(min=1, max=1000, message=_l("请输入 1 到 1000 之间的整数。"))],
        description=_l("留空表示不设上限。只计在库且未投产、未终止的项目。"))
    trigger_stages = CheckboxesField(_l("到达以下阶段时需要包联领导"),
                                     choices=[(s, STAGE_LABELS[s]) for s in MAIN_STAGES])


class TierForm(FlaskForm):
    min_investment = DecimalField(_l("总投资不低于（万元）"), places=2, validators=[
        InputRequired(message=_l("请填写投资额。")),
        NumberRange(min=0.01, max=999999999, message=_l("投资额必须大于零。"))])
    leader_rank = IntegerField(_l("分配给哪一层级的领导（1 = 书记/市长）"), validators=[
        InputRequired(message=_l("请填写领导层级。")),
        NumberRange(min=1, max=9, message=_l("领导层级为 1 到 9 的整数。"))])


class SectorLeadersForm(FlaskForm):
    """Only the CSRF token: the checkbox grid (sector-<id> = leader ids) is read by the view."""


class AssignForm(FlaskForm):
    leader_id = SelectField(_l("包联领导"), coerce=int, validators=[DataRequired(message=_l("请选择包联领导。"))])
    reason = StringField(_l("原因（记入操作日志）"), validators=[Optional(), Length(max=200)])


class RunForm(FlaskForm):
    """Only the CSRF token."""
