"""The new-token form of the token settings page."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length

from crm.i18n import lazy_gettext as _l
from crm.models.api import ApiToken

SCOPE_LABELS = {"read": _l("只读"), "write": _l("读写")}


class TokenForm(FlaskForm):
    name = StringField(_l("令牌名称"), validators=[InputRequired(message=_l("请填写令牌名称。")),
                                                  Length(max=ApiToken.name.type.length)],
                       description=_l("写明用在哪个系统，例如“重点项目调度平台”。"))
    scope = RadioField(_l("权限"), choices=list(SCOPE_LABELS.items()), default="read",
                       validators=[InputRequired(message=_l("请选择令牌权限。"))])
