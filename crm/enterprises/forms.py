"""Enterprise and contact forms.  They check shape (lengths, choices); the rules — credit
code check digit, duplicates — live in services/enterprises.py and come back as field errors.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.i18n import term
from crm.models import Sector, User
from crm.models.enterprise import ENTERPRISE_TAGS, SOURCE_CHANNELS
from crm.services.core.ids import parse_id
from crm.services.core.versions import StaleEdit
from crm.services.enterprises import ROLE_LABELS, STATUS_LABELS, ValidationError
from crm.web import attach
from crm.web.fields import SelectField, SelectMultipleField
from crm.web.versioning import VersionedForm, conflict

NONE_CHOICE = ("", "—")


def _enterprise_url(record) -> str:
    return url_for("enterprises.detail", enterprise_id=record.id)


def commit_or_show(form, save):
    """Run a service call for a submitted form: commit its work and return its result, or roll
    back, put its ValidationError (or a stale save's conflict) on the form and return None."""
    try:
        result = save()
    except ValidationError as err:
        db.session.rollback()
        attach(form, err, link=_enterprise_url)
        return None
    except StaleEdit as stale:  # the page answers 409 with form.conflict (crm/web/versioning.py)
        conflict(stale, form)
        return None
    db.session.commit()
    return result


def optional_id(value):
    """Select value → id, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return parse_id(value) or -1  # -1 matches no choice, so the field reports "not a valid choice"


# Choices are (id, name) pairs selected as plain rows: the list page builds them on every request,
# and loading ORM users for them cost more than the rest of the page.
def sector_choices() -> list:
    return [NONE_CHOICE] + [tuple(row) for row in db.session.execute(
        sa.select(Sector.id, Sector.label_column()).order_by(Sector.column_no, Sector.id))]


def owner_choices() -> list:
    """经合中心 staff and admins: the people who own enterprise files."""
    return [NONE_CHOICE] + [tuple(row) for row in db.session.execute(
        sa.select(User.id, User.display_name).where(User.role.in_(("staff", "admin")), User.is_enabled)
        .order_by(User.display_name, User.id))]


class EnterpriseForm(VersionedForm, FlaskForm):
    name = StringField(_l("企业名称"), validators=[DataRequired(_l("请填写企业名称。")), Length(max=120)])
    short_name = StringField(_l("简称"), validators=[Length(max=40)])
    name_en = StringField(_l("英文名称"), validators=[Length(max=200)])
    name_ru = StringField(_l("俄文名称"), validators=[Length(max=200)],
                          description=_l("英文界面和英文、俄文宣传册显示外文名称；没有时显示中文名称。"))
    credit_code = StringField(_l("统一社会信用代码"), validators=[Length(max=30)],
                              description=_l("18 位，校验码按 GB 32100-2015 检查；境外企业可不填。"))
    country = StringField(_l("国家/地区"), default="中国", validators=[DataRequired(_l("请填写国家或地区。")),
                                                                    Length(max=40)])
    region = StringField(_l("省市"), validators=[Length(max=60)], description=_l("例如：广东省东莞市"))
    sector_id = SelectField(_l("所属产业"), coerce=optional_id, validate_choice=True)
    source_channel = SelectField(_l("来源渠道"), choices=[NONE_CHOICE] + [(c, term(c)) for c in SOURCE_CHANNELS],
                                 coerce=lambda v: v or None)
    owner_id = SelectField(_l("负责人"), coerce=optional_id)
    status = SelectField(_l("状态"), choices=list(STATUS_LABELS.items()), default="prospect")
    role = SelectField(_l("企业类型"), choices=list(ROLE_LABELS.items()), default="target")
    tags = SelectMultipleField(_l("标签"), choices=[(t, term(t)) for t in ENTERPRISE_TAGS])
    website = StringField(_l("网址"), validators=[Length(max=200)])
    address = StringField(_l("地址"), validators=[Length(max=200)])
    description = TextAreaField(_l("企业简介"), validators=[Length(max=5000)])

    def load_choices(self) -> EnterpriseForm:
        self.sector_id.choices = sector_choices()
        self.owner_id.choices = owner_choices()
        return self


class ContactForm(VersionedForm, FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写联系人姓名。")), Length(max=40)])
    title = StringField(_l("职务"), validators=[Length(max=60)])
    # Phone and e-mail are checked by services/enterprises.save_contact (an import uses it too).
    phone = StringField(_l("电话"), validators=[Length(max=30)])
    email = StringField(_l("邮箱"), validators=[Length(max=120)])
    wechat = StringField(_l("微信"), validators=[Length(max=60)])
    notes = TextAreaField(_l("备注"), validators=[Length(max=5000)])
