"""The project list as an Excel sheet (项目清单): the projects the list page's filters show, one
row each with its stage milestones, for leaders' handouts and the reserve-pool review.

Names are in the UI language, as on the page; amounts are numbers in 万元 with the office's
format, so the sheet can be summed and sorted in Excel.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Project
from crm.services import queries, xlsx
from crm.services.clock import local_today
from crm.services.pipeline import STAGE_LABELS
from crm.services.projects import FIELD_LABELS, KEY_LEVELS

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
    rows = ([value(p) for _header, _width, value in COLUMNS] for p in queries.in_order(Project, ids, _OPTIONS))
    data = xlsx.list_workbook(_("招商项目清单"), note, [(str(h), w, False) for h, w, _v in COLUMNS], rows,
                              money=MONEY, sheet_name=_("项目"))
    return data, len(ids), cut
