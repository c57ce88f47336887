"""The timeline's sources read from the records themselves: contacts, stage moves, 批示,
problems raised and monthly 调度 reports (audited.py reads the audit trail).  Each is a pair of
small functions (rows, load) and registers itself; see the package docstring for the contract.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import current_lang
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Instruction, Interaction, Problem, ProgressReport, Project, StageEvent
from crm.models.project import project_investors
from crm.services.core.clock import full_day_label, month_label
from crm.services.core.money import format_wan
from crm.services.interactions import KIND_LABELS
from crm.services.pipeline import STAGE_LABELS
from crm.services.timeline import Entry, Source, Subject, register, register_kind

for _kind, _label in (("contact", _l("对接记录")), ("stage", _l("阶段记录")), ("instruction", _l("领导批示")),
                      ("problem", _l("问题台账")), ("report", _l("月度调度")), ("edit", _l("操作日志"))):
    register_kind(_kind, _label)


def _name(user) -> str:
    return str(user) if user is not None else _("系统")


def project_link(project: Project) -> tuple[str, str, dict]:
    return project.display_name, "projects.detail", {"project_id": project.id}


def rows_by_id(model, ids: list[int], *options) -> list:
    return db.session.scalars(sa.select(model).options(*options).where(model.id.in_(ids))).unique().all()


def _of_project(column, at, subject: Subject):
    """select(id, at) of a project-only source: None for other subjects."""
    if subject.type != "project":
        return None
    return sa.select(column.table.c.id, at).where(column == subject.id)


# ---------------------------------------------------------------------------------------
# 对接记录

def _contact_rows(subject: Subject):
    column = {"project": Interaction.project_id, "enterprise": Interaction.enterprise_id}.get(subject.type)
    return None if column is None else sa.select(Interaction.id, Interaction.occurred_at).where(column == subject.id)


def _contact_load(ids: list[int]) -> dict[int, Entry]:
    entries = {}
    for i in rows_by_id(Interaction, ids, joinedload(Interaction.enterprise), joinedload(Interaction.project),
                         joinedload(Interaction.created_by)):
        lines = [(_("对接内容"), i.summary)]
        if i.our_participants or i.their_participants:
            lines.append((_("参与人"), " / ".join(p for p in (i.our_participants, i.their_participants) if p)))
        lines += [(label, text) for label, text in ((_("成果"), i.outcome), (_("下一步"), i.next_step)) if text]
        title = f"{KIND_LABELS.get(i.kind, i.kind)} · {i.enterprise.display_name}"
        entries[i.id] = Entry("contact", i.occurred_at, _name(i.created_by), title, lines, record=i,
                              link=project_link(i.project) if i.project else
                              (i.enterprise.display_name, "enterprises.detail", {"enterprise_id": i.enterprise_id}))
    return entries


# ---------------------------------------------------------------------------------------
# 阶段变更 (an enterprise's: those of the projects it invests in)

def _stage_rows(subject: Subject):
    rows = sa.select(StageEvent.id, StageEvent.recorded_at)
    if subject.type == "project":
        return rows.where(StageEvent.project_id == subject.id)
    if subject.type == "enterprise":
        invested = sa.select(project_investors.c.project_id).where(project_investors.c.enterprise_id == subject.id)
        return rows.where(StageEvent.project_id.in_(invested))
    return None


def _stage_load(ids: list[int]) -> dict[int, Entry]:
    entries = {}
    for ev in rows_by_id(StageEvent, ids, joinedload(StageEvent.project), joinedload(StageEvent.recorded_by)):
        moved = " → ".join(str(STAGE_LABELS[s]) for s in (ev.from_stage, ev.to_stage) if s)
        lines = [(_("阶段日期"), full_day_label(ev.occurred_on))]
        if ev.contract_amount is not None:
            lines.append((_("签约金额"), format_wan(ev.contract_amount, current_lang())))
        lines += [(label, text) for label, text in ((_("依据"), ev.evidence), (_("原因"), ev.reason)) if text]
        if ev.is_override:
            lines.append((_("说明"), _("管理员调整")))
        entries[ev.id] = Entry("stage", ev.recorded_at, _name(ev.recorded_by), _("阶段变更：%(moved)s", moved=moved),
                               lines, link=project_link(ev.project), record=ev)
    return entries


# ---------------------------------------------------------------------------------------
# 领导批示

def _instruction_load(ids: list[int]) -> dict[int, Entry]:
    entries = {}
    for ins in rows_by_id(Instruction, ids, joinedload(Instruction.leader), joinedload(Instruction.project)):
        lines = [(_("领导批示"), ins.text)]
        if ins.follow_up_required:
            lines.append((_("说明"), _("需跟踪落实")))
        who = _name(ins.leader) + (f"（{ins.leader.title}）" if ins.leader.title else "")
        entries[ins.id] = Entry("instruction", ins.created_at, who, _("领导批示"), lines,
                                link=project_link(ins.project), record=ins)
    return entries


# ---------------------------------------------------------------------------------------
# 问题台账: raised (the row) and closed (the audit row of its 销号)

def _problem_raised_load(ids: list[int]) -> dict[int, Entry]:
    entries = {}
    for p in rows_by_id(Problem, ids, joinedload(Problem.department), joinedload(Problem.created_by),
                         joinedload(Problem.project)):
        lines = [(_("问题描述"), p.description), (_("责任部门"), str(p.department)),
                 (_("整改时限"), full_day_label(p.deadline))]
        entries[p.id] = Entry("problem", p.created_at, _name(p.created_by), _("提出问题"), lines,
                              link=project_link(p.project), record=p)
    return entries


# ---------------------------------------------------------------------------------------
# 月度调度

def _report_load(ids: list[int]) -> dict[int, Entry]:
    entries = {}
    lang = current_lang()
    for r in rows_by_id(ProgressReport, ids, joinedload(ProgressReport.submitted_by),
                         joinedload(ProgressReport.department), joinedload(ProgressReport.project)):
        lines = [(_("报送部门"), str(r.department)), (_("本月完成投资"), format_wan(r.invest_month, lang)),
                 (_("累计完成投资"), format_wan(r.invest_cumulative, lang)),
                 (_("到位资金"), format_wan(r.funds_in_place, lang))]
        lines += [(label, text) for label, text in ((_("项目进展"), r.progress), (_("存在问题"), r.problems_text))
                  if text]
        entries[r.id] = Entry("report", r.submitted_at, _name(r.submitted_by),
                              _("月度调度：%(month)s", month=month_label(r.month)), lines,
                              link=project_link(r.project), record=r)
    return entries


register(Source("contact", "contact", _contact_rows, _contact_load))
register(Source("stage", "stage", _stage_rows, _stage_load))
register(Source("instruction", "instruction",
                lambda s: _of_project(Instruction.project_id, Instruction.created_at, s), _instruction_load))
register(Source("problem_raised", "problem",
                lambda s: _of_project(Problem.project_id, Problem.created_at, s), _problem_raised_load))
register(Source("report", "report",
                lambda s: _of_project(ProgressReport.project_id, ProgressReport.submitted_at, s), _report_load))

