"""A project whose history holds every kind of timeline entry, interleaved in time: round i
writes a contact, a stage move, a 批示, a problem raised and closed, a monthly report and an
edit, one minute apart, so any page of the timeline holds every kind."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, Instruction, StageEvent
from crm.services.routines import problems
from tests import factories

START = datetime(2025, 1, 1, 1, 0)
SOURCES = 7  # entries per round


def _stamp_last_audit(at: datetime) -> None:
    """The audit row just written happened at `at` (the listener stamps the real now)."""
    last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    last.at = at
    db.session.commit()


def busy_project(rounds: int, *, leader=None, actor=None):
    """(project, enterprise) with `rounds` rounds of history; the enterprise invests in the project."""
    investor = factories.enterprise(name=f"绥芬河时间线企业{rounds}")
    dept = factories.department("农业农村局")
    leader = leader or factories.user("leader", leader_rank=2, title="副市长", display_name="王副市长")
    actor = actor or factories.user("admin", display_name="李管理")
    project = factories.project(name=f"时间线项目{rounds}", investors=[investor], lead_department=dept,
                                liaison_leader=leader)
    stages = ("planned", "contact")
    for i in range(rounds):
        at = START + timedelta(hours=i)
        factories.interaction(investor, project=project, occurred_at=at, summary=f"第{i}次对接", created_by=actor,
                              next_follow_up=date(2025, 2, 1))
        db.session.add(StageEvent(project=project, from_stage=stages[i % 2], to_stage=stages[(i + 1) % 2],
                                  occurred_on=at.date(), evidence=f"依据{i}", recorded_at=at + timedelta(minutes=1),
                                  recorded_by=actor))
        db.session.add(Instruction(project=project, leader=leader, text=f"批示{i}",
                                   created_at=at + timedelta(minutes=2)))
        problem = factories.problem(project, description=f"问题{i}", created_at=at + timedelta(minutes=3),
                                    created_by_id=actor.id, raised_on=date(2025, 1, 1))
        problems.resolve(actor, problem, resolution=f"已解决{i}", resolved_on=date(2025, 1, 1), today=date(2025, 1, 2))
        db.session.commit()
        _stamp_last_audit(at + timedelta(minutes=4))
        factories.progress_report(project, month=date(2000 + i // 12, i % 12 + 1, 1),
                                  submitted_at=at + timedelta(minutes=5), submitted_by_id=actor.id)
        project.notes = f"备注{i}"
        db.session.commit()
        _stamp_last_audit(at + timedelta(minutes=6))
    return project, investor
