"""The stage an imported project has reached, and its dated milestones, from a sheet row.

An office that starts using the system has projects already signed or under way, and its
Excel list carries their dates; so does our own project export.  A row may say any main
stage up to 投产 when it gives the date of every milestone up to that stage (and the signed
amount): services/project_sheet saves the project at 谋划, then `replay` moves it one normal
step per milestone through pipeline.move_stage, so each stage has its dated StageEvent, its
audit row and its signals (liaison assignment), as if it had been moved on the project page.
A row at 暂缓 or 终止 dates the milestones it reached before, and gives the date and the reason
of the pause or the drop, which move_stage requires: its export carries both, so a project
list goes back in whole.
"""
from __future__ import annotations

from datetime import date

from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Project, StageEvent, User
from crm.models.project import MAIN_STAGES, SIDE_STAGES
from crm.services import pipeline
from crm.services.pipeline import MILESTONE_FIELDS, STAGE_LABELS
from crm.services.projects import FIELD_LABELS, parse_amount
from crm.services.sheets import reader

Column = reader.Column
SIDE_LABELS = {"side_on": _l("暂缓/终止日期"), "side_reason": _l("暂缓/终止原因")}
SIDE_COLUMNS = tuple(SIDE_LABELS)
COLUMNS = (
    Column("contacted_on", FIELD_LABELS["contacted_on"], ("洽谈日期", "首次对接日期"), 12),
    Column("signed_on", FIELD_LABELS["signed_on"], (), 12),
    Column("signed_amount", FIELD_LABELS["signed_amount"], ("签约金额", "合同金额"), 14),
    Column("started_on", FIELD_LABELS["started_on"], (), 12),
    Column("operating_on", FIELD_LABELS["operating_on"], ("投产时间",), 12),
    Column("side_on", SIDE_LABELS["side_on"], ("暂缓日期", "终止日期"), 12),
    Column("side_reason", SIDE_LABELS["side_reason"], ("暂缓原因", "终止原因"), 30),
)


def stage_words() -> dict[str, str]:
    """Sheet word → stage code, for every stage, in both languages and as the code itself."""
    return {word: code for code, label in STAGE_LABELS.items()
            for word in reader.both_languages(label) | {code}}


def steps(raw: dict, words: dict[str, str], today: date, errors: dict) -> list[tuple]:
    """The moves [(stage, date, amount, reason)] that bring a new project to the row's stage;
    the problems go into `errors` by column key (and then the moves are not to be made)."""
    word = reader.key(raw.get("stage"))
    target = words.get(word, "planned") if word else "planned"
    if word and word not in words:
        errors["stage"] = _("没有这个阶段：%(value)s。", value=raw["stage"])
        return []
    side = _side_move(target, raw, errors)
    base = _dated_stage(raw) if target in SIDE_STAGES else target
    reached = MAIN_STAGES[1:MAIN_STAGES.index(base) + 1]
    moves = [_move(stage, raw, errors, stage in reached) for stage in MAIN_STAGES[1:]][:len(reached)]
    if errors.keys() & {"signed_amount", *MILESTONE_FIELDS.values(), *SIDE_COLUMNS}:
        return []
    moves += [side] if side else []
    problem = pipeline.check_history(moves, today)
    if problem:
        stage, message = problem
        errors[MILESTONE_FIELDS.get(stage, "side_on")] = message
        return []
    return moves


def _dated_stage(raw: dict) -> str:
    """The last main stage a 暂缓/终止 row dates (a signed amount alone counts for 签约)."""
    dated = [stage for stage, column in MILESTONE_FIELDS.items()
             if _filled(raw.get(column)) or (stage == "signed" and _filled(raw.get("signed_amount")))]
    return dated[-1] if dated else "planned"


def _side_move(target: str, raw: dict, errors: dict) -> tuple | None:
    """(暂缓/终止, date, None, reason) for a row at a side stage; a side date or reason on any
    other row, or a side row without them, is an error on its column."""
    try:
        on = reader.cell_date(raw.get("side_on"))
    except ValueError as error:
        errors["side_on"] = str(error)
        on = None
    reason = str(raw.get("side_reason") or "").strip()
    if target not in SIDE_STAGES:
        for column in (c for c in SIDE_COLUMNS if _filled(raw.get(c)) and c not in errors):
            errors[column] = _("阶段不是暂缓或终止，不应填写此项；请核对“阶段”一列。")
        return None
    if on is None and "side_on" not in errors:
        errors["side_on"] = _("阶段为%(stage)s，请填写此日期。", stage=STAGE_LABELS[target])
    if not reason:
        errors["side_reason"] = _("暂缓或终止项目必须填写原因。")
    return (target, on, None, reason) if on and reason else None


