"""A stage move with its evidence files: check the files and the stage's evidence rule first, then
move (services/projects.record_stage_move), then keep the files on the new stage record.  Any
refusal comes before anything is written, so a refused move leaves no row and no file."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from crm.models import Project, StageEvent, User
from crm.models.project import STAGES
from crm.services import projects
from crm.services.files import evidence, rules
from crm.services.pipeline import classify


def record_move(actor: User, settings, project: Project, data: Mapping,
                uploads: Sequence[evidence.Upload]) -> StageEvent:
    prepared = evidence.prepare_all(uploads, settings)
    to_stage = data.get("to_stage") or ""
    # Resuming after 暂缓 returns to a stage whose evidence is already on file.
    if to_stage in STAGES and classify(project, to_stage) != "resume":
        rules.check_move(to_stage, len(prepared))
    event = projects.record_stage_move(actor, project, data)
    evidence.save(actor, settings, prepared, kind="stage", project_id=project.id, owner_id=event.id)
    return event
