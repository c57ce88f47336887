"""Login and password-change forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from crm.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("记住我"))


class PasswordChangeForm(FlaskForm):
    """The rule itself (length, guessability) is crm/services/accounts/passwords.py, asked by the view."""
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("两次输入的新密码不一致。"))])
