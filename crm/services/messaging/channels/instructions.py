"""New 领导批示 to the robots subscribed for their project (department, liaison leader, 专班).

The leaders' service writes a 批示 without announcing it, so this module watches the session:
each Instruction inserted is announced when its transaction commits (before_commit, where the
delivery and outbox rows can still join the same commit), whichever code path wrote it.
"""
from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.models import Instruction
from crm.services.messaging.channels import formats
from crm.services.messaging.channels.deliveries import announce, matching_channels

EVENT = "new_instruction"
_PENDING = "channel_new_instructions"


def instruction_message(instruction: Instruction, base_url: str) -> tuple[str, str]:
    project = instruction.project
    lines = [f"**项目**：{formats.escape(project.name)}",
             f"**批示领导**：{formats.escape(instruction.leader.display_name)}",
             f"**批示内容**：{formats.escape(instruction.text)}",
             f"**承办单位**：{formats.escape('、'.join(d.name for d in instruction.units) or '—')}",
             f"**办理时限**：{instruction.deadline.isoformat() if instruction.deadline else '—'}",
             f"[查看项目]({base_url.rstrip('/')}/projects/{project.id})"]
    return "领导批示", "\n".join(lines)


def announce_instruction(instruction: Instruction, base_url: str) -> int:
    channels = matching_channels(EVENT, instruction.project)
    title, body = instruction_message(instruction, base_url)
    return len(announce(EVENT, f"instruction:{instruction.id}", channels, title, body))


@event.listens_for(Session, "after_flush_postexec")
def _collect(session: Session, flush_context) -> None:
    """Remember the 批示 this flush inserted (their ids exist now)."""
    new = [o.id for o in session.info.pop("channel_new_objects", []) if o.id is not None]
    if new:
        session.info.setdefault(_PENDING, []).extend(new)


@event.listens_for(Session, "before_flush")
def _watch(session: Session, flush_context, instances) -> None:
    new = [o for o in session.new if isinstance(o, Instruction)]
    if new:
        session.info.setdefault("channel_new_objects", []).extend(new)


@event.listens_for(Session, "before_commit")
def _announce(session: Session) -> None:
    if not has_app_context() or session is not db.session():
        return
    session.flush()  # a 批示 added but not yet flushed is announced too
    ids = session.info.pop(_PENDING, [])
    for instruction_id in ids:
        instruction = session.get(Instruction, instruction_id)
        if instruction is not None:
            announce_instruction(instruction, current_app.extensions["settings"].BASE_URL)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop("channel_new_objects", None)
