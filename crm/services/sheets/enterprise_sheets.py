"""The office's Excel list of target enterprises (招商目标企业清单): import, export, template.

Before this system the office kept its target firms in spreadsheets, and it still sends back
updated sheets every month.  An import reads the first sheet of an .xlsx whose header row names
the columns, in Chinese or English and in any order, below an optional title row.  A row names
an existing firm by its 编号 (the export's first column), else by its credit code, else by its
name (normalised), and updates it; any other row is a new firm.  It checks every row with the
form's rules (services/enterprises.save_enterprise and save_contact) and keeps all rows or
none.  One bad row leaves the database as it was, and the page lists each problem by row and
column, so the sheet can be fixed and uploaded again.  A row that changes nothing writes
nothing, and a column the sheet lacks leaves that field as it is.  What the rows need (the firms
they name, the names and codes on file: services/sheets/on_file) is loaded before the rows in a
few statements, and the saved rows are flushed 500 at a time, each audited with its own row's
note, so a province's 10,000 rows cost statements by the chunk, not by the row.

Reading the file and matching headers is services/sheets; this module knows the columns (README
"Excel round trip").  The export writes the list page's enterprises (its filters applied) in
the same columns after 编号, owners as "显示名（用户名）"; the template is that sheet without 编号,
empty.  The contact columns are the firm's first contact person.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.i18n import TERMS
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Enterprise, Sector, User
from crm.models.enterprise import ENTERPRISE_TAGS, SOURCE_CHANNELS
from crm.services import creditcode, enterprises, search
from crm.services.core import access, audit, queries, versions
from crm.services.core.clock import local_today
from crm.services.core.ids import parse_id
from crm.services.core.progress import counted
from crm.services.enterprises import ROLE_LABELS, STATUS_LABELS, normalize_name
from crm.services.sheets import reader, xlsx
from crm.services.sheets.on_file import OnFile

MAX_ROWS = 20000  # a province's whole list, edited and sent back
TEMPLATE_ROWS = 2000  # rows of the template that offer the drop-down lists
FLUSH_ROWS = 500  # saved rows written a chunk at a time: statements grow with chunks, not rows

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
ID_COLUMN = Column("id", _l("编号"), ("企业编号", "ID"), 7)
READ_COLUMNS = (ID_COLUMN, *COLUMNS)
# Where a rule's error lands: the services name form fields, the sheet names columns.
_ENTERPRISE_COLUMNS = {"sector_id": "sector", "owner_id": "owner"}
_CONTACT_COLUMNS = {key: f"contact_{key}" for key in ("name", "title", "phone", "email")}


# --------------------------------------------------------------------------- choices

class _Choices:
    """Sheet words → stored values: sectors and owners by name, the fixed lists in either language."""

    def __init__(self):
        self.sectors = reader.NameIndex(db.session.scalars(sa.select(Sector)), "name", "name_en", "code").ids
        self.owners = reader.People(queries.file_owners())
        self.status = self._labelled(STATUS_LABELS)
        self.role = self._labelled(ROLE_LABELS)
        self.words = {k: word for word in (*SOURCE_CHANNELS, *ENTERPRISE_TAGS)
                      for k in reader.both_languages(TERMS[word]) | {reader.key(word)}}

    @staticmethod
    def _labelled(labels: dict) -> dict:
        return {k: code for code, label in labels.items() for k in reader.both_languages(label) | {reader.key(code)}}


_TEXT = ("name", "short_name", "name_en", "name_ru", "credit_code", "country", "region", "website", "address",
         "description")
_CONTACT = ("name", "title", "phone", "email")


def _row_data(raw: dict, cells, columns: dict, choices: _Choices, base: dict, contact: dict
              ) -> tuple[dict, dict, dict]:
    """(enterprise data, contact data, errors by column key) of one row, its choices resolved,
    over `base` and `contact` (the firm's and its first contact's values; {} for a new firm)."""
    data = dict(base) | {key: raw.get(key) for key in _TEXT if key in raw}
    contact = dict(contact) | {key: raw[f"contact_{key}"] for key in _CONTACT if f"contact_{key}" in raw}
    errors = {}
    code_at = columns.get("credit_code")
    if code_at is not None and code_at < len(cells) and isinstance(cells[code_at], float):
        # Excel keeps 15 significant digits: an 18-digit code typed into a number cell has
        # already lost its last digits, and no reading can bring them back.
        errors["credit_code"] = _("统一社会信用代码被 Excel 存成了数字（%(value)s），末几位已丢失：请把这一列设为“文本”后重新填写。",
                                  value=raw["credit_code"])
    if "owner" in raw:
        data["owner_id"], ambiguous = choices.owners.find(raw["owner"]) if raw["owner"] else (None, False)
        if ambiguous:
            errors["owner"] = _("有多位同名负责人，请填写用户名：%(value)s。", value=raw["owner"])
        elif raw["owner"] and data["owner_id"] is None:
            errors["owner"] = _("没有这位负责人（经合中心在职人员的用户名或姓名）：%(value)s。", value=raw["owner"])
    lookups = (("sector", "sector_id", choices.sectors, _("没有这个产业：%(value)s。")),
               ("status", "status", choices.status, _("状态无效：%(value)s。")),
               ("role", "role", choices.role, _("企业类型无效：%(value)s。")),
               ("source_channel", "source_channel", choices.words, _("来源渠道无效：%(value)s。")))
    for column, target, known, message in lookups:
        if column not in raw:
            continue
        value = data[target] = raw[column]
        if value is None:
            continue
        if reader.key(value) not in known or (column == "source_channel" and known[reader.key(value)] not in SOURCE_CHANNELS):
            errors[column] = message % {"value": value}
        else:
            data[target] = known[reader.key(value)]
    if "tags" in raw or "tags" not in data:
        tags = [t.strip() for t in reader.LIST_SPLIT.split(raw.get("tags") or "") if t.strip()]
        unknown = [t for t in tags if choices.words.get(reader.key(t)) not in ENTERPRISE_TAGS]
        if unknown:
            errors["tags"] = _("标签无效：%(value)s。", value="、".join(unknown))
        data["tags"] = [choices.words[reader.key(t)] for t in tags if t not in unknown]
    return data, contact, errors


# --------------------------------------------------------------------------- importing

def import_enterprises(actor: User, stream) -> reader.Result:
    """Check every row of the sheet and apply them all when none is refused; flushes, never commits.

    The caller commits when `errors` is empty and rolls back otherwise, so an import is kept
    whole or not at all.  Raises SheetError for a file that cannot be read as a list.
    """
    access.require(access.can_edit_enterprises(actor))
    columns, rows = reader.read(stream, READ_COLUMNS, "name", MAX_ROWS)
    choices, result = _Choices(), reader.Result()
    existing, on_file = _existing(rows, columns)
    run = _Run(actor, columns, choices, existing, on_file, result)
    with db.session.no_autoflush:  # the rows are flushed a chunk at a time (_Run.save)
        for number, cells in rows:
            _import_row(run, number, cells)
        run.flush()
    return result


@dataclass
class _Run:
    """One import's lookups, loaded before its rows, and its saves, flushed a chunk at a time."""
    actor: User
    columns: dict
    choices: _Choices
    existing: dict
    on_file: OnFile
    result: reader.Result
    first_seen: dict = field(default_factory=dict)  # a name, credit code or firm → the row that has it first
    pending: list = field(default_factory=list)  # saved since the last flush

    def save(self, number: int, firm: Enterprise | None, data: dict, contact: dict | None, first=None):
        # The audit trail keeps where a record came from: stored text, so Chinese in every UI.
        self.on_file.before_save(firm)
        with audit.acting_as(self.actor, note=f"Excel 导入第 {number} 行"):
            firm = enterprises.save_enterprise(self.actor, firm, data, checked=True, flush=False)  # checked above
            audit.pin(firm)
            if contact is not None:
                audit.pin(enterprises.save_contact(self.actor, firm, first, contact, flush=False))
        self.on_file.saved(firm)
        self.pending.append(firm)
        if len(self.pending) >= FLUSH_ROWS:
            self.flush()
        return firm

    def flush(self) -> None:
        if self.pending:
            with versions.saved(self.pending[0], {}):  # a firm someone saved meanwhile: StaleEdit, as a form
                db.session.flush()
        self.pending = []


