"""The office's Excel list of target enterprises (招商目标企业清单): import, export, template.

Before this system the office kept its target firms in spreadsheets.  An import reads the
first sheet of an .xlsx whose header row names the columns, in Chinese or English and in any
order, below an optional title row.  It checks every row with the form's rules
(services/enterprises.save_enterprise and save_contact) and keeps all rows or none.  One bad
row leaves the database as it was, and the page lists each problem by row and column, so the
sheet can be fixed and uploaded again.

Reading the file and matching headers is services/sheets; this module knows the columns.
The export writes the list page's enterprises (its filters applied) in the same columns, so a
sheet exported by one office imports into another, and the template is that sheet, empty.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.i18n import TERMS
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Enterprise, Sector, User
from crm.models.enterprise import ENTERPRISE_TAGS, SOURCE_CHANNELS
from crm.services import creditcode, enterprises, search
from crm.services.core import audit, queries
from crm.services.core.clock import local_today
from crm.services.enterprises import ROLE_LABELS, STATUS_LABELS, normalize_name
from crm.services.sheets import reader, xlsx

MAX_ROWS = 2000  # a city's list is a few hundred firms; a province imports city by city

Column = reader.Column
COLUMNS = (
    Column("name", _l("企业名称"), ("公司名称", "单位名称", "名称"), 36),
    Column("short_name", _l("简称"), ("企业简称",), 12),
    Column("name_en", _l("英文名称"), ("英文名",), 30),
    Column("name_ru", _l("俄文名称"), ("俄文名",), 30),
    Column("credit_code", _l("统一社会信用代码"), ("信用代码", "社会信用代码"), 22),
    Column("country", _l("国家/地区"), ("国家", "国别"), 10),
    Column("region", _l("省市"), ("所在地区", "地区", "所在地"), 16),
    Column("sector", _l("所属产业"), ("产业", "行业", "产业领域"), 14),
    Column("source_channel", _l("来源渠道"), ("来源",), 12),
    Column("owner", _l("负责人"), ("跟进人", "责任人"), 10),
    Column("status", _l("状态"), (), 10),
    Column("role", _l("企业类型"), ("类型",), 10),
    Column("tags", _l("标签"), (), 18),
    Column("website", _l("网址"), ("官网",), 24),
    Column("address", _l("地址"), ("企业地址",), 30),
    Column("description", _l("企业简介"), ("简介", "备注"), 40),
    Column("contact_name", _l("联系人姓名"), ("联系人",), 10),
    Column("contact_title", _l("联系人职务"), ("职务",), 14),
    Column("contact_phone", _l("联系电话"), ("电话", "手机"), 16),
    Column("contact_email", _l("联系人邮箱"), ("邮箱", "电子邮箱"), 24),
)
# Where a rule's error lands: the services name form fields, the sheet names columns.
_ENTERPRISE_COLUMNS = {"sector_id": "sector", "owner_id": "owner"}
_CONTACT_COLUMNS = {key: f"contact_{key}" for key in ("name", "title", "phone", "email")}


# --------------------------------------------------------------------------- choices

class _Choices:
    """Sheet words → stored values: sectors and owners by name, the fixed lists in either language."""

    def __init__(self):
        self.sectors = reader.NameIndex(db.session.scalars(sa.select(Sector)), "name", "name_en", "code").ids
        owners = reader.NameIndex(queries.file_owners(), "username", "display_name")
        self.owners, self.ambiguous = owners.ids, owners.ambiguous
        self.status = self._labelled(STATUS_LABELS)
        self.role = self._labelled(ROLE_LABELS)
        self.words = {k: word for word in (*SOURCE_CHANNELS, *ENTERPRISE_TAGS)
                      for k in reader.both_languages(TERMS[word]) | {reader.key(word)}}

    @staticmethod
    def _labelled(labels: dict) -> dict:
        return {k: code for code, label in labels.items() for k in reader.both_languages(label) | {reader.key(code)}}


def _row_data(cells, columns: dict, choices: _Choices) -> tuple[dict, dict, dict]:
    """(enterprise data, contact data, errors by column key) of one row, its choices resolved."""
    raw = reader.row_values(cells, columns)
    data = {key: raw.get(key) for key in ("name", "short_name", "name_en", "name_ru", "credit_code", "country",
                                          "region", "website", "address", "description")}
    errors = {}
    code_at = columns.get("credit_code")
    if code_at is not None and code_at < len(cells) and isinstance(cells[code_at], float):
        # Excel keeps 15 significant digits: an 18-digit code typed into a number cell has
        # already lost its last digits, and no reading can bring them back.
        errors["credit_code"] = _("统一社会信用代码被 Excel 存成了数字（%(value)s），末几位已丢失：请把这一列设为“文本”后重新填写。",
                                  value=raw["credit_code"])
    lookups = (("sector", "sector_id", choices.sectors, _("没有这个产业：%(value)s。")),
               ("owner", "owner_id", choices.owners, _("没有这位负责人（经合中心在职人员的用户名或姓名）：%(value)s。")),
               ("status", "status", choices.status, _("状态无效：%(value)s。")),
               ("role", "role", choices.role, _("企业类型无效：%(value)s。")),
               ("source_channel", "source_channel", choices.words, _("来源渠道无效：%(value)s。")))
    for column, target, known, message in lookups:
        value = raw.get(column)
        if value is None:
            continue
        if column == "owner" and reader.key(value) in choices.ambiguous:
            errors[column] = _("有多位同名负责人，请填写用户名：%(value)s。", value=value)
        elif reader.key(value) not in known or (column == "source_channel" and known[reader.key(value)] not in SOURCE_CHANNELS):
            errors[column] = message % {"value": value}
        else:
            data[target] = known[reader.key(value)]
    tags = [t.strip() for t in reader.LIST_SPLIT.split(raw.get("tags") or "") if t.strip()]
    unknown = [t for t in tags if choices.words.get(reader.key(t)) not in ENTERPRISE_TAGS]
    if unknown:
        errors["tags"] = _("标签无效：%(value)s。", value="、".join(unknown))
    data["tags"] = [choices.words[reader.key(t)] for t in tags if t not in unknown]
    contact = {key: raw.get(f"contact_{key}") for key in ("name", "title", "phone", "email")}
    return data, contact, errors


# --------------------------------------------------------------------------- importing

def import_enterprises(actor: User, stream) -> reader.Result:
    """Check every row of the sheet and add them all when none is refused; flushes, never commits.

    The caller commits when `errors` is empty and rolls back otherwise, so an import is kept
    whole or not at all.  Raises SheetError for a file that cannot be read as a list.
    """
    columns, rows = reader.read(stream, COLUMNS, "name", MAX_ROWS)
    choices, result = _Choices(), reader.Result()
    first_seen: dict[tuple, int] = {}  # a name or credit code → the row that has it first
    for number, cells in rows:
        data, contact, errors = _row_data(cells, columns, choices)
        _same_firm_again(number, data, first_seen, errors)
        data = enterprises.clean_enterprise(data)
        links = _rule_errors(data, contact, errors)
        if errors:
            result.errors += reader.row_errors(number, errors, COLUMNS, links)
        elif not result.errors:  # once a row is refused nothing is kept: later rows are only checked
            result.created.append(_save(actor, number, data, contact))
    return result


def _same_firm_again(number: int, data: dict, first_seen: dict, errors: dict) -> None:
    """A firm the sheet already had (by name or credit code) is refused, naming the first row."""
    for key in (("name", normalize_name(data["name"] or "")),
                ("credit_code", creditcode.normalize(data["credit_code"]))):
        if key[1] and key in first_seen:
            errors.setdefault(key[0], _("与第 %(row)s 行是同一家企业。", row=first_seen[key]))
        elif key[1]:
            first_seen[key] = number


def _rule_errors(data: dict, contact: dict, errors: dict) -> dict:
    """Add the form's refusals to a row's errors (the first problem of a column wins); returns
    column → (id, name) of the existing enterprise a refusal is about."""
    found, records = enterprises.enterprise_errors(data)
    links = {}
    for name, message in found.items():
        key = _ENTERPRISE_COLUMNS.get(name, name)
        if key not in errors:
            errors[key] = message
            if name in records:
                links[key] = (records[name].id, records[name].name)
    if any(contact.values()):
        for name, message in enterprises.contact_errors(contact).items():
            errors.setdefault(_CONTACT_COLUMNS[name], message)
    return links


def _save(actor: User, number: int, data: dict, contact: dict):
    # The audit trail keeps where a record came from: stored text, so Chinese in every UI.
    with audit.acting_as(actor, note=f"Excel 导入第 {number} 行"):
        enterprise = enterprises.save_enterprise(actor, None, data)
        if any(contact.values()):
            enterprises.save_contact(actor, enterprise, None, contact)
    return enterprise


# --------------------------------------------------------------------------- the template

def template() -> bytes:
    """The .xlsx to fill in: every column in the UI language, drop-down lists for the choices."""
    owners = [user.display_name for user in queries.file_owners()]
    sectors = [s.label() for s in db.session.scalars(sa.select(Sector).order_by(Sector.column_no, Sector.id))]
    lists = {"sector": sectors, "source_channel": [str(TERMS[c]) for c in SOURCE_CHANNELS], "owner": owners,
             "status": [str(v) for v in STATUS_LABELS.values()], "role": [str(v) for v in ROLE_LABELS.values()]}
    keys = [c.key for c in COLUMNS]
    return xlsx.import_template(
        _("招商目标企业导入表"),
        _("带 * 的列必填。标签可填多个，用顿号或逗号分隔：%(tags)s。同名或同一信用代码的企业不会重复导入。",
          tags="、".join(str(TERMS[t]) for t in ENTERPRISE_TAGS)),
        [(str(c.label), c.width, c.key == "name") for c in COLUMNS],
        {keys.index(key) + 1: values for key, values in lists.items()}, MAX_ROWS, sheet_name=_("企业"),
        text=_text_columns())


# --------------------------------------------------------------------------- exporting

MAX_EXPORT = 10000  # a sheet people read; a province-wide dump is `flask export enterprises`


def export(filters: dict, now, selected: list[int] | None = None) -> tuple[bytes, int, bool]:
    """(the .xlsx, rows written, whether the list was cut at MAX_EXPORT) of the enterprises the
    list page shows for `filters` (services/search.enterprise_select's arguments), in its order;
    or of the rows `selected` on the page (the bulk action), in pinyin order."""
    query = (search.enterprise_select(**filters) if selected is None else
             sa.select(Enterprise).where(Enterprise.id.in_(selected)).order_by(Enterprise.name_pinyin, Enterprise.id))
    ids, cut = queries.capped_ids(query.with_only_columns(Enterprise.id), MAX_EXPORT)
    note = _("导出：%(at)s　共 %(n)s 家", at=f"{now:%Y-%m-%d %H:%M}", n=len(ids))
    if cut:
        note += _("（只导出前 %(n)s 家，请用筛选缩小范围）", n=MAX_EXPORT)
    headers = [(str(c.label), c.width, False) for c in COLUMNS] + [(str(_l("最近对接")), 12, False)]
    rows = (_export_row(e) for e in queries.in_order(Enterprise, ids, (
        joinedload(Enterprise.sector), joinedload(Enterprise.owner), selectinload(Enterprise.tag_rows),
        selectinload(Enterprise.contacts))))
    data = xlsx.list_workbook(_("招商目标企业清单"), note, headers, rows, sheet_name=_("企业"), text=_text_columns())
    return data, len(ids), cut


def _export_row(e: Enterprise) -> list:
    contact = e.contacts[0] if e.contacts else None  # the first person on file, as on the detail page
    return [e.name, e.short_name, e.name_en, e.name_ru, e.credit_code, e.country, e.region,
            e.sector.label() if e.sector else None,
            str(TERMS.get(e.source_channel, e.source_channel)) if e.source_channel else None,
            e.owner.display_name if e.owner else None, str(STATUS_LABELS.get(e.status, e.status)),
            str(ROLE_LABELS.get(e.role, e.role)), "、".join(str(TERMS.get(t, t)) for t in e.tags) or None,
            e.website, e.address, e.description,
            *((contact.name, contact.title, contact.phone, contact.email) if contact else (None,) * 4),
            local_today(e.last_interaction_at) if e.last_interaction_at else None]


def _text_columns() -> list[int]:
    keys = [c.key for c in COLUMNS]
    return [keys.index(key) + 1 for key in ("credit_code", "contact_phone")]
