"""The catalog builder form: which projects (sectors, stages, key, pool, chain), which language, and the
cover's title, year and preface.  Filters reuse the project list's values, so the service
applies them with services/projects.project_filters.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from crm.i18n import lazy_gettext as _l
from crm.services.brochures.brochure_data import INVESTABLE_STAGES
from crm.services.pipeline import STAGE_LABELS
from crm.services.projects import KEY_LEVELS, filter_options
from crm.web.fields import SelectField, SelectMultipleField

LANG_CHOICES = [("zh", "中文"), ("en", "English"), ("ru", "Русский")]
ALL = ("", _l("全部"))


class CatalogForm(FlaskForm):
    sectors = SelectMultipleField(_l("行业领域"), coerce=int, description=_l("不选即全部产业。"))
    stages = SelectMultipleField(_l("阶段"), default=list(INVESTABLE_STAGES),
                                 description=_l("默认只收录谋划、洽谈阶段（投资者还可以参与）的项目；暂缓、终止的项目只有选中时才收录。"))
    key = SelectField(_l("重点项目"), default="", choices=[ALL, ("1", _l("仅重点项目"))] + list(KEY_LEVELS.items()))
    chain = SelectField(_l("产业链"), default="", description=_l("只收录挂在该产业链环节上的项目。"))
    pool = SelectField(_l("储备库"), default="1",
                       choices=[("1", _l("仅在库项目")), ALL, ("0", _l("仅已出库项目"))])
    lang = SelectField(_l("语言"), choices=LANG_CHOICES, default="zh",
                       validators=[InputRequired(_l("请选择语言。"))])
    title = StringField(_l("封面标题"), validators=[Length(max=60, message=_l("不能超过 60 个字符。"))],
                        description=_l("留空则使用“招商项目册”或所选语言的对应标题。"))
    year = IntegerField(_l("年份"), validators=[Optional(), NumberRange(2000, 2100, _l("年份应在 2000 到 2100 之间。"))])
    preface = TextAreaField(_l("前言"), render_kw={"rows": 5},
                            validators=[Length(max=3000, message=_l("不能超过 3000 个字符。"))],
                            description=_l("留空则使用默认前言：中文版用系统设置的前言，英文版、俄文版用其译文。"))

    def fill_choices(self) -> None:
        self.sectors.choices = filter_options()["sectors"]
        self.stages.choices = list(STAGE_LABELS.items())
        self.chain.choices = [ALL] + [(str(i), name) for i, name in filter_options()["chains"]]

    def validate_stages(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("请至少选择一个阶段。"))

    def filters(self) -> dict:
        """The chosen filters as the service stores them (empty choices left out)."""
        chosen = {"sectors": list(self.sectors.data or []), "stages": list(self.stages.data or []), "key": self.key.data,
                  "pool": self.pool.data, "chain": self.chain.data}
        return {k: v for k, v in chosen.items() if v}
