"""The channel and subscription forms of the channels page."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from crm.i18n import lazy_gettext as _l
from crm.models.channels import CHANNEL_KIND, Channel
from crm.web.fields import SelectField

KIND_LABELS = CHANNEL_KIND  # defined with its column (crm/models/channels.py)
EVENT_LABELS = {"key_stage_moved": _l("重点项目阶段变更"), "new_instruction": _l("领导批示"), "overdue_problems": _l("逾期问题（每日）"),
                "missing_reports": _l("月度调度逾期未报（每日）"),
                "due_follow_ups": _l("到期跟进（每日）"), "stale_projects": _l("久未联系的项目（每日）"),
                "weekly_digest": _l("每周周报（全市汇总）")}


class ChannelForm(FlaskForm):
    name = StringField(_l("渠道名称"), validators=[InputRequired(message=_l("请填写渠道名称。")),
                                                  Length(max=Channel.name.type.length)])
    kind = SelectField(_l("类型"), choices=list(KIND_LABELS.items()))
    # A robot's webhook, or the address of an email channel (checked by kind in the view).
    url = StringField(_l("Webhook 地址或邮箱"), validators=[InputRequired(message=_l("请填写 Webhook 地址或邮箱。")),
                                                       Length(max=Channel.url.type.length - len("mailto:"))])
    secret = StringField(_l("加签密钥（钉钉）"), validators=[Optional(), Length(max=Channel.secret.type.length)])


class SubscriptionForm(FlaskForm):
    event = SelectField(_l("事件"), choices=list(EVENT_LABELS.items()))
    department_id = SelectField(_l("部门"), coerce=int, default=0)
    leader_id = SelectField(_l("包联领导"), coerce=int, default=0)
    task_force_id = SelectField(_l("专班"), coerce=int, default=0)

    def load_choices(self, departments, leaders, task_forces) -> SubscriptionForm:
        anyone = [(0, _l("全部"))]
        self.department_id.choices = anyone + departments
        self.leader_id.choices = anyone + leaders
        self.task_force_id.choices = anyone + task_forces
        return self
