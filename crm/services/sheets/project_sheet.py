"""The project list as an Excel sheet (项目清单) in one column layout (README "Excel round trip"):
the export writes every field a person can edit, and the import (services/sheets/project_import)
reads the same columns back, so a list exported, edited in Excel and imported changes exactly the
cells that were edited.  The template is the layout without the 编号 column, empty.

Names of projects and texts are written as stored (the Chinese, with the English and Russian in
their own columns); choices (sector, stage, departments …) in the UI language, which the import
reads in either language; people as "显示名（用户名）"; amounts are numbers in 万元 with the
office's format, so the sheet can be summed and sorted in Excel.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Department, Park, Project, Sector, StageEvent, TaskForce
from crm.models.project import MAIN_STAGES, SIDE_STAGES
from crm.services.core import queries
from crm.services.core.clock import local_today
from crm.services.core.progress import counted
from crm.services.pipeline import STAGE_LABELS
from crm.services.projects import FIELD_LABELS, KEY_LEVELS, PRIORITIES
from crm.services.sheets import reader, stage_import, xlsx

MAX_EXPORT = 10000  # every project of a province fits
MAX_ROWS = 20000  # an import: a province's whole list, edited and sent back
TEMPLATE_ROWS = 1000  # rows of the template that offer the drop-down lists

Column = reader.Column
ID_COLUMN = Column("id", _l("编号"), ("项目编号", "ID"), 7)
COLUMNS = (  # the sheet's layout after 编号; the template's too
    Column("name", FIELD_LABELS["name"], ("项目", "名称"), 36),
    Column("name_en", FIELD_LABELS["name_en"], (), 30),
    Column("name_ru", FIELD_LABELS["name_ru"], (), 30),
    Column("sector", FIELD_LABELS["sector_id"], ("所属产业", "产业", "行业"), 12),
    Column("stage", FIELD_LABELS["stage"], ("项目阶段",), 8),
    Column("total_investment", FIELD_LABELS["total_investment"], (), 14),
    Column("fixed_investment", FIELD_LABELS["fixed_investment"], (), 14),
    Column("funding_sources", FIELD_LABELS["funding_sources"], (), 16),
    Column("capacity", FIELD_LABELS["capacity"], ("建设规模", "产能"), 20),
    Column("capacity_en", FIELD_LABELS["capacity_en"], (), 20),
    Column("capacity_ru", FIELD_LABELS["capacity_ru"], (), 20),
    Column("land_mu", FIELD_LABELS["land_mu"], (), 10),
    Column("land_m2", FIELD_LABELS["land_m2"], (), 12),
    Column("land_text", FIELD_LABELS["land_text"], (), 16),
    Column("jobs", FIELD_LABELS["jobs"], ("就业",), 10),
    Column("park", FIELD_LABELS["park_id"], (), 14),
    Column("site", FIELD_LABELS["site"], ("建设地点",), 20),
    Column("site_en", FIELD_LABELS["site_en"], (), 20),
    Column("site_ru", FIELD_LABELS["site_ru"], (), 20),
    Column("lead_department", FIELD_LABELS["lead_department_id"], (), 14),
    Column("departments", FIELD_LABELS["department_ids"], (), 20),
    Column("task_force", FIELD_LABELS["task_force_id"], (), 16),
    Column("liaison_leader", FIELD_LABELS["liaison_leader_id"], (), 14),
    Column("owner", FIELD_LABELS["owner_id"], ("负责人",), 14),
    Column("key_level", FIELD_LABELS["key_level"], ("重点项目",), 10),
    Column("in_pool", FIELD_LABELS["in_pool"], (), 8),
    Column("priority", FIELD_LABELS["priority"], (), 8),
    Column("investors", FIELD_LABELS["investor_ids"], ("投资方", "投资企业"), 28),
    *stage_import.COLUMNS,
    Column("description", FIELD_LABELS["description"], ("建设内容",), 50),
    Column("description_en", FIELD_LABELS["description_en"], (), 40),
    Column("description_ru", FIELD_LABELS["description_ru"], (), 40),
    Column("notes", FIELD_LABELS["notes"], ("备注",), 24),
)
# Written for the reader, never read back: the system keeps it from the contact logs.
LAST_CONTACT = Column("last_interaction_at", FIELD_LABELS["last_interaction_at"], (), 12)
READ_COLUMNS = (ID_COLUMN, *COLUMNS)
EXPORT_COLUMNS = (*READ_COLUMNS, LAST_CONTACT)
MONEY = tuple(n for n, c in enumerate(EXPORT_COLUMNS, start=1)
              if c.key in ("total_investment", "fixed_investment", "signed_amount"))
INVESTOR_SEPARATOR = "\n"  # one firm a line: a firm's name may hold "、" or ","


def _label(row) -> str | None:
    return row.label() if row is not None else None


def key_level_word(project: Project) -> str | None:
    if project.is_key and project.key_level in KEY_LEVELS:
        return str(KEY_LEVELS[project.key_level])
    return _("是") if project.is_key else None


# column key → the cell of a project, for the columns that are not stored as they are written
_WRITTEN = {
    "sector": lambda p: _label(p.sector), "park": lambda p: _label(p.park),
    "stage": lambda p: str(STAGE_LABELS.get(p.stage, p.stage)),
    "lead_department": lambda p: _label(p.lead_department), "task_force": lambda p: _label(p.task_force),
    "departments": lambda p: "、".join(d.label() for d in p.departments) or None,
    "liaison_leader": lambda p: reader.person_label(p.liaison_leader),
    "owner": lambda p: reader.person_label(p.owner),
    "key_level": key_level_word,
    "in_pool": lambda p: _("是") if p.in_pool else _("否"),
    "priority": lambda p: str(PRIORITIES.get(p.priority, p.priority)) if p.priority else None,
    "investors": lambda p: INVESTOR_SEPARATOR.join(e.name for e in p.investors) or None,
    "side_on": lambda p: p.stage_on if p.stage in SIDE_STAGES else None,
    "last_interaction_at": lambda p: local_today(p.last_interaction_at) if p.last_interaction_at else None,
}
OPTIONS = (joinedload(Project.sector), joinedload(Project.park), joinedload(Project.lead_department),
           joinedload(Project.task_force), joinedload(Project.liaison_leader), joinedload(Project.owner),
           selectinload(Project.departments), selectinload(Project.investors))


def cell(project: Project, key: str, side_reasons: dict[int, str]):
    """What the sheet's `key` column says of a project (side_reasons: side_reasons() of the list)."""
    if key == "side_reason":
        return side_reasons.get(project.id)
    written = _WRITTEN.get(key)
    return written(project) if written else getattr(project, key)


