"""Forms of the routines: monthly report, admin correction, problems, ranking settings.

The forms check shape (required, ranges, lengths) with Chinese messages; the rules that need
the database (cumulative figures, departments, dates) live in the services.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import NumberInput

from crm.files.forms import caption_field, file_field
from crm.i18n import lazy_gettext as _l
from crm.web.fields import DateField, SelectField
from crm.web.versioning import VersionedForm

TEXT_MAX = 4000


class MoneyField(Field):
    """万元 with two decimals; a Chinese message for anything that is not a number."""
    widget = NumberInput(step="0.01", min=0)

    def _value(self):
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip().replace(",", "")
        self.data = None
        if raw:
            try:
                self.data = Decimal(raw)
            except InvalidOperation:
                raise ValueError(_l("请输入有效的金额（万元），如 120.50。")) from None
            if not self.data.is_finite():
                self.data = None
                raise ValueError(_l("请输入有效的金额（万元），如 120.50。"))


def _non_negative(form, field):
    if field.data is not None and field.data < 0:
        raise ValidationError(_l("金额不能为负数。"))


def _required_money(label):
    return MoneyField(label, validators=[InputRequired(message=_l("请填写金额（万元）。")), _non_negative])


class ReportForm(VersionedForm, FlaskForm):
    invest_month = _required_money(_l("本月完成投资（万元）"))
    invest_cumulative = MoneyField(_l("累计完成投资（万元）"), validators=[Optional(), _non_negative],
                                   description=_l("有上期调度时可留空，系统按“上期累计 + 本月完成投资”自动计算。"))
    funds_in_place = _required_money(_l("到位资金（万元，累计）"))
    progress = TextAreaField(_l("进展情况"), validators=[Length(max=TEXT_MAX)], render_kw={"rows": 4})
    problems_text = TextAreaField(_l("存在问题"), validators=[Length(max=TEXT_MAX)], render_kw={"rows": 3})
    files = file_field()
    file_caption = caption_field()


class CorrectionForm(ReportForm):
    files = None  # a correction fixes figures; the evidence stays the filer's
    file_caption = None
    invest_cumulative = _required_money(_l("累计完成投资（万元）"))
    reason = TextAreaField(_l("更正原因"), validators=[DataRequired(message=_l("更正必须填写原因。")),
                                                    Length(max=1000)], render_kw={"rows": 2})


def _deadline_field():
    return DateField(_l("整改时限"), validators=[InputRequired(message=_l("请填写整改时限。"))],
                     render_kw={"type": "date"})


class ProblemForm(FlaskForm):
    project_id = SelectField(_l("项目"), coerce=int, validators=[InputRequired(message=_l("请选择项目。"))],
                             invalid_choice_message=_l("所选项目不存在，或您无权为该项目登记问题。"))
    department_id = SelectField(_l("责任部门"), coerce=int,
                                validators=[InputRequired(message=_l("请选择责任部门。"))])
    description = TextAreaField(_l("问题描述"), validators=[DataRequired(message=_l("请填写问题描述。")),
                                                        Length(max=TEXT_MAX)], render_kw={"rows": 4})
    deadline = _deadline_field()
    files = file_field()
    file_caption = caption_field()


class ProblemEditForm(VersionedForm, FlaskForm):
    department_id = SelectField(_l("责任部门"), coerce=int,
                                validators=[InputRequired(message=_l("请选择责任部门。"))])
    description = TextAreaField(_l("问题描述"), validators=[DataRequired(message=_l("请填写问题描述。")),
                                                        Length(max=TEXT_MAX)], render_kw={"rows": 4})
    deadline = _deadline_field()
    status = SelectField(_l("状态"), choices=[("open", _l("未整改")), ("in_progress", _l("整改中"))])


class ResolveForm(FlaskForm):
    resolution = TextAreaField(_l("整改结果"), validators=[DataRequired(message=_l("销号必须填写整改结果。")),
                                                       Length(max=TEXT_MAX)], render_kw={"rows": 4})
    resolved_on = DateField(_l("销号日期"), validators=[InputRequired(message=_l("请填写销号日期。"))],
                            render_kw={"type": "date"})
    files = file_field()
    file_caption = caption_field()


class NoteForm(FlaskForm):
    """升级 (with an optional note), 封存, 从批示立项: a CSRF-protected button."""
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})


def _percent(label):
    return IntegerField(label, validators=[InputRequired(message=_l("请填写 0–100 的整数。")),
                                           NumberRange(0, 100, message=_l("请填写 0–100 的整数。"))])


class RankingSettingsForm(FlaskForm):
    w_timeliness = _percent(_l("报送及时率权重（%）"))
    w_problems = _percent(_l("问题按期销号率权重（%）"))
    w_stage = _percent(_l("项目推进率权重（%）"))
    green_min = _percent(_l("绿色下限（分）"))
    yellow_min = _percent(_l("黄色下限（分）"))
    report_due_day = IntegerField(_l("每月调度报送截止日"), validators=[
        InputRequired(message=_l("请填写 1–28 的整数。")), NumberRange(1, 28, message=_l("请填写 1–28 的整数。"))])
    problem_deadline_days = IntegerField(_l("批示问题默认整改天数"), validators=[
        InputRequired(message=_l("请填写 1–365 的整数。")), NumberRange(1, 365, message=_l("请填写 1–365 的整数。"))])
    rank_method = SelectField(_l("计分方法"), choices=[("wilson", _l("威尔逊区间下限（95%，按样本量折算）")),
                                                   ("raw", _l("原始比率（不考虑样本量）"))],
                              validators=[InputRequired(message=_l("请选择计分方法。"))])
    min_items = IntegerField(_l("参与排名的最少事项数"), validators=[
        InputRequired(message=_l("请填写 0–1000 的整数。")), NumberRange(0, 1000, message=_l("请填写 0–1000 的整数。"))])

    def validate_w_stage(self, field):
        weights = (self.w_timeliness.data, self.w_problems.data, field.data)
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise ValidationError(_l("三项权重之和必须等于 100（当前为 %(s)s）。", s=sum(weights)))

    def validate_yellow_min(self, field):
        if self.green_min.data is not None and field.data is not None and field.data > self.green_min.data:
            raise ValidationError(_l("黄色下限不能高于绿色下限。"))