def _filled(cell) -> bool:
    return bool(str(cell or "").strip())


def _move(stage: str, raw: dict, errors: dict, reached: bool) -> tuple | None:
    """(stage, date, amount, no reason) of one milestone the row has reached, else None; a
    date or amount the row should not have, lacks or garbles is an error on its column."""
    column = MILESTONE_FIELDS[stage]
    try:
        on = reader.cell_date(raw.get(column))
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
    return stage, on, amount, None  # steps() makes no move once any date or amount is refused


def _amount(raw: dict, errors: dict):
    try:
        return parse_amount(raw.get("signed_amount"), StageEvent.__table__.columns["contract_amount"].type)
    except ValueError as error:
        errors["signed_amount"] = str(error)
        return None


def replay(actor: User, project: Project, moves: list[tuple], evidence: str, today: date) -> None:
    """Make the moves `steps` found (for the same `today`) on a project just saved at 谋划;
    flushes only."""
    for stage, on, amount, reason in moves:
        pipeline.move_stage(project, stage, actor=actor, occurred_on=on, contract_amount=amount,
                            evidence=evidence, reason=reason, today=today)


# --------------------------------------------------------------------------- existing projects

def update_steps(project: Project, raw: dict, words: dict[str, str], today: date, errors: dict, *,
                 written: dict, last: date | None) -> list[tuple]:
    """The moves [(stage, date, amount, reason)] that bring an existing project from its stage to
    the row's: forward along the main line, one dated milestone at a time, or to 暂缓/终止 with
    its date and reason.  Other changes (back, resume, revive) are made on the project page,
    where an admin gives the reason.  `written`: the stage columns as the export writes the
    project; a date it already has is kept (stage dates change only with a move).  `last`: the
    date of its latest move.  Problems go into `errors` by column key; an empty or missing
    stage cell leaves the stage as it is."""
    word = reader.key(raw.get("stage"))
    if not word:
        return []
    if word not in words:
        errors["stage"] = _("没有这个阶段：%(value)s。", value=raw["stage"])
        return []
    target = words[word]
    current = project.stage
    if target == current:
        _keep_written(raw, written, errors, [c.key for c in COLUMNS])
        return []
    if target in MAIN_STAGES and current in MAIN_STAGES and MAIN_STAGES.index(target) > MAIN_STAGES.index(current):
        new = MAIN_STAGES[MAIN_STAGES.index(current) + 1:MAIN_STAGES.index(target) + 1]
        kept = [MILESTONE_FIELDS[s] for s in MAIN_STAGES[1:MAIN_STAGES.index(current) + 1]]
        kept += ["signed_amount"] if "signed" not in new and "signed_on" in kept else []
        _keep_written(raw, written, errors, kept)
        moves = [_move(stage, raw, errors, True) for stage in new]
        _side_move(target, raw, errors)  # a side date or reason on a main-stage row is an error
    elif target in SIDE_STAGES:
        _keep_written(raw, written, errors, [c.key for c in COLUMNS if c.key not in SIDE_COLUMNS])
        moves = [_side_move(target, raw, errors)]
    else:
        errors["stage"] = _("从%(old)s改为%(new)s须在项目页面办理（回退、恢复须由管理员说明原因）。",
                            old=STAGE_LABELS[current], new=STAGE_LABELS[target])
        return []
    if errors.keys() & {"stage", "signed_amount", *MILESTONE_FIELDS.values(), *SIDE_COLUMNS}:
        return []
    problem = pipeline.check_history(moves, today, start=project, last=last)
    if problem:
        stage, message = problem
        errors[MILESTONE_FIELDS.get(stage, "side_on")] = message
        return []
    return moves


def _keep_written(raw: dict, written: dict, errors: dict, columns: list[str]) -> None:
    """A stage column the project already has must say what the export wrote (a missing column
    says nothing)."""
    for column in columns:
        if column not in raw or column in errors:
            continue
        try:
            same = _stage_value(column, raw[column]) == _stage_value(column, written.get(column))
        except ValueError:
            same = False
        if not same:
            errors[column] = _("已登记的阶段日期、签约金额和暂缓/终止原因只随阶段变更记录，不能在表中修改"
                               "（请改回原值，或在项目页面办理）。")


def _stage_value(column: str, value):
    """A stage cell as compared: a date, an amount, or stripped text."""
    if isinstance(value, date):
        return value
    text = reader.cell_text(value)
    if column == "signed_amount":
        return parse_amount(text, StageEvent.__table__.columns["contract_amount"].type)
    if column == "side_reason":
        return text
    return reader.cell_date(text)