def count(conditions: list) -> int:
    """How many projects an export of `conditions` writes (one COUNT): small ones are instant."""
    return min(db.session.scalar(sa.select(sa.func.count(Project.id)).where(*conditions)), MAX_EXPORT)


def export(conditions: list, now: datetime, *, target: Path | None = None,
           progress: Callable[[int, int], None] | None = None) -> tuple[bytes | None, int, bool]:
    """(the .xlsx, rows written, whether the list was cut at MAX_EXPORT) for the list page's
    conditions (services/projects.project_filters), in its order: newest first.  The request
    and the export job (services/sheets/exports) share it: the job gives a `target` file (the
    bytes are then None) and `progress(done, total)`."""
    ids, cut = queries.capped_ids(sa.select(Project.id).where(*conditions).order_by(Project.id.desc()), MAX_EXPORT)
    note = _("导出：%(at)s　共 %(n)s 个项目", at=f"{now:%Y-%m-%d %H:%M}", n=len(ids))
    if cut:
        note += _("（只导出前 %(n)s 个，请用筛选缩小范围）", n=MAX_EXPORT)
    reasons = side_reasons(sa.select(Project.id).where(*conditions, Project.stage.in_(SIDE_STAGES)))
    rows = ([cell(p, c.key, reasons) for c in EXPORT_COLUMNS] for p in queries.in_order(Project, ids, OPTIONS))
    data = xlsx.list_workbook(_("招商项目清单"), note, [(str(c.label), c.width, False) for c in EXPORT_COLUMNS],
                              counted(rows, len(ids), progress), money=MONEY, sheet_name=_("项目"), target=target)
    return data, len(ids), cut


def side_reasons(side_ids) -> dict[int, str]:
    """Project id → why it was paused or dropped, for the projects of `side_ids` (a select or a
    list of ids at 暂缓 or 终止): the reason of each one's latest move, in one statement (the
    sheet's import requires it)."""
    moves = db.session.execute(sa.select(StageEvent.project_id, StageEvent.reason)
                               .where(StageEvent.project_id.in_(side_ids)).order_by(StageEvent.project_id, StageEvent.id))
    return {project_id: reason for project_id, reason in moves}  # the latest move wins


def template() -> bytes:
    """The .xlsx to fill in: the import columns in the UI language, drop-down lists for the choices."""
    def labels(model, *order):
        return [row.label() for row in db.session.scalars(sa.select(model).order_by(*order))]

    lists = {
        "sector": labels(Sector, Sector.column_no, Sector.id), "park": labels(Park, Park.id),
        "lead_department": labels(Department, Department.id), "task_force": labels(TaskForce, TaskForce.id),
        "owner": [reader.person_label(user) for user in queries.file_owners()],
        "liaison_leader": [reader.person_label(user) for user in queries.enabled_leaders()],
        "priority": [str(label) for label in PRIORITIES.values()],
        "key_level": [str(label) for label in KEY_LEVELS.values()] + [_("否")], "in_pool": [_("是"), _("否")],
        "stage": [str(STAGE_LABELS[stage]) for stage in MAIN_STAGES + SIDE_STAGES],
    }
    keys = [c.key for c in COLUMNS]
    return xlsx.import_template(
        _("储备项目导入表"),
        _("带 * 的列必填。阶段留空即谋划；已到洽谈、签约、开工或投产的项目，填写到该阶段为止每个阶段的日期（签约另填签约金额）；"
          "暂缓、终止的项目另填暂停前到过的阶段的日期，以及暂缓/终止日期和原因。"
          "责任部门、投资主体可填多个，用顿号分隔，投资主体须已在企业库中。"),
        [(str(c.label), c.width, c.key in ("name", "sector")) for c in COLUMNS],
        {keys.index(key) + 1: values for key, values in lists.items()}, TEMPLATE_ROWS, sheet_name=_("项目"))
