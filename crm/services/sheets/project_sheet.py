"""The project list as an Excel sheet (项目清单): the projects the list page's filters show, one
row each with its stage milestones, for leaders' handouts and the reserve-pool review; and the
reverse, a sheet of new projects added to the rolling reserve pool in one go, all rows or none,
checked with the project form's rules (services/projects.check_project) and, for projects
already past 谋划, the pipeline's rules for each dated milestone (services/stage_import).

Names are in the UI language, as on the page; amounts are numbers in 万元 with the office's
format, so the sheet can be summed and sorted in Excel.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Department, Enterprise, Park, Project, Sector, StageEvent, TaskForce, User
from crm.models.project import MAIN_STAGES, SIDE_STAGES
from crm.services import projects as svc
from crm.services.core import access, audit, queries
from crm.services.core.clock import local_today
from crm.services.enterprises import normalize_name
from crm.services.pipeline import STAGE_LABELS
from crm.services.projects import FIELD_LABELS, KEY_LEVELS
from crm.services.sheets import reader, stage_import, xlsx

MAX_EXPORT = 10000  # every project of a province fits

# (header, width, value of a project); money columns are listed in MONEY.
COLUMNS = (
    (_l("编号"), 7, lambda p: p.id),
    (FIELD_LABELS["name"], 36, lambda p: p.display_name),
    (FIELD_LABELS["sector_id"], 12, lambda p: p.sector.label() if p.sector else None),
    (FIELD_LABELS["stage"], 8, lambda p: str(STAGE_LABELS.get(p.stage, p.stage))),
    (FIELD_LABELS["total_investment"], 14, lambda p: p.total_investment),
    (FIELD_LABELS["fixed_investment"], 14, lambda p: p.fixed_investment),
    (FIELD_LABELS["park_id"], 14, lambda p: p.park.label() if p.park else None),
    (FIELD_LABELS["site"], 20, lambda p: p.localized("site")),
    (FIELD_LABELS["lead_department_id"], 14, lambda p: p.lead_department.label() if p.lead_department else None),
    (FIELD_LABELS["department_ids"], 20, lambda p: "、".join(d.label() for d in p.departments) or None),
    (FIELD_LABELS["task_force_id"], 16, lambda p: p.task_force.label() if p.task_force else None),
    (FIELD_LABELS["liaison_leader_id"], 10, lambda p: p.liaison_leader.display_name if p.liaison_leader else None),
    (FIELD_LABELS["owner_id"], 10, lambda p: p.owner.display_name if p.owner else None),
    (FIELD_LABELS["key_level"], 10, lambda p: str(KEY_LEVELS[p.key_level]) if p.is_key and p.key_level in KEY_LEVELS
     else (_("是") if p.is_key else None)),
    (FIELD_LABELS["in_pool"], 8, lambda p: _("是") if p.in_pool else _("否")),
    (FIELD_LABELS["contacted_on"], 12, lambda p: p.contacted_on),
    (FIELD_LABELS["signed_on"], 12, lambda p: p.signed_on),
    (FIELD_LABELS["signed_amount"], 14, lambda p: p.signed_amount),
    (FIELD_LABELS["started_on"], 12, lambda p: p.started_on),
    (FIELD_LABELS["operating_on"], 12, lambda p: p.operating_on),
    (stage_import.SIDE_LABELS["side_on"], 12, lambda p: p.stage_on if p.stage in SIDE_STAGES else None),
    (stage_import.SIDE_LABELS["side_reason"], 30, "side_reason"),  # read for the whole sheet at once
    (FIELD_LABELS["last_interaction_at"], 12,
     lambda p: local_today(p.last_interaction_at) if p.last_interaction_at else None),
    (FIELD_LABELS["description"], 50, lambda p: p.localized("description")),
)
MONEY = (5, 6, 18)  # 总投资, 固定资产投资, 签约金额
_OPTIONS = (joinedload(Project.sector), joinedload(Project.park), joinedload(Project.lead_department),
            joinedload(Project.task_force), joinedload(Project.liaison_leader), joinedload(Project.owner),
            selectinload(Project.departments))


def export(conditions: list, now: datetime) -> tuple[bytes, int, bool]:
    """(the .xlsx, rows written, whether the list was cut at MAX_EXPORT) for the list page's
    conditions (services/projects.project_filters), in its order: newest first."""
    ids, cut = queries.capped_ids(sa.select(Project.id).where(*conditions).order_by(Project.id.desc()), MAX_EXPORT)
    note = _("导出：%(at)s　共 %(n)s 个项目", at=f"{now:%Y-%m-%d %H:%M}", n=len(ids))
    if cut:
        note += _("（只导出前 %(n)s 个，请用筛选缩小范围）", n=MAX_EXPORT)
    reasons = {"side_reason": _side_reasons(conditions)}
    rows = ([value(p) if callable(value) else reasons[value].get(p.id) for _header, _width, value in COLUMNS]
            for p in queries.in_order(Project, ids, _OPTIONS))
    data = xlsx.list_workbook(_("招商项目清单"), note, [(str(h), w, False) for h, w, _v in COLUMNS], rows,
                              money=MONEY, sheet_name=_("项目"))
    return data, len(ids), cut


def _side_reasons(conditions: list) -> dict[int, str]:
    """Project id → why it was paused or dropped, for the listed projects at 暂缓 or 终止: the
    reason of each one's latest move, in one statement (the sheet's import requires it)."""
    side = sa.select(Project.id).where(*conditions, Project.stage.in_(SIDE_STAGES))
    moves = db.session.execute(sa.select(StageEvent.project_id, StageEvent.reason)
                               .where(StageEvent.project_id.in_(side)).order_by(StageEvent.project_id, StageEvent.id))
    return {project_id: reason for project_id, reason in moves}  # the latest move wins


# --------------------------------------------------------------------------- importing

MAX_ROWS = 500  # a quarter's additions to the reserve pool are tens; a whole plan is 25

Column = reader.Column
IMPORT_COLUMNS = (
    Column("name", FIELD_LABELS["name"], ("项目", "名称"), 36),
    Column("name_en", FIELD_LABELS["name_en"], (), 30),
    Column("sector", FIELD_LABELS["sector_id"], ("所属产业", "产业", "行业"), 12),
    Column("stage", FIELD_LABELS["stage"], ("项目阶段",), 8),
    Column("total_investment", FIELD_LABELS["total_investment"], (), 14),
    Column("fixed_investment", FIELD_LABELS["fixed_investment"], (), 14),
    Column("funding_sources", FIELD_LABELS["funding_sources"], (), 16),
    Column("capacity", FIELD_LABELS["capacity"], ("建设规模", "产能"), 20),
    Column("land_mu", FIELD_LABELS["land_mu"], (), 10),
    Column("jobs", FIELD_LABELS["jobs"], (), 10),
    Column("park", FIELD_LABELS["park_id"], (), 14),
    Column("site", FIELD_LABELS["site"], ("建设地点",), 20),
    Column("lead_department", FIELD_LABELS["lead_department_id"], (), 14),
    Column("departments", FIELD_LABELS["department_ids"], (), 20),
    Column("task_force", FIELD_LABELS["task_force_id"], (), 16),
    Column("owner", FIELD_LABELS["owner_id"], ("负责人",), 10),
    Column("key_level", FIELD_LABELS["key_level"], ("重点项目",), 10),
    Column("in_pool", FIELD_LABELS["in_pool"], (), 8),
    Column("investors", FIELD_LABELS["investor_ids"], ("投资方", "投资企业"), 24),
    *stage_import.COLUMNS,
    Column("description", FIELD_LABELS["description"], ("建设内容",), 50),
    Column("notes", FIELD_LABELS["notes"], (), 20),
)
_TEXT = ("name", "name_en", "funding_sources", "capacity", "site", "description", "notes",
         "total_investment", "fixed_investment", "land_mu", "jobs")  # passed on as typed
# Where a rule's error lands: services/projects names form fields, the sheet names columns.
_FIELD_COLUMNS = {"sector_id": "sector", "park_id": "park", "lead_department_id": "lead_department",
                  "department_ids": "departments", "task_force_id": "task_force", "owner_id": "owner",
                  "investor_ids": "investors", "is_key": "key_level"}


class _Names:
    """Sheet words → ids: reference rows by any of their names, the yes/no and key-level words."""

    def __init__(self):
        def index(model, *attrs):
            return reader.NameIndex(db.session.scalars(sa.select(model)), *attrs)

        self.refs = {
            "sector": index(Sector, "name", "name_en", "code"),
            "park": index(Park, "name", "short_name", "name_en", "code"),
            "lead_department": index(Department, "name", "full_name", "name_en"),
            "task_force": index(TaskForce, "name", "name_en"),
            "owner": reader.NameIndex(queries.file_owners(), "username", "display_name"),
        }
        self.refs["departments"] = self.refs["lead_department"]
        yes, no = reader.both_languages(_l("是")), reader.both_languages(_l("否"))
        self.flags = {k: True for k in yes} | {k: False for k in no}
        self.levels = {k: level for level, label in KEY_LEVELS.items() for k in reader.both_languages(label)}
        self.stages = stage_import.stage_words()



def import_projects(actor: User, stream) -> reader.Result:
    """Check every row and add them all when none is refused; flushes only.

    Each project is saved at 谋划, then moved through each milestone the row dates up to its
    stage, with the sheet row as the evidence.  The caller commits when `errors` is empty,
    else rolls back.
    """
    access.require(access.can_create_project(actor))
    columns, rows = reader.read(stream, IMPORT_COLUMNS, "name", MAX_ROWS)
    names, result, first_seen, today = _Names(), reader.Result(), {}, local_today()
    for number, cells in rows:
        raw = reader.row_values(cells, columns)
        data, errors = _row_data(raw, names)
        moves = stage_import.steps(raw, names.stages, today, errors)
        links = _name_taken(number, raw.get("name"), first_seen, errors)
        found = svc.check_project(data)[0]
        for field_name, message in found.items():
            errors.setdefault(_FIELD_COLUMNS.get(field_name, field_name), message)
        if errors:
            result.errors += reader.row_errors(number, errors, IMPORT_COLUMNS, links)
        elif not result.errors:  # once a row is refused nothing is kept: later rows are only checked
            source = f"Excel 导入第 {number} 行"  # stored as data: in Chinese, like the audit notes
            with audit.acting_as(actor, note=source):
                project = svc.save_project(actor, None, data)
                stage_import.replay(actor, project, moves, evidence=source, today=today)
            result.created.append(project)
    return result


def _row_data(raw: dict, names: _Names) -> tuple[dict, dict]:
    """(data for services/projects.save_project, errors by column key) of one row."""
    data = {key: raw.get(key) for key in _TEXT}
    errors = {}
    for column, target in (("sector", "sector_id"), ("park", "park_id"), ("lead_department", "lead_department_id"),
                           ("task_force", "task_force_id"), ("owner", "owner_id")):
        if not raw.get(column):
            continue
        index = names.refs[column]
        data[target] = index.get(raw[column])
        if column == "owner" and reader.key(raw[column]) in index.ambiguous:
            errors[column] = _("有多位同名负责人，请填写用户名：%(value)s。", value=raw[column])
        elif data[target] is None:
            errors[column] = _("没有这一项：%(value)s。", value=raw[column])
    words = [w.strip() for w in reader.LIST_SPLIT.split(raw.get("departments") or "") if w.strip()]
    data["department_ids"] = [names.refs["departments"].get(w) for w in words]
    if None in data["department_ids"]:
        errors["departments"] = _("没有这些部门：%(value)s。", value="、".join(
            w for w in words if w not in names.refs["departments"]))
    data["investor_ids"], missing = _investors(raw.get("investors"))
    if missing:
        errors["investors"] = _("企业库中没有：%(value)s（请先新建或导入这些企业）。", value="、".join(missing))
    _flags(raw, names, data, errors)
    return data, errors


def _flags(raw: dict, names: _Names, data: dict, errors: dict) -> None:
    level = reader.key(raw.get("key_level"))
    data["is_key"] = bool(level) and (level in names.levels or names.flags.get(level) is True)
    data["key_level"] = names.levels.get(level)
    if level and level not in names.levels and level not in names.flags:
        errors["key_level"] = _("重点级别无效：%(value)s。", value=raw["key_level"])
    pool = reader.key(raw.get("in_pool"))
    data["in_pool"] = names.flags.get(pool, True) if pool else True
    if pool and pool not in names.flags:
        errors["in_pool"] = _("请填写“是”或“否”：%(value)s。", value=raw["in_pool"])


def _investors(cell: str | None) -> tuple[list[int], list[str]]:
    """Ids of the investor enterprises a cell names (by their normalised names), and the names
    the enterprise list does not have."""
    wanted = [w.strip() for w in reader.LIST_SPLIT.split(cell or "") if w.strip()]
    if not wanted:
        return [], []
    known = dict(db.session.execute(sa.select(Enterprise.name_norm, Enterprise.id).where(
        Enterprise.name_norm.in_([normalize_name(w) for w in wanted]))).all())
    return ([known[normalize_name(w)] for w in wanted if normalize_name(w) in known],
            [w for w in wanted if normalize_name(w) not in known])


def _name_taken(number: int, name: str | None, first_seen: dict, errors: dict) -> dict:
    """A project the list or the sheet already has by that name is refused (an import run twice
    would otherwise double the pool); returns the link to the existing one."""
    norm = normalize_name(name or "")
    if not norm:
        return {}
    if norm in first_seen:
        errors["name"] = _("与第 %(row)s 行是同一个项目。", row=first_seen[norm])
        return {}
    first_seen[norm] = number
    existing = db.session.execute(sa.select(Project.id, Project.name).where(
        sa.func.lower(Project.name) == name.strip().lower())).first()
    if existing is None:
        return {}
    errors["name"] = _("已有同名项目：")
    return {"name": (existing.id, existing.name)}


def template() -> bytes:
    """The .xlsx to fill in: the import columns in the UI language, drop-down lists for the choices."""
    def labels(model, *order):
        return [row.label() for row in db.session.scalars(sa.select(model).order_by(*order))]

    lists = {
        "sector": labels(Sector, Sector.column_no, Sector.id), "park": labels(Park, Park.id),
        "lead_department": labels(Department, Department.id), "task_force": labels(TaskForce, TaskForce.id),
        "owner": [user.display_name for user in queries.file_owners()],
        "key_level": [str(label) for label in KEY_LEVELS.values()] + [_("否")], "in_pool": [_("是"), _("否")],
        "stage": [str(STAGE_LABELS[stage]) for stage in MAIN_STAGES + SIDE_STAGES],
    }
    keys = [c.key for c in IMPORT_COLUMNS]
    return xlsx.import_template(
        _("储备项目导入表"),
        _("带 * 的列必填。阶段留空即谋划；已到洽谈、签约、开工或投产的项目，填写到该阶段为止每个阶段的日期（签约另填签约金额）；"
          "暂缓、终止的项目另填暂停前到过的阶段的日期，以及暂缓/终止日期和原因。"
          "责任部门、投资主体可填多个，用顿号分隔，投资主体须已在企业库中。"),
        [(str(c.label), c.width, c.key in ("name", "sector")) for c in IMPORT_COLUMNS],
        {keys.index(key) + 1: values for key, values in lists.items()}, MAX_ROWS, sheet_name=_("项目"))
