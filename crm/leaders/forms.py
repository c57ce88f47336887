"""Forms of the leaders' pages."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm.i18n import lazy_gettext as _l
from crm.services.liaison.leaders import INSTRUCTION_MAX


class InstructionForm(FlaskForm):
    text = TextAreaField(_l("批示内容"), validators=[
        DataRequired(message=_l("请填写批示内容。")),
        Length(max=INSTRUCTION_MAX, message=_l("批示内容不能超过 %(max)d 个字符。"))])
    follow_up_required = BooleanField(_l("需要跟踪落实（登记到问题台账）"))
    next = HiddenField()


class ReviewForm(FlaskForm):
    """No fields: the button and the CSRF token."""
    next = HiddenField()
