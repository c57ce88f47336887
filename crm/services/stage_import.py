"""The stage an imported project has reached, and its dated milestones, from a sheet row.

An office that starts using the system has projects already signed or under way, and its
Excel list carries their dates; so does our own project export.  A row may say any main
stage up to 投产 when it gives the date of every milestone up to that stage (and the signed
amount): services/project_sheet saves the project at 谋划, then `replay` moves it one normal
step per milestone through pipeline.move_stage, so each stage has its dated StageEvent, its
audit row and its signals (liaison assignment), as if it had been moved on the project page.
暂缓 and 终止 need a reason and stay on the project page.
"""
from __future__ import annotations

from datetime import date

from crm.i18n import gettext as _
from crm.models import Project, StageEvent, User
from crm.models.project import MAIN_STAGES, SIDE_STAGES
from crm.services import pipeline, sheets
from crm.services.pipeline import MILESTONE_FIELDS, STAGE_LABELS
from crm.services.projects import FIELD_LABELS, parse_amount

Column = sheets.Column
COLUMNS = (
    Column("contacted_on", FIELD_LABELS["contacted_on"], ("洽谈日期", "首次对接日期"), 12),
    Column("signed_on", FIELD_LABELS["signed_on"], (), 12),
    Column("signed_amount", FIELD_LABELS["signed_amount"], ("签约金额", "合同金额"), 14),
    Column("started_on", FIELD_LABELS["started_on"], (), 12),
    Column("operating_on", FIELD_LABELS["operating_on"], ("投产时间",), 12),
)


def stage_words() -> dict[str, str]:
    """Sheet word → stage code, for every stage, in both languages and as the code itself."""
    return {word: code for code, label in STAGE_LABELS.items()
            for word in sheets.both_languages(label) | {code}}


def steps(raw: dict, words: dict[str, str], today: date, errors: dict) -> list[tuple]:
    """The moves [(stage, date, amount)] that bring a new project to the row's stage; the
    problems go into `errors` by column key (and then the moves are not to be made)."""
    word = sheets.key(raw.get("stage"))
    target = words.get(word, "planned") if word else "planned"
    if word and word not in words:
        errors["stage"] = _("没有这个阶段：%(value)s。", value=raw["stage"])
    elif target in SIDE_STAGES:
        errors["stage"] = _("暂缓或终止须在项目页说明原因：请按项目到过的阶段导入，再在项目页登记暂缓或终止。")
    if "stage" in errors:
        return []
    reached = MAIN_STAGES[1:MAIN_STAGES.index(target) + 1]
    moves = [_move(stage, raw, errors, stage in reached) for stage in MAIN_STAGES[1:]][:len(reached)]
    if errors.keys() & {"signed_amount", *MILESTONE_FIELDS.values()}:
        return []
    problem = pipeline.check_history(moves, today)
    if problem:
        stage, message = problem
        errors[MILESTONE_FIELDS[stage]] = message
        return []
    return moves


def _move(stage: str, raw: dict, errors: dict, reached: bool) -> tuple | None:
    """(stage, date, amount) of one milestone the row has reached, else None; a date or amount
    the row should not have, lacks or garbles is an error on its column."""
    column = MILESTONE_FIELDS[stage]
    try:
        on = sheets.cell_date(raw.get(column))
    except ValueError as error:
        errors[column] = str(error)
        return None
    amount = _amount(raw, errors) if stage == "signed" else None
    if not reached:
        if on or amount:
            column = column if on else "signed_amount"
            errors[column] = _("阶段尚未到%(stage)s，不应填写此项；请核对“阶段”一列。", stage=STAGE_LABELS[stage])
        return None
    if stage == "signed" and not amount:  # the rule move_stage would apply, on its own column
        errors.setdefault("signed_amount", _("签约需要填写签约日期和大于零的签约金额（万元）。"))
    if on is None:
        errors[column] = _("阶段已到%(stage)s，请填写此日期。", stage=STAGE_LABELS[stage])
    return stage, on, amount  # steps() makes no move once any date or amount is refused


def _amount(raw: dict, errors: dict):
    try:
        return parse_amount(raw.get("signed_amount"), StageEvent.__table__.columns["contract_amount"].type)
    except ValueError as error:
        errors["signed_amount"] = str(error)
        return None


def replay(actor: User, project: Project, moves: list[tuple], evidence: str, today: date) -> None:
    """Make the moves `steps` found (for the same `today`) on a project just saved at 谋划;
    flushes only."""
    for stage, on, amount in moves:
        pipeline.move_stage(project, stage, actor=actor, occurred_on=on, contract_amount=amount,
                            evidence=evidence, today=today)
