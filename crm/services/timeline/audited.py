"""The timeline's sources read from the audit trail: a problem's 销号 (who closed it, when) and
a record's own edits, in words.

Audit rows are matched on their JSON text (cast to text, the same on SQLite and PostgreSQL,
whose `json` type keeps the text as written): a problem's 销号 is the update whose status went
to "resolved", and a record's edits leave out the rows that only echo another entry (a stage
move's new stage, a contact's last_interaction_at).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import AuditEvent, Problem, Sector, User
from crm.services import projects
from crm.services.core import audit
from crm.services.core.clock import full_day_label
from crm.services.enterprises import ROLE_LABELS, STATUS_LABELS
from crm.services.timeline import Entry, Source, Subject, register
from crm.services.timeline.sources import project_link, rows_by_id


def _changes_text():
    return sa.cast(AuditEvent.changes, sa.Text)


def _problem_closed_rows(subject: Subject):
    if subject.type != "project":
        return None
    return (sa.select(AuditEvent.id, AuditEvent.at)
            .join(Problem, sa.and_(AuditEvent.object_type == "Problem", AuditEvent.object_id == Problem.id))
            .where(Problem.project_id == subject.id, AuditEvent.action == "update",
                   _changes_text().like('%"status": ["%", "resolved"]%')))


def _problem_closed_load(ids: list[int]) -> dict[int, Entry]:
    events = rows_by_id(AuditEvent, ids, joinedload(AuditEvent.actor))
    problems = {p.id: p for p in rows_by_id(Problem, list({ev.object_id for ev in events}),
                                             joinedload(Problem.department), joinedload(Problem.project))}
    entries = {}
    for ev in events:
        p = problems.get(ev.object_id)
        if p is None:  # the problem was deleted since
            continue
        lines = [(_("问题描述"), p.description), (_("责任部门"), str(p.department))]
        if p.resolved_on:
            lines.append((_("销号日期"), full_day_label(p.resolved_on)))
        if p.resolution:
            lines.append((_("整改情况"), p.resolution))
        entries[ev.id] = Entry("problem", ev.at, audit.actor_name(ev), _("问题销号"), lines,
                               link=project_link(p.project), record=p)
    return entries


# ---------------------------------------------------------------------------------------
# 修改记录: the record's own audit rows, in words

# An enterprise's fields as its form names them; the ids and codes it keeps, named.
ENTERPRISE_LABELS = {
    "name": _l("企业名称"), "short_name": _l("简称"), "name_en": _l("英文名称"), "name_ru": _l("俄文名称"),
    "credit_code": _l("统一社会信用代码"), "country": _l("国家/地区"), "region": _l("省市"),
    "sector_id": _l("所属产业"), "source_channel": _l("来源渠道"), "owner_id": _l("负责人"), "status": _l("状态"),
    "role": _l("企业类型"), "tag_rows": _l("标签"), "website": _l("网址"), "address": _l("地址"),
    "description": _l("企业简介"),
}


def _word(value, mapping: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(mapping.get(value, value))


def describe_enterprise(events: list[AuditEvent]) -> list[dict]:
    names = audit.reference_labels(events, {"sector_id": Sector, "owner_id": User})
    words = {"status": STATUS_LABELS, "role": ROLE_LABELS, **names}
    # A merge's row also holds its undo details under a key of its own, which is not a field.
    return [{"event": ev, "items": [(ENTERPRISE_LABELS[key], _word(pair[0], words.get(key, {})),
                                     _word(pair[1], words.get(key, {})))
                                    for key, pair in (ev.changes or {}).items() if key in ENTERPRISE_LABELS]}
            for ev in events]


# object type -> (describe(events) -> [{event, items}], model), for the subjects with an edit history.
DESCRIBERS = {"project": ("Project", projects.describe_changes), "enterprise": ("Enterprise", describe_enterprise)}
ACTIONS = {"create": _l("创建"), "update": _l("修改"), "delete": _l("删除"), "merge": _l("合并企业"),
           "merged": _l("并入其他企业"), "unmerge": _l("撤销合并")}


def _edit_rows(subject: Subject):
    described = DESCRIBERS.get(subject.type)
    if described is None:
        return None
    text = _changes_text()
    return (sa.select(AuditEvent.id, AuditEvent.at)
            .where(AuditEvent.object_type == described[0], AuditEvent.object_id == subject.id,
                   # A stage move's echo on the record (the stage entry says it) …
                   ~((AuditEvent.action == "update") & text.like('%"stage": [%')),
                   # … and a logged contact's, when it is all the row says.
                   ~(text.like('{"last_interaction_at": [%') & ~text.like('%], "%'))))


def _edit_load(ids: list[int]) -> dict[int, Entry]:
    events = rows_by_id(AuditEvent, ids, joinedload(AuditEvent.actor))
    entries = {}
    for object_type, describe in DESCRIBERS.values():
        for row in describe([ev for ev in events if ev.object_type == object_type]):
            ev = row["event"]
            entries[ev.id] = Entry("edit", ev.at, audit.actor_name(ev), str(ACTIONS.get(ev.action, ev.action)),
                                   [(_("说明"), ev.note)] if ev.note else [], changes=row["items"], record=ev,
                                   link=_merge_link(ev))
    return entries


def _merge_link(ev: AuditEvent):
    """A merge, or its undo, links to the merge's record (where it can be undone)."""
    changes = ev.changes or {}
    merge_id = ev.id if ev.action == "merge" else (changes.get("unmerge") or {}).get("merge_event")
    return (_("合并记录"), "duplicates.record", {"merge_id": merge_id}) if merge_id else None


register(Source("problem_closed", "problem", _problem_closed_rows, _problem_closed_load))
register(Source("edit", "edit", _edit_rows, _edit_load))
