"""User account form for administrators."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from crm.i18n import lazy_gettext as _l
from crm.web import ROLE_LABELS
from crm.web.fields import SelectField
from crm.web.versioning import VersionedForm


class UserForm(VersionedForm, FlaskForm):
    username = StringField(_l("用户名"), validators=[
        DataRequired(), Length(min=2, max=40),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("只能使用字母、数字、点、下划线和连字符。"))])
    display_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("职务"), validators=[Optional(), Length(max=60)])
    email = StringField(_l("邮箱"), validators=[Optional(), Email(message=_l("邮箱格式不正确。")), Length(max=120)])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=30)])
    role = SelectField(_l("角色"), choices=[(k, v) for k, v in ROLE_LABELS.items()])
    department_id = SelectField(_l("所属部门"), coerce=int, validators=[Optional()])
    leader_rank = IntegerField(_l("领导层级（1 = 书记/市长）"), validators=[Optional(), NumberRange(min=1, max=9)])
    is_enabled = BooleanField(_l("启用"), default=True)
    # Length and guessability: crm/services/accounts/passwords.py, asked by the view.
    password = PasswordField(_l("新密码"), validators=[Optional(), Length(max=200)],
                             description=_l("新建用户必填；编辑时留空则不修改。"))