def _import_row(run: _Run, number: int, cells) -> None:
    """Check one row against the form's rules and the firms on file; list it, and save it while
    the sheet has no refusal."""
    raw, errors, result = reader.row_values(cells, run.columns), {}, run.result
    firm = _target(raw, run.existing, errors)
    if "id" in errors:  # a 编号 the list lacks is that row's one problem
        result.errors += reader.row_errors(number, errors, READ_COLUMNS, {})
        return
    first = firm.contacts[0] if firm is not None and firm.contacts else None
    data, contact, errors_read = _row_data(raw, cells, run.columns, run.choices, _current(firm),
                                           {k: getattr(first, k) for k in _CONTACT} if first else {})
    errors.update(errors_read)
    _same_firm_again(number, data, firm, run.first_seen, errors)
    data = enterprises.clean_enterprise(data)
    links = _rule_errors(data, contact, errors, firm, run.on_file)
    if errors:
        result.errors += reader.row_errors(number, errors, READ_COLUMNS, links)
    elif firm is None:
        result.new += 1
        if not result.errors:  # once a row is refused nothing is kept: later rows are only checked
            result.created.append(run.save(number, None, data, contact if any(contact.values()) else None))
    else:
        _update(run, number, firm, first, data, contact, raw)


def _existing(rows, columns: dict) -> tuple[dict, OnFile]:
    """Every firm a row names by 编号, credit code or name, keyed ("id", n), ("code", c) and
    ("name", normalised), with its tags and contacts, in a few statements; and the names and
    codes on file that the rows or those firms hold."""
    wanted = {"id": set(), "code": set(), "name": set()}
    for _number, cells in rows:
        raw = reader.row_values(cells, {k: columns[k] for k in ("id", "credit_code", "name") if k in columns})
        wanted["id"].add(parse_id(raw["id"]) if raw.get("id") else None)
        wanted["code"].add(creditcode.normalize(raw.get("credit_code")) or None)
        wanted["name"].add(normalize_name(raw.get("name") or "") or None)
    found = {}
    for kind, column in (("id", Enterprise.id), ("code", Enterprise.credit_code), ("name", Enterprise.name_norm)):
        values = sorted(v for v in wanted[kind] if v)
        for start in range(0, len(values), 500):
            for firm in db.session.scalars(sa.select(Enterprise).where(column.in_(values[start:start + 500]))
                                           .options(*_OPTIONS)):
                found[("id", firm.id)] = firm
                found[("code", firm.credit_code)] = firm
                found[("name", firm.name_norm)] = firm
    firms = set(found.values())
    return found, OnFile(wanted["name"] | {f.name_norm for f in firms}, wanted["code"] | {f.credit_code for f in firms})


