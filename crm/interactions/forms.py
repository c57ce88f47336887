"""The quick "记录对接" form: phone-friendly, one screen, the essentials first."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from crm.enterprises.forms import optional_id
from crm.i18n import lazy_gettext as _l
from crm.services.interactions import KIND_LABELS


class QuickLogForm(FlaskForm):
    enterprise = StringField(_l("对接企业"), validators=[DataRequired(_l("请选择对接企业。")), Length(max=120)],
                             description=_l("输入名称的一部分（至少两个字）后从列表中选择"))
    enterprise_id = HiddenField()
    project_id = SelectField(_l("相关项目"), coerce=optional_id)
    kind = SelectField(_l("对接方式"), choices=list(KIND_LABELS.items()), default="phone")
    occurred_at = DateTimeLocalField(_l("对接时间"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     validators=[InputRequired(_l("请填写对接时间。"))])
    summary = TextAreaField(_l("对接内容"), validators=[DataRequired(_l("请填写对接内容。")), Length(max=5000)],
                            render_kw={"rows": 3})
    our_participants = StringField(_l("我方人员"), validators=[Length(max=200)])
    their_participants = StringField(_l("对方人员"), validators=[Length(max=200)])
    outcome = TextAreaField(_l("对接成果"), validators=[Length(max=5000)], render_kw={"rows": 2})
    next_step = TextAreaField(_l("下一步工作"), validators=[Length(max=5000)], render_kw={"rows": 2})
    next_follow_up = DateField(_l("下次跟进日期"), validators=[Optional()])
    next = HiddenField()
