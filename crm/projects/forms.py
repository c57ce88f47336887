"""Project form and stage-move form.

The project form only renders and carries values: the rules (required, lengths, amounts,
existing ids) live in services/projects.save_project, whose errors the view puts back on
these fields.  The hints below only tell the browser what the service will insist on.

The investor select offers only the investors chosen (a province holds 100,000 enterprises);
picker.js adds others as the user searches (enterprises.lookup).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from crm.extensions import db
from crm.files.forms import caption_field, file_field
from crm.i18n import lazy_gettext as _l
from crm.models import Enterprise, Project, User
from crm.services.core.ids import parse_id
from crm.services.projects import FIELD_LABELS, KEY_LEVELS, PRIORITIES, TEXT_MAX, filter_options
from crm.web.fields import DateField, SelectField, SelectMultipleField
from crm.web.versioning import VersionedForm

NONE_CHOICE = ("", "—")


class _Hint:
    """A no-op validator that sets browser hints (required, maxlength) on a field."""

    def __init__(self, **flags):
        self.field_flags = flags

    def __call__(self, form, field):
        pass


def _optional_int(value):
    """Select values as ints; anything else is None (the service reports unknown choices)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(key: str, area: bool = False, required: bool = False):
    column = Project.__table__.columns[key].type
    hint = _Hint(required=True) if required else _Hint()
    hint.field_flags["maxlength"] = getattr(column, "length", None) or TEXT_MAX
    field = TextAreaField if area else StringField
    return field(FIELD_LABELS[key], validators=[hint], render_kw={"rows": 4} if area else None)


def _number(key: str, decimal: bool = True):
    mode = "decimal" if decimal else "numeric"
    return StringField(FIELD_LABELS[key], render_kw={"inputmode": mode, "autocomplete": "off"})


def _select(key: str, required: bool = False):
    return SelectField(FIELD_LABELS[key], coerce=_optional_int, validate_choice=False,
                       validators=[_Hint(required=True)] if required else [])


def _multi(key: str):
    return SelectMultipleField(FIELD_LABELS[key], coerce=str, validate_choice=False)


class ProjectForm(VersionedForm, FlaskForm):
    name = _text("name", required=True)
    name_en = _text("name_en")
    name_ru = _text("name_ru")
    sector_id = _select("sector_id", required=True)
    park_id = _select("park_id")
    description = _text("description", area=True)
    description_en = _text("description_en", area=True)
    description_ru = _text("description_ru", area=True)
    site = _text("site")
    site_en = _text("site_en")
    site_ru = _text("site_ru")
    investor_ids = _multi("investor_ids")
    total_investment = _number("total_investment")
    fixed_investment = _number("fixed_investment")
    funding_sources = _text("funding_sources", area=True)
    capacity = _text("capacity")
    capacity_en = _text("capacity_en")
    capacity_ru = _text("capacity_ru")
    land_mu = _number("land_mu")
    land_m2 = _number("land_m2")
    land_text = _text("land_text")
    jobs = _number("jobs", decimal=False)
    lead_department_id = _select("lead_department_id")
    department_ids = _multi("department_ids")
    task_force_id = _select("task_force_id")
    owner_id = _select("owner_id")
    is_key = BooleanField(FIELD_LABELS["is_key"])
    key_level = SelectField(FIELD_LABELS["key_level"], validate_choice=False,
                            choices=[NONE_CHOICE] + [(k, v) for k, v in KEY_LEVELS.items()])
    in_pool = BooleanField(FIELD_LABELS["in_pool"], default=True)
    priority = SelectField(FIELD_LABELS["priority"], coerce=_optional_int, validate_choice=False, default=2,
                           choices=list(PRIORITIES.items()))
    notes = _text("notes", area=True)

    def fill_choices(self) -> None:
        """Options from the reference tables and users (each one query of id and name), and the
        chosen investors."""
        options = filter_options()
        self.sector_id.choices = [NONE_CHOICE] + options["sectors"]
        self.park_id.choices = [NONE_CHOICE] + options["parks"]
        self.lead_department_id.choices = [NONE_CHOICE] + options["departments"]
        self.department_ids.choices = [(str(i), n) for i, n in options["departments"]]
        self.task_force_id.choices = [NONE_CHOICE] + options["task_forces"]
        staff = db.session.execute(sa.select(User.id, User.display_name).where(
            User.role.in_(("staff", "admin")), User.is_enabled.is_(True)).order_by(User.display_name))
        self.owner_id.choices = [NONE_CHOICE] + [tuple(row) for row in staff]
        self.investor_ids.choices = _chosen_enterprises(self.investor_ids.data)


def _chosen_enterprises(values) -> list[tuple[str, str]]:
    """(id, name) of the enterprises among `values` (the project's investors, or the ids posted),
    in list order, in one query.  Ids that match nothing are left out: the service reports them."""
    ids = list(dict.fromkeys(i for i in map(parse_id, values or ()) if i is not None))
    if not ids:
        return []
    rows = db.session.execute(sa.select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))
                              .order_by(Enterprise.name_norm))
    return [(str(i), n) for i, n in rows]


class StageForm(FlaskForm):
    to_stage = SelectField(_l("目标阶段"), validate_choice=False)
    occurred_on = DateField(_l("发生日期"))
    contract_amount = StringField(_l("签约金额（万元）"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    evidence = TextAreaField(_l("依据/佐证"), validators=[Length(max=TEXT_MAX)], render_kw={"rows": 2},
                             description=_l("如合同编号、施工许可、新闻报道等。"))
    reason = TextAreaField(_l("原因"), validators=[Length(max=TEXT_MAX)], render_kw={"rows": 2},
                           description=_l("暂缓、终止、跳级或回退时必须填写。"))
    files = file_field()
    file_caption = caption_field()
    # The confirm step: nothing moves until the user ticks it (with or without JavaScript).
    confirmed = BooleanField(_l("我已核对以上内容，确认记录这次阶段变更"))