def _target(raw: dict, existing: dict, errors: dict) -> Enterprise | None:
    """The existing firm a row names, or None for a new one."""
    if raw.get("id"):
        firm = existing.get(("id", parse_id(raw["id"]) or 0))
        if firm is None:
            errors["id"] = _("没有编号为 %(value)s 的企业（新企业请把编号留空）。", value=raw["id"])
        return firm
    code = creditcode.normalize(raw.get("credit_code"))
    by_code = existing.get(("code", code)) if code else None
    return by_code or existing.get(("name", normalize_name(raw.get("name") or "")))


def _current(firm: Enterprise | None) -> dict:
    """save_enterprise's data as the firm stands ({} for a new one): a missing column keeps its field."""
    if firm is None:
        return {}
    return {key: getattr(firm, key) for key in enterprises.ENTERPRISE_FIELDS} | {"tags": firm.tags}


def _same_firm_again(number: int, data: dict, firm: Enterprise | None, first_seen: dict, errors: dict) -> None:
    """A firm the sheet already had (by name, credit code or the firm a row names) is refused,
    naming the first row."""
    for key in (("name", normalize_name(data.get("name") or "")),
                ("credit_code", creditcode.normalize(data.get("credit_code"))),
                ("name", firm.id if firm is not None else None)):
        if key[1] and key in first_seen:
            errors.setdefault(key[0], _("与第 %(row)s 行是同一家企业。", row=first_seen[key]))
        elif key[1]:
            first_seen[key] = number


def _rule_errors(data: dict, contact: dict, errors: dict, firm: Enterprise | None, on_file: OnFile) -> dict:
    """Add the form's refusals to a row's errors (the first problem of a column wins); returns
    column → (id, name) of the existing enterprise a refusal is about."""
    found, records = enterprises.enterprise_errors(data, taken=on_file, exclude=firm)
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


def _update(run: _Run, number: int, firm: Enterprise, first, data: dict, contact: dict, raw: dict) -> None:
    """Count an unchanged row; list and (while the sheet has no refusal) save a changed one."""
    result = run.result
    stored = enterprises.clean_enterprise(_current(firm))  # as a form would send it: stray spaces are no change
    changed = {_ENTERPRISE_COLUMNS.get(k, k) for k in stored if stored[k] != data[k]}
    new_contact = {k: enterprises.clean_text(v) for k, v in contact.items()}
    if any(new_contact.values()) and new_contact != {k: getattr(first, k) if first else None for k in _CONTACT}:
        changed |= {f"contact_{k}" for k in _CONTACT if new_contact.get(k) != (getattr(first, k) if first else None)}
    if not changed:
        result.unchanged += 1
        return
    written = dict(zip((c.key for c in READ_COLUMNS), _export_row(firm)))
    result.updated.append(reader.RowChange(number, firm.id, firm.name, [
        (str(c.label), reader.cell_text(written.get(c.key)) or "—", raw.get(c.key) or "—")
        for c in READ_COLUMNS if c.key in changed]))
    if not result.errors:
        run.save(number, firm, data, contact if changed & {f"contact_{k}" for k in _CONTACT} else None, first)


