"""Enterprise rules: name normalisation, duplicate detection, and saving enterprises/contacts.

Two records for one company split its history, so duplicates are refused on the credit
code and on the normalised name (full-width/half-width, spaces, brackets and case folded).
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Contact, Enterprise, Interaction, User
from crm.models.enterprise import ENTERPRISE_ROLE, ENTERPRISE_STATUS, ENTERPRISE_TAGS, SOURCE_CHANNELS
from crm.models.project import project_investors
from crm.services import creditcode
from crm.services.core import access, versions
from crm.services.core.errors import RuleError
from crm.services.core.namekeys import normalize_name  # noqa: F401  (imported from here by many)


def find_duplicate(name: str, credit_code: str | None, exclude_id: int | None = None) -> Enterprise | None:
    """The existing enterprise this one would duplicate, if any."""
    conditions = [Enterprise.name_norm == normalize_name(name)]
    if credit_code:
        conditions.append(Enterprise.credit_code == credit_code)
    query = sa.select(Enterprise).where(sa.or_(*conditions))
    if exclude_id is not None:
        query = query.where(Enterprise.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


# ---------------------------------------------------------------------------------------
# Create / update rules for enterprises and their contacts.

STATUS_LABELS, ROLE_LABELS = ENTERPRISE_STATUS, ENTERPRISE_ROLE  # defined with their columns
DOMESTIC = "中国"

ENTERPRISE_FIELDS = ("name", "short_name", "name_en", "name_ru", "credit_code", "country", "region", "sector_id",
                      "source_channel", "owner_id", "status", "role", "website", "address", "description")
_CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat", "notes")
PHONE_PATTERN = r"^[0-9+\-() 转]*$"  # 0453-3921234 转 8001, +7 (423) 222-33-44


class ValidationError(RuleError):
    """Input the rules refuse: `errors` maps a field name to a message shown beside it.

    `records` maps a field to an existing record the input collides with, so the page can
    link to it (e.g. the enterprise that already has this credit code).
    """

    def __init__(self, errors: dict[str, str], records: dict | None = None):
        super().__init__(errors=errors, records=records)


def clean_text(value):
    """Strip text input; empty means NULL so "no value" has one spelling in the database."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def check_lengths(model, data: dict, errors: dict) -> None:
    """Refuse text longer than its column, whatever the form in front of the service did."""
    for key, value in data.items():
        column = model.__table__.columns.get(key)
        length = getattr(getattr(column, "type", None), "length", None)
        if isinstance(value, str) and length and len(value) > length and key not in errors:
            errors[key] = _("不能超过 %(n)s 个字符。", n=length)


def is_missing_credit_code(enterprise: Enterprise) -> bool:
    """A Chinese firm should have its code; target firms are often filed before it is known."""
    return (enterprise.country or DOMESTIC) == DOMESTIC and not enterprise.credit_code


def clean_enterprise(data: dict) -> dict:
    """Input as it is checked and stored: stripped text (empty is NULL), defaults, the code normalised."""
    data = {key: clean_text(data.get(key)) for key in ENTERPRISE_FIELDS} | {"tags": data.get("tags") or []}
    data["country"] = data["country"] or DOMESTIC
    data["status"] = data["status"] or "prospect"
    data["role"] = data["role"] or "target"
    if data["credit_code"]:
        data["credit_code"] = creditcode.normalize(data["credit_code"])
    return data


def enterprise_errors(data: dict, exclude_id: int | None = None, *, taken=None, exclude=None) -> tuple[dict, dict]:
    """(field → message, field → colliding record) for cleaned input; empty when it may be saved.

    taken: the names and codes on file, held in memory (services/sheets/on_file.OnFile), for a
    sheet that checks thousands of rows: then `exclude` (the firm the input is for, or None) is
    left out instead of `exclude_id`, and no SQL is run."""
    errors, records = {}, {}
    if not data.get("name"):
        errors["name"] = _("请填写企业名称。")
    elif not normalize_name(data["name"]):
        errors["name"] = _("企业名称不能只包含标点或空格。")
    if not data.get("country"):
        errors["country"] = _("请填写国家或地区。")
    if data.get("credit_code") and not creditcode.is_valid(data["credit_code"]):
        errors["credit_code"] = _("统一社会信用代码无效：应为 18 位且校验码正确（GB 32100-2015）。")
    if data.get("status") not in STATUS_LABELS:
        errors["status"] = _("状态无效。")
    if data.get("role") not in ROLE_LABELS:
        errors["role"] = _("企业类型无效。")
    if data.get("source_channel") and data["source_channel"] not in SOURCE_CHANNELS:
        errors["source_channel"] = _("来源渠道无效。")
    if any(t not in ENTERPRISE_TAGS for t in data.get("tags") or ()):
        errors["tags"] = _("标签无效。")
    check_lengths(Enterprise, data, errors)
    if data.get("name") and "name" not in errors:
        by_name = (find_duplicate(data["name"], None, exclude_id) if taken is None else
                   taken.holder("name", normalize_name(data["name"]), exclude))
        if by_name is not None:
            errors["name"], records["name"] = _("已有同名企业（名称忽略空格、括号和全角半角后相同）："), by_name
    if data.get("credit_code") and "credit_code" not in errors:
        by_code = (db.session.scalars(sa.select(Enterprise).where(
            Enterprise.credit_code == data["credit_code"], Enterprise.id != (exclude_id or 0))).first()
            if taken is None else taken.holder("code", data["credit_code"], exclude))
        if by_code is not None:
            errors["credit_code"], records["credit_code"] = _("该统一社会信用代码已登记："), by_code
    return errors, records


