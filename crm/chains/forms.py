"""Chain and link forms (administrators).  They check shape; the rules (unique names, a parent
from the same chain and not downstream) live in services/chains/editing.py."""
from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.enterprises.forms import NONE_CHOICE, optional_id
from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Chain, ChainLink, Enterprise, User
from crm.services.chains.chart import POSITION_LABELS
from crm.web.fields import SelectField


class ChainForm(FlaskForm):
    name = StringField(_l("产业链名称"), validators=[DataRequired(_l("请填写产业链名称。")), Length(max=120)])
    name_en = StringField(_l("英文名称"), validators=[Length(max=200)])
    priority = SelectField(_l("优先级"), choices=[(1, _l("1 高")), (2, _l("2 中")), (3, _l("3 低"))], coerce=int,
                           default=2)
    lead_enterprise_id = SelectField(_l("链主"), coerce=optional_id)
    leader_id = SelectField(_l("链长"), coerce=optional_id)
    description = TextAreaField(_l("说明"))
    plan_quote = TextAreaField(_l("规划原文"))
    to_confirm = TextAreaField(_l("待确认"))

    def load_choices(self, chain: Chain | None = None) -> ChainForm:
        """链主: a firm already on the chain's links; 链长: a leader or an administrator."""
        firms = []
        if chain is not None:
            firms = db.session.execute(
                sa.select(Enterprise.id, Enterprise.name).distinct()
                .join(ChainLink.enterprises).where(ChainLink.chain_id == chain.id).order_by(Enterprise.name)).all()
        self.lead_enterprise_id.choices = [NONE_CHOICE] + [tuple(row) for row in firms]
        self.leader_id.choices = [NONE_CHOICE] + [tuple(row) for row in db.session.execute(
            sa.select(User.id, User.display_name).where(User.role.in_(("leader", "admin")), User.is_enabled)
            .order_by(User.display_name, User.id))]
        return self


class LinkForm(FlaskForm):
    name = StringField(_l("环节名称"), validators=[DataRequired(_l("请填写环节名称。")), Length(max=80)])
    name_en = StringField(_l("英文名称"), validators=[Length(max=160)])
    position = SelectField(_l("位置"), choices=list(POSITION_LABELS.items()), default="midstream")
    parent_id = SelectField(_l("上一环节"), coerce=optional_id)
    seq = IntegerField(_l("顺序"), validators=[Optional(), NumberRange(min=0, max=9999)])
    products = StringField(_l("产品或能力"), validators=[Length(max=300)])
    description = TextAreaField(_l("说明"))
    plan_quote = TextAreaField(_l("规划原文"))
    to_confirm = TextAreaField(_l("待确认"))

    def load_choices(self, chain: Chain, link: ChainLink | None = None) -> LinkForm:
        self.parent_id.choices = [NONE_CHOICE] + [(other.id, other.name) for other in chain.links if other is not link]
        return self


class AttachForm(FlaskForm):
    kind = SelectField(_l("类型"), choices=[("enterprise", _l("企业")), ("project", _l("项目"))])
    name = StringField(_l("名称（与系统中完全一致）"), validators=[DataRequired(_l("请填写名称。")), Length(max=160)])


class DetachForm(FlaskForm):
    kind = HiddenField()
    record_id = HiddenField()