# --------------------------------------------------------------------------- the template

def template() -> bytes:
    """The .xlsx to fill in: every column in the UI language, drop-down lists for the choices."""
    owners = [reader.person_label(user) for user in queries.file_owners()]
    sectors = [s.label() for s in db.session.scalars(sa.select(Sector).order_by(Sector.column_no, Sector.id))]
    lists = {"sector": sectors, "source_channel": [str(TERMS[c]) for c in SOURCE_CHANNELS], "owner": owners,
             "status": [str(v) for v in STATUS_LABELS.values()], "role": [str(v) for v in ROLE_LABELS.values()]}
    keys = [c.key for c in COLUMNS]
    return xlsx.import_template(
        _("招商目标企业导入表"),
        _("带 * 的列必填。标签可填多个，用顿号或逗号分隔：%(tags)s。同名或同一信用代码的企业不会重复导入。",
          tags="、".join(str(TERMS[t]) for t in ENTERPRISE_TAGS)),
        [(str(c.label), c.width, c.key == "name") for c in COLUMNS],
        {keys.index(key) + 1: values for key, values in lists.items()}, TEMPLATE_ROWS, sheet_name=_("企业"),
        text=_text_columns())


# --------------------------------------------------------------------------- exporting

MAX_EXPORT = 10000  # a sheet people read; a province-wide dump is `flask export enterprises`


def _export_select(filters: dict, selected: list[int] | None):
    return (search.enterprise_select(**filters) if selected is None else
            sa.select(Enterprise).where(Enterprise.id.in_(selected)).order_by(Enterprise.name_pinyin, Enterprise.id))


def count(filters: dict, selected: list[int] | None = None) -> int:
    """How many enterprises export() writes (one COUNT): small exports are instant."""
    ids = _export_select(filters, selected).with_only_columns(Enterprise.id).order_by(None).subquery()
    return min(db.session.scalar(sa.select(sa.func.count()).select_from(ids)), MAX_EXPORT)


def export(filters: dict, now, selected: list[int] | None = None, *, target: Path | None = None,
           progress: Callable[[int, int], None] | None = None) -> tuple[bytes | None, int, bool]:
    """(the .xlsx, rows written, whether the list was cut at MAX_EXPORT) of the enterprises the
    list page shows for `filters` (services/search.enterprise_select's arguments), in its order;
    or of the rows `selected` on the page (the bulk action), in pinyin order.  The export job
    (services/sheets/exports) gives a `target` file (the bytes are then None) and
    `progress(done, total)`."""
    ids, cut = queries.capped_ids(_export_select(filters, selected).with_only_columns(Enterprise.id), MAX_EXPORT)
    note = _("导出：%(at)s　共 %(n)s 家", at=f"{now:%Y-%m-%d %H:%M}", n=len(ids))
    if cut:
        note += _("（只导出前 %(n)s 家，请用筛选缩小范围）", n=MAX_EXPORT)
    headers = [(str(c.label), c.width, False) for c in READ_COLUMNS] + [(str(_l("最近对接")), 12, False)]
    rows = (_export_row(e) + [local_today(e.last_interaction_at) if e.last_interaction_at else None]
            for e in queries.in_order(Enterprise, ids, _OPTIONS))
    data = xlsx.list_workbook(_("招商目标企业清单"), note, headers, counted(rows, len(ids), progress),
                              sheet_name=_("企业"), text=_text_columns(READ_COLUMNS), target=target)
    return data, len(ids), cut


_OPTIONS = (joinedload(Enterprise.sector), joinedload(Enterprise.owner), selectinload(Enterprise.tag_rows),
            selectinload(Enterprise.contacts))


def _export_row(e: Enterprise) -> list:
    """The firm's cells in READ_COLUMNS' order."""
    contact = e.contacts[0] if e.contacts else None  # the first person on file, as on the detail page
    return [e.id, e.name, e.short_name, e.name_en, e.name_ru, e.credit_code, e.country, e.region,
            e.sector.label() if e.sector else None,
            str(TERMS.get(e.source_channel, e.source_channel)) if e.source_channel else None,
            reader.person_label(e.owner), str(STATUS_LABELS.get(e.status, e.status)),
            str(ROLE_LABELS.get(e.role, e.role)), "、".join(str(TERMS.get(t, t)) for t in e.tags) or None,
            e.website, e.address, e.description,
            *((contact.name, contact.title, contact.phone, contact.email) if contact else (None,) * 4)]


def _text_columns(columns=COLUMNS) -> list[int]:
    keys = [c.key for c in columns]
    return [keys.index(key) + 1 for key in ("credit_code", "contact_phone")]
