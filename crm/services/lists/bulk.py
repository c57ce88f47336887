"""Actions on rows selected on a list page: assign an owner (负责人) to enterprises or projects,
add projects to the 储备库 or take them out.

All or nothing: every selected row is loaded and checked first (it still exists, the user may
edit it, the owner is 经合中心 staff); one refusal changes nothing.  Each row's change is audited
on its own (the audit listener records every changed record).  The message says what was done,
e.g. "已将 3 家企业的负责人改为 吴艳".
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Enterprise, Project, User
from crm.services import pool
from crm.services.core import access
from crm.services.core.errors import RuleError
from crm.services.core.ids import parse_id

MAX_SELECTED = 200  # a page's rows, with room to spare; more is not a selection made by hand


class BulkError(RuleError):
    """A bulk action refused as a whole; the message says why and nothing was changed."""


def selected_ids(values) -> list[int]:
    """The ids ticked on the page, each once, in order; junk values are refused, not skipped."""
    ids = [parse_id(v) for v in values or ()]
    if None in ids:
        raise BulkError(_l("所选的记录无效，请刷新页面后重试。"))
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise BulkError(_l("请先勾选要处理的记录。"))
    if len(ids) > MAX_SELECTED:
        raise BulkError(_l("一次最多处理 %(n)s 条记录。", n=MAX_SELECTED))
    return ids


def _load(model, ids: list[int], options=()) -> list:
    rows = db.session.scalars(sa.select(model).options(*options).where(model.id.in_(ids))).all()
    if len(rows) != len(ids):
        raise BulkError(_l("所选的记录有的已被删除，请刷新页面后重试。"))
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids]


def _owner(owner_id) -> User:
    owner = db.session.get(User, parse_id(owner_id)) if parse_id(owner_id) else None
    if owner is None or owner.role not in ("staff", "admin") or not owner.is_enabled:
        raise BulkError(_l("请选择一位经合中心工作人员作为负责人。"))
    return owner


def assign_enterprise_owner(actor: User, ids: list[int], owner_id) -> str:
    """Set the owner of the enterprises `ids`; the message to show.  Flushes, never commits."""
    if not access.can_edit_enterprises(actor):
        raise access.Denied()
    owner = _owner(owner_id)
    for enterprise in _load(Enterprise, ids):
        enterprise.owner_id = owner.id
    db.session.flush()
    return str(_l("已将 %(n)s 家企业的负责人改为 %(name)s。", n=len(ids), name=owner.display_name))


def editable_projects(actor: User, ids: list[int]) -> list[Project]:
    """The projects `ids`, each of which the user may edit (an officer: their department's), or BulkError."""
    projects = _load(Project, ids, (selectinload(Project.departments),))
    refused = [p for p in projects if not access.can_edit_project(actor, p)]
    if refused:
        raise BulkError(_l("你无权修改项目“%(name)s”，所选项目均未修改。", name=refused[0].display_name))
    return projects


def assign_project_owner(actor: User, ids: list[int], owner_id) -> str:
    owner = _owner(owner_id)
    for project in editable_projects(actor, ids):
        project.owner_id = owner.id
    db.session.flush()
    return str(_l("已将 %(n)s 个项目的负责人改为 %(name)s。", n=len(ids), name=owner.display_name))


def set_project_pool(actor: User, ids: list[int], in_pool: bool) -> str:
    try:
        changed = pool.set_membership(actor, editable_projects(actor, ids), in_pool)
    except pool.PoolError as error:
        raise BulkError(str(error)) from error
    if in_pool:
        return str(_l("已将 %(n)s 个项目加入储备库。", n=len(changed)))
    return str(_l("已将 %(n)s 个项目移出储备库。", n=len(changed)))
