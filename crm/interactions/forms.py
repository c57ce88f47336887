"""The quick "记录对接" form: phone-friendly, one screen, the essentials first."""
from __future__ import annotations

import json

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from crm.enterprises.forms import NONE_CHOICE, optional_id
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.services.interactions import KIND_LABELS
from crm.web.fields import DateField, SelectField


class QuickLogForm(FlaskForm):
    enterprise = StringField(_l("对接企业"), validators=[DataRequired(_l("请选择对接企业。")), Length(max=120)],
                             description=_l("输入名称的一部分（至少两个字）后从列表中选择"))
    enterprise_id = HiddenField()
    # A firm not yet on file is filed here, by name (and its credit code when known), with the
    # enterprise form's rules (admins and staff, who may file enterprises).
    create_enterprise = BooleanField(_l("企业库中还没有这家企业：按上面的名称新建"))
    credit_code = StringField(_l("统一社会信用代码（可不填）"), validators=[Length(max=40)])
    # Only offered projects pass; the view offers a posted one whenever the user may log about it.
    project_id = SelectField(_l("相关项目"), coerce=optional_id,
                             invalid_choice_message=_l("所选项目不存在，或您无权记录该项目的对接。"),
                             description=_l("列出所选企业的关联项目和您最近对接或负责的项目；其他项目请在项目页面点“记录对接”。"))
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

    def offer_projects(self, chosen: tuple | None, linked: list, recent: list) -> None:
        """The project select, each project once: none, the chosen (id, name), the enterprise's
        linked projects, then the user's recent ones.  Never every project: 10,000 at province scale.

        quick_log.js rebuilds the two groups when another enterprise is picked, so the select
        carries their labels and the whole recent list.
        """
        linked_label, recent_label = _("该企业的关联项目"), _("我最近对接或负责的项目")
        taken = {chosen[0]} if chosen else set()
        linked = [(pid, name) for pid, name in linked if pid not in taken]
        taken.update(pid for pid, _name in linked)
        choices = [SelectChoice(*NONE_CHOICE)] + ([SelectChoice(*chosen)] if chosen else [])
        choices += [SelectChoice(pid, name, optgroup=linked_label) for pid, name in linked]
        choices += [SelectChoice(pid, name, optgroup=recent_label) for pid, name in recent if pid not in taken]
        self.project_id.choices = choices
        self.project_id.render_kw = {
            "data-linked-label": linked_label, "data-recent-label": recent_label,
            "data-recent": json.dumps([{"id": pid, "name": name} for pid, name in recent], ensure_ascii=False)}