def save_enterprise(actor: User, enterprise: Enterprise | None, data: dict, *, checked: bool = False,
                    flush: bool = True) -> Enterprise:
    """Create (enterprise=None) or update an enterprise from form data; flushes, never commits.

    data: the keys of ENTERPRISE_FIELDS plus "tags" (a list).  Raises ValidationError.
    checked: the caller has just run enterprise_errors on this cleaned data in this transaction
    and found nothing (a sheet import checks each row before it saves it): not run twice.
    flush=False: the caller flushes (an import flushes its rows a chunk at a time).
    """
    access.require(access.can_edit_enterprises(actor))
    versions.check(enterprise, data)
    data, submitted = clean_enterprise(data), data
    errors, records = ({}, {}) if checked else enterprise_errors(data, enterprise.id if enterprise else None)
    if errors:
        raise ValidationError(errors, records)
    if enterprise is None:
        enterprise = Enterprise()
        db.session.add(enterprise)
    for key in ENTERPRISE_FIELDS:
        if getattr(enterprise, key) != data[key] or enterprise.id is None:  # the name's pinyin only when it changes
            setattr(enterprise, key, data[key])
    enterprise.name_norm = normalize_name(data["name"])
    enterprise.tags = data["tags"]
    _flush(enterprise, submitted, flush)
    return enterprise


def _flush(record, submitted: dict, flush: bool) -> None:
    if flush:
        with versions.saved(record, submitted):
            db.session.flush()


def save_contact(actor: User, enterprise: Enterprise, contact: Contact | None, data: dict, *,
                 flush: bool = True) -> Contact:
    """Create or update a contact person of an enterprise; flushes unless told not to (as
    save_enterprise).  Raises ValidationError."""
    access.require(access.can_edit_enterprises(actor))
    versions.check(contact, data)
    data, submitted = {key: clean_text(data.get(key)) for key in _CONTACT_FIELDS}, data
    errors = contact_errors(data)
    if errors:
        raise ValidationError(errors)
    if contact is None:
        contact = Contact(enterprise=enterprise)
        db.session.add(contact)
    for key, value in data.items():
        setattr(contact, key, value)
    _flush(contact, submitted, flush)
    return contact


def contact_errors(data: dict) -> dict:
    """field → message for a contact person's stripped input; empty when it may be saved."""
    errors: dict[str, str] = {}
    if not data.get("name"):
        errors["name"] = _("请填写联系人姓名。")
    if data.get("phone") and not re.match(PHONE_PATTERN, data["phone"]):
        errors["phone"] = _("电话只能包含数字、空格、+、- 和括号。")
    if data.get("email") and not _is_email(data["email"]):
        errors["email"] = _("邮箱格式不正确。")
    check_lengths(Contact, data, errors)
    return errors


def _is_email(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)  # no DNS: intranets have none
    except EmailNotValidError:
        return False
    return True


def delete_contact(actor: User, contact: Contact) -> None:
    access.require(access.can_edit_enterprises(actor))
    db.session.delete(contact)
    db.session.flush()


def linked_projects(enterprise_ids):
    """(enterprise_id, project_id) rows: projects an enterprise invests in or was contacted about."""
    invests = sa.select(project_investors.c.enterprise_id, project_investors.c.project_id).where(
        project_investors.c.enterprise_id.in_(enterprise_ids))
    discussed = sa.select(Interaction.enterprise_id, Interaction.project_id).where(
        Interaction.enterprise_id.in_(enterprise_ids), Interaction.project_id.is_not(None))
    return sa.union(invests, discussed).subquery()
