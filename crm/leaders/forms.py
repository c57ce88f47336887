"""Forms of the leaders' pages and of the 批示 loop."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm.i18n import lazy_gettext as _l
from crm.services.liaison.instructions import NOTE_MAX, TEXT_MAX
from crm.web.fields import DateField, SelectMultipleField


class InstructionForm(FlaskForm):
    text = TextAreaField(_l("批示内容"), validators=[
        DataRequired(message=_l("请填写批示内容。")),
        Length(max=TEXT_MAX, message=_l("批示内容不能超过 %(max)d 个字符。"))])
    unit_ids = SelectMultipleField(_l("承办单位"), coerce=int, validators=[DataRequired(message=_l("请选择承办单位。"))])
    deadline = DateField(_l("办理时限"), validators=[DataRequired(message=_l("请填写办理时限。"))])
    follow_up_required = BooleanField(_l("需要跟踪落实（登记到问题台账）"))
    next = HiddenField()


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("办理情况"), validators=[
        DataRequired(message=_l("请填写办理情况。")),
        Length(max=TEXT_MAX, message=_l("内容不能超过 %(max)d 个字符。"))])
    next = HiddenField()


class SendBackForm(FlaskForm):
    note = TextAreaField(_l("退回原因"), validators=[
        DataRequired(message=_l("退回时请写明原因。")),
        Length(max=NOTE_MAX, message=_l("内容不能超过 %(max)d 个字符。"))])
    next = HiddenField()


class ReviewForm(FlaskForm):
    """No fields: the button and the CSRF token (本周已阅, 办结)."""
    next = HiddenField()
