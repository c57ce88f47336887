"""Forms of the reports feature: goal values, innovation platforms, pool reviews, cohort filter.

They check shape (required, lengths, choices, number and date syntax) with Chinese messages;
the rules (dates not in the future, one review a quarter …) live in the services.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import DecimalField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from crm.enterprises.forms import NONE_CHOICE, optional_id
from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.i18n import term
from crm.models import PoolReview, Sector
from crm.models.metrics import PLATFORM_LEVELS
from crm.services.core.clock import quarter_label
from crm.web.fields import DateField, SelectField
from crm.web.versioning import VersionedForm


def _chinese_parse_error(field_cls, message, accept=lambda data: True):
    """A field class whose "cannot parse" error reads `message` (WTForms' own is English);
    parsed data that `accept` refuses (e.g. NaN, Infinity) is a parse error too."""
    class Field(field_cls):
        def process_formdata(self, valuelist):
            try:
                super().process_formdata(valuelist)
            except ValueError as exc:
                raise ValueError(message) from exc
            if self.data is not None and not accept(self.data):
                self.data = None
                raise ValueError(message)
    Field.__name__ = f"Chinese{field_cls.__name__}"
    return Field


ChineseDecimalField = _chinese_parse_error(DecimalField, _l("请输入数字。"), accept=lambda d: d.is_finite())
# The range (and its message) is DateField's; only the parse error is worded here.
ChineseDateField = _chinese_parse_error(DateField, _l("日期格式应为 YYYY-MM-DD。"))


class GoalValueForm(VersionedForm, FlaskForm):
    value = ChineseDecimalField(_l("数值"), places=2, validators=[
        InputRequired(_l("请填写数值。")),
        NumberRange(min=0, max=Decimal("999999999999.99"), message=_l("数值不能为负数，且不能超过 999,999,999,999.99。"))])
    as_of = ChineseDateField(_l("统计日期"), validators=[InputRequired(_l("请填写统计日期。"))])
    source = StringField(_l("数据来源"), validators=[DataRequired(_l("请填写数据来源。")), Length(max=200)],
                         description=_l("例如：市统计局 2025 年统计公报"))


class PlatformForm(FlaskForm):
    name = StringField(_l("平台名称"), validators=[DataRequired(_l("请填写平台名称。")), Length(max=120)])
    level = SelectField(_l("级别"), choices=[(v, term(v)) for v in PLATFORM_LEVELS])
    enterprise_name = StringField(_l("依托企业"), validators=[Length(max=120)],
                                  description=_l("填写企业库中已有企业的名称；可不填。"))
    recognized_on = ChineseDateField(_l("认定日期"), validators=[InputRequired(_l("请填写认定日期。"))],
                                     earliest=date(1990, 1, 1))  # platforms recognised last century count
    note = StringField(_l("备注"), validators=[Length(max=200)])


class PoolReviewForm(FlaskForm):
    quarter = StringField(_l("季度"), validators=[
        DataRequired(_l("请填写季度。")),
        Regexp(r"^\s*\d{4}-[Qq][1-4]\s*$", message=_l("季度格式应为 YYYY-Qn，例如 2026-Q4。"))])
    reviewed_on = ChineseDateField(_l("评审会日期"), validators=[InputRequired(_l("请填写评审日期。"))])
    note = TextAreaField(_l("评审意见"), validators=[Length(max=2000)])


class CohortForm(FlaskForm):
    """The cohort filter (GET, no CSRF): a bad value is a form error and the page shows no rates."""

    class Meta:
        csrf = False

    start = ChineseDateField(_l("入库起"), validators=[Optional()])
    end = ChineseDateField(_l("入库止"), validators=[Optional()])
    review = SelectField(_l("入库批次"), coerce=optional_id, validators=[Optional()])
    sector = SelectField(_l("专栏 / 产业"), coerce=optional_id, validators=[Optional()])
    as_of = ChineseDateField(_l("统计日"), validators=[Optional()])

    def load_choices(self) -> CohortForm:
        sectors = db.session.scalars(sa.select(Sector).order_by(Sector.column_no, Sector.id)).all()
        reviews = db.session.scalars(sa.select(PoolReview).order_by(PoolReview.reviewed_on.desc())).all()
        self.sector.choices = [NONE_CHOICE] + [
            (s.id, f"{_l('专栏%(n)s', n=s.column_no)} · {s.label()}" if s.column_no else s.label()) for s in sectors]
        self.review.choices = [NONE_CHOICE] + [(r.id, quarter_label(r.quarter)) for r in reviews]
        return self

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.start.data and self.end.data and self.start.data > self.end.data:
            self.end.errors.append(_l("结束日期不能早于开始日期。"))
            return False
        return ok
