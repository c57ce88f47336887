"""Project rules: saving a project (validation), the shared list filters, the eager-loading
selects behind the project list and the project page, and the board's indexes and order (its
cards are read as plain rows in services/board).

The stage is not a field here: it changes only through services/pipeline.move_stage, so every
change of stage has its dated evidence.  save_project() flushes; the view commits.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.util import identity_key

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import (
    AuditEvent,
    Department,
    Enterprise,
    Park,
    Project,
    Sector,
    StageEvent,
    TaskForce,
    User,
)
from crm.models.base import utcnow
from crm.models.liaison import Instruction, InstructionReply
from crm.models.pool import PoolReview
from crm.models.project import STAGES
from crm.services import name_pairs, pool, search
from crm.services.chains.filters import chain_choices, projects_on_chain
from crm.services.core import access, audit, money, refcache, signals, versions
from crm.services.core.clock import local_today, quarter_label
from crm.services.core.ids import parse_id
from crm.services.core.money import to_decimal
from crm.services.enterprises import ValidationError, check_lengths, clean_text
from crm.services.pipeline import STAGE_LABELS, StageError, move_stage

KEY_LEVELS = {"province": _l("省级重点"), "city": _l("市级重点")}
PRIORITIES = {1: _l("高"), 2: _l("中"), 3: _l("低")}
CENT = Decimal("0.01")
TEXT_MAX = 5000  # Text columns: long enough for any 建设主要内容 in the plan, short of abuse
INT_MAX = 2_000_000_000  # fits a 32-bit INTEGER column on PostgreSQL

# Labels of every field a person can see change: the form and the readable audit history use them.
FIELD_LABELS = {
    "name": _l("项目名称"), "name_en": _l("项目名称（英文）"), "name_ru": _l("项目名称（俄文）"),
    "description": _l("建设主要内容"), "description_en": _l("建设主要内容（英文）"),
    "description_ru": _l("建设主要内容（俄文）"),
    "site": _l("拟建地点"), "site_en": _l("拟建地点（英文）"), "site_ru": _l("拟建地点（俄文）"),
    "sector_id": _l("行业领域"), "park_id": _l("园区"), "investor_ids": _l("投资主体"), "investors": _l("投资主体"),
    "total_investment": _l("总投资（万元）"), "fixed_investment": _l("固定资产投资（万元）"),
    "funding_sources": _l("资金来源"), "capacity": _l("建设规模/产能"),
    "capacity_en": _l("建设规模/产能（英文）"), "capacity_ru": _l("建设规模/产能（俄文）"), "land_mu": _l("用地（亩）"),
    "land_m2": _l("用地（平方米）"), "land_text": _l("用地说明"), "jobs": _l("带动就业（人）"),
    "lead_department_id": _l("牵头部门"), "department_ids": _l("责任部门"), "departments": _l("责任部门"),
    "task_force_id": _l("专班"), "owner_id": _l("负责人（经合中心）"), "liaison_leader_id": _l("包联领导"),
    "is_key": _l("重点项目"), "key_level": _l("重点级别"), "in_pool": _l("在储备库"), "priority": _l("优先级"),
    "notes": _l("备注"), "stage": _l("阶段"), "stage_on": _l("进入当前阶段日期"),
    "contacted_on": _l("首次洽谈日期"), "signed_on": _l("签约日期"), "signed_amount": _l("签约金额（万元）"),
    "started_on": _l("开工日期"), "operating_on": _l("投产日期"), "column_no": _l("专栏"),
    "column_seq": _l("专栏序号"), "last_interaction_at": _l("最近对接时间"),
}

TEXT_FIELDS = ("name", "name_en", "name_ru", "description", "description_en", "description_ru", "site", "site_en",
               "site_ru", "funding_sources", "capacity", "capacity_en", "capacity_ru", "land_text", "notes")
DECIMAL_FIELDS = ("total_investment", "fixed_investment", "land_mu", "land_m2")
REFERENCES = {"sector_id": Sector, "park_id": Park, "lead_department_id": Department, "task_force_id": TaskForce,
              "owner_id": User}
COLLECTIONS = {"investor_ids": ("investors", Enterprise), "department_ids": ("departments", Department)}
SCALAR_FIELDS = TEXT_FIELDS + DECIMAL_FIELDS + tuple(REFERENCES) + ("jobs", "is_key", "key_level", "in_pool",
                                                                      "priority")


# ---------------------------------------------------------------------------------------
# Saving

def parse_amount(value, column_type=Project.__table__.columns["total_investment"].type) -> Decimal | None:
    """money.parse_amount bounded by a Numeric column: ValueError with the message to show."""
    return money.parse_amount(value, column_type.precision, column_type.scale)


def _decimal(key: str, value, errors: dict):
    try:
        return parse_amount(value, Project.__table__.columns[key].type)
    except ValueError as error:
        errors[key] = str(error)
        return None


def _integer(key: str, value, errors: dict, low: int, high: int):
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[key] = _("请输入整数。")
        return None
    if not low <= number <= high:
        errors[key] = _("应在 %(low)s 到 %(high)s 之间。", low=low, high=high)
    return number


def _ids(values) -> list[int] | None:
    """Ids from a list of form values; None when any is not an id the database can hold."""
    ids = [parse_id(v) for v in values or () if v not in (None, "")]
    return None if None in ids else list(dict.fromkeys(ids))


def _clean(data: Mapping, errors: dict) -> dict:
    clean = {key: clean_text(data.get(key)) for key in TEXT_FIELDS}
    clean.update({key: _decimal(key, data.get(key), errors) for key in DECIMAL_FIELDS})
    clean["jobs"] = _integer("jobs", data.get("jobs"), errors, 0, INT_MAX)
    clean["priority"] = _integer("priority", data.get("priority"), errors, 1, 3) or 2
    clean["is_key"] = bool(data.get("is_key"))
    clean["key_level"] = clean_text(data.get("key_level")) if clean["is_key"] else None
    clean["in_pool"] = bool(data.get("in_pool", True))
    for key in REFERENCES:  # one id, read like a list of one: junk becomes an unknown choice
        ids = _ids([data.get(key)])
        clean[key] = ids[0] if ids else None
        if ids is None:
            errors[key] = _("所选项不存在，请重新选择。")
    for key in COLLECTIONS:
        clean[key] = _ids(data.get(key))
    return clean


def _check_references(clean: dict, errors: dict) -> dict:
    """Load referenced records; ids that match nothing are errors.  Returns collection records."""
    for key, model in REFERENCES.items():
        if clean[key] is not None and key not in errors and db.session.get(model, clean[key]) is None:
            errors[key] = _("所选项不存在，请重新选择。")
    owner = db.session.get(User, clean["owner_id"]) if clean["owner_id"] and "owner_id" not in errors else None
    if owner is not None and owner.role not in ("staff", "admin"):
        errors["owner_id"] = _("负责人须为经合中心工作人员。")
    records = {}
    for key, (_rel, model) in COLLECTIONS.items():
        ids = clean[key]
        found = _in_session_or_loaded(model, ids) if ids else []
        if ids is None or len(found) != len(ids):
            errors[key] = _("所选项不存在，请重新选择。")
        records[key] = found
    return records


def _in_session_or_loaded(model, ids: list[int]) -> list:
    """The records of `ids` in id order: those the session holds without a query (an import
    loads a sheet's investors and departments once, before its rows), the others in one."""
    held = {i: db.session.identity_map.get(identity_key(model, i)) for i in ids}
    missing = [i for i, record in held.items() if record is None]
    if missing:
        held.update((r.id, r) for r in db.session.scalars(sa.select(model).where(model.id.in_(missing))))
    return sorted((r for r in held.values() if r is not None), key=lambda r: r.id)


def _validate(clean: dict, errors: dict) -> None:
    if not clean["name"]:
        errors["name"] = _("请填写项目名称。")
    if not clean["sector_id"] and "sector_id" not in errors:
        errors["sector_id"] = _("请选择行业领域。")
    if clean["key_level"] and clean["key_level"] not in KEY_LEVELS:
        errors["key_level"] = _("重点级别无效。")
    total, fixed = clean["total_investment"], clean["fixed_investment"]
    if total is not None and fixed is not None and not {"total_investment", "fixed_investment"} & errors.keys() \
            and fixed > total:
        errors["fixed_investment"] = _("固定资产投资不能大于总投资。")
    check_lengths(Project, clean, errors)
    for key in TEXT_FIELDS:
        if clean[key] and len(clean[key]) > TEXT_MAX and key not in errors:
            errors[key] = _("不能超过 %(n)s 个字符。", n=TEXT_MAX)


def check_project(data: Mapping) -> tuple[dict, dict, dict]:
    """(field → message, cleaned values, collection records) for form-like data; changes nothing."""
    errors: dict[str, str] = {}
    clean = _clean(data, errors)
    records = _check_references(clean, errors)
    _validate(clean, errors)
    return errors, clean, records


# Fields only access.can_change_project_departments may change.
DEPARTMENT_FIELDS = ("lead_department_id", "department_ids")


def _check_department_rights(actor: User, project: Project | None, clean: dict, errors: dict) -> None:
    """Refuse a change of the lead or sharing departments by someone who may not make it."""
    if access.can_change_project_departments(actor):
        return
    current = {"lead_department_id": project.lead_department_id if project else None,
               "department_ids": sorted(d.id for d in project.departments) if project else []}
    for key in DEPARTMENT_FIELDS:
        value = sorted(clean[key] or []) if key == "department_ids" else clean[key]
        if value != current[key] and key not in errors:
            errors[key] = _("只有经合中心工作人员和管理员可以更改牵头部门和责任部门。")


def save_project(actor: User, project: Project | None, data: Mapping, *, checked: tuple | None = None,
                 flush: bool = True) -> Project:
    """Create (project=None) or update a project from form-like data; flushes, never commits.

    data: the keys of SCALAR_FIELDS, plus "investor_ids" and "department_ids" (lists of ids).
    Values may be strings (imports) or typed (forms); "version", when given, is the one the form
    was filled from.  Raises ValidationError (nothing is changed), versions.StaleEdit or
    access.Denied.  New projects start in the pool at 谋划 (planned).
    checked: what check_project(data) has just returned (a sheet import checks each row before
    it saves it), so it is not run twice; flush=False: the caller flushes (an import, a chunk of
    updated rows at a time).
    """
    if project is None:
        access.require(access.can_create_project(actor))
    else:
        access.require(access.can_edit_project(actor, project))
    versions.check(project, data)
    errors, clean, records = (dict(checked[0]), *checked[1:]) if checked else check_project(data)
    _check_department_rights(actor, project, clean, errors)
    if errors:
        raise ValidationError(errors)
    created = project is None
    if created:
        project = Project(stage="planned", stage_on=local_today())
        db.session.add(project)
    changes = {key: [getattr(project, key), clean[key]] for key in SCALAR_FIELDS
               if created or getattr(project, key) != clean[key]}
    for key in SCALAR_FIELDS:
        setattr(project, key, clean[key])
    for key, (rel, _model) in COLLECTIONS.items():
        if created or [o.id for o in getattr(project, rel)] != [o.id for o in records[key]]:
            changes[rel] = [[o.id for o in getattr(project, rel)], [o.id for o in records[key]]]
            setattr(project, rel, records[key])
            project.updated_at = utcnow()  # the row itself must change, or its version would not move
    if flush:
        with versions.saved(project, data):
            db.session.flush()
    signals.project_saved.send(project, changes=changes, created=created)
    return project


def record_stage_move(actor: User, project: Project, data: Mapping) -> StageEvent:
    """Apply the stage-move form (to_stage, occurred_on, contract_amount, evidence, reason)
    through pipeline.move_stage.  Raises ValidationError (unusable amount), StageError (a
    stage rule refused) or access.Denied, and then nothing has changed."""
    to_stage = data.get("to_stage") or ""
    if not to_stage:
        raise StageError(_("请选择目标阶段。"))
    amount = None
    if to_stage == "signed":
        try:
            amount = parse_amount(data.get("contract_amount"), StageEvent.__table__.columns["contract_amount"].type)
        except ValueError as error:
            raise ValidationError({"contract_amount": str(error)}) from None
    return move_stage(project, to_stage, actor=actor, occurred_on=data.get("occurred_on"), contract_amount=amount,
                      evidence=data.get("evidence"), reason=data.get("reason"))


# ---------------------------------------------------------------------------------------
# Filters shared by the project list, the pipeline board and the catalog builder

FILTER_KEYS = ("q", "sector", "stage", "park", "department", "task_force", "key", "pool", "pool_review", "chain",
               "owner", "stale")
_CHOICE_ARGS = {"stage": STAGES, "key": ("1", "0", *KEY_LEVELS), "pool": ("1", "0"), "stale": ("1",)}


def filter_args(args: Mapping) -> dict[str, str]:
    """The usable filter values of a query string (for links that keep the current filters)."""
    kept = {}
    for key in FILTER_KEYS:
        value = (args.get(key) or "").strip()
        if key == "q":
            value = value[:100]
        elif key in _CHOICE_ARGS:
            value = value if value in _CHOICE_ARGS[key] else ""
        else:
            value = str(parse_id(value) or "")
        if value:
            kept[key] = value
    return kept


def name_contains(q: str):
    """A WHERE condition on Project: its name holds `q` in any language (Russian too: a partner's
    staff may know a project by its Russian name)."""
    matches = sa.or_(*(search.contains(c, q) for c in name_pairs.COLUMNS))
    # Narrowed through the names' two-character index first (the LIKEs alone read every project);
    # they stay, so the rows are exactly those they match.
    narrowed = name_pairs.names_hold(search.fold(q), db.engine.dialect.name)
    return matches if narrowed is None else sa.and_(narrowed, matches)


def project_filters(args: Mapping) -> list:
    """SQL conditions on Project for a query string: q, sector, stage, park, department (牵头 or
    责任), task_force (专班), key (1/0/province/city), pool (1/0), chain (产业链), owner (负责人) and
    stale=1 (久未联系, the reminder rule as of today).  Unusable values are ignored."""
    f = filter_args(args)
    conditions = []
    if "q" in f:
        conditions.append(name_contains(f["q"]))
    for key, column in (("sector", Project.sector_id), ("park", Project.park_id),
                        ("task_force", Project.task_force_id)):
        if key in f:
            conditions.append(column == int(f[key]))
    if "stage" in f:
        conditions.append(Project.stage == f["stage"])
    if "department" in f:
        conditions.append(access.department_projects(int(f["department"])))
    if "key" in f:
        level = f["key"]
        conditions.append(Project.key_level == level if level in KEY_LEVELS else Project.is_key.is_(level == "1"))
    if "pool" in f:
        conditions.append(Project.in_pool.is_(f["pool"] == "1"))
    if "pool_review" in f:  # the pool as it stood at a quarterly review (滚动储备库)
        conditions.append(Project.id.in_(pool.project_ids_as_of(int(f["pool_review"]))))
    if "chain" in f:  # 产业链: on a link of the chain
        conditions.append(projects_on_chain(int(f["chain"])))
    if "owner" in f:
        conditions.append(Project.owner_id == int(f["owner"]))
    if "stale" in f:  # the workbenches link here: their counts come from these same conditions
        from crm.services.routines.reminders import stale_clause
        conditions.append(stale_clause(local_today()))
    return conditions


def filter_options() -> dict[str, list[tuple[int, str]]]:
    """(id, name) choices of the filter bar and the project form, named in the UI language: small
    reference tables, kept per process until one of them changes (services/core/refcache).  Shared
    by every request: build new lists from them, never change them."""
    return refcache.cached("filter_options", _read_filter_options)


def _read_filter_options() -> dict[str, list[tuple[int, str]]]:
    def pairs(model, label, *order):
        return [tuple(row) for row in db.session.execute(sa.select(model.id, label).order_by(*order))]

    return {
        "sectors": pairs(Sector, Sector.label_column(), Sector.column_no, Sector.id),
        "parks": pairs(Park, Park.label_column(), Park.id),
        "departments": pairs(Department, Department.label_column(), Department.id),
        "task_forces": pairs(TaskForce, TaskForce.label_column(), TaskForce.id),
        "pool_reviews": [(i, quarter_label(q)) for i, q in
                         pairs(PoolReview, PoolReview.quarter, PoolReview.reviewed_on.desc())],
        "chains": chain_choices(),
    }


# ---------------------------------------------------------------------------------------
# Eager-loading selects

def card_options():
    """What a card or list row shows.  Rows load whole: deferring columns costs SQLAlchemy a
    loader per column per object, more than reading them (84 board cards: 125k callables)."""
    return (joinedload(Project.sector), joinedload(Project.park), joinedload(Project.lead_department),
            selectinload(Project.investors))


def list_query(conditions):
    """Projects matching `conditions`, newest first, with what a list row shows loaded."""
    return sa.select(Project).options(*card_options()).where(*conditions).order_by(Project.id.desc())


def stage_totals(conditions) -> dict[str, tuple[int, Decimal | None]]:
    """stage -> (number of projects, total investment), one GROUP BY over the filtered projects.
    The total is None when none of a stage's projects states an amount: 未填报, not 0 万元.

    count(*), not count(id): the id is not in the (stage, sector, investment) index, and asking
    for it made PostgreSQL read every project row."""
    rows = db.session.execute(
        sa.select(Project.stage, sa.func.count(), sa.func.sum(Project.total_investment))
        .where(*conditions).group_by(Project.stage)).all()
    totals = {stage: (0, Decimal(0)) for stage in STAGES}
    # SQLite sums NUMERIC as float: back to cents.
    totals.update({stage: (count, None if total is None else to_decimal(total).quantize(CENT))
                   for stage, count, total in rows})
    return totals


# The board's queries read these indexes (declared beside the queries that need them): each
# column's newest cards are the first rows of its (stage, moved-on) range, and the column totals
# sum total_investment straight from an index.  A window function over every project would grow
# with the city; these read only the rows shown.  "Moved on" is an
# expression (projects never moved sort last) so that both databases index the exact order.
_MOVED_ON = sa.func.coalesce(Project.stage_on, sa.literal_column("'1900-01-01'"))
BOARD_INDEXES = (
    sa.Index("ix_projects_stage_moved", Project.stage, _MOVED_ON, Project.id),
    sa.Index("ix_projects_stage_sector_investment", Project.stage, Project.sector_id, Project.total_investment),
)


def newest_first():
    """The board's order within a stage: most recently moved first (crm/services/board.py)."""
    return _MOVED_ON.desc(), Project.id.desc()


def editable_ids(user: User, ids) -> set[int]:
    """Which of these projects the user may edit (access.can_edit_project): the board marks those
    cards draggable.  Asked in one statement whatever their number, and only when the answer
    depends on the project (an officer's department); all or none needs no asking."""
    ids, condition = list(ids), access.editable_projects(user)
    if condition is sa.true():
        return set(ids)
    if not ids or condition is sa.false():
        return set()
    return set(db.session.scalars(sa.select(Project.id).where(Project.id.in_(ids), condition)))


def detail_options(instructions: bool = True):
    """Everything the project page shows about the project itself, loaded up front; without
    its 批示 for a reader that does not show them (the JSON API's project)."""
    options = (joinedload(Project.sector), joinedload(Project.park), joinedload(Project.lead_department),
               joinedload(Project.task_force), joinedload(Project.owner), joinedload(Project.liaison_leader),
               selectinload(Project.investors), selectinload(Project.departments),
               selectinload(Project.stage_events).joinedload(StageEvent.recorded_by))
    if not instructions:
        return options
    loaded = selectinload(Project.instructions)
    return (*options, loaded.joinedload(Instruction.leader), loaded.selectinload(Instruction.units),
            loaded.selectinload(Instruction.replies).joinedload(InstructionReply.author),
            loaded.selectinload(Instruction.replies).joinedload(InstructionReply.department))


def days_since(moment: datetime | None, today: date | None = None) -> int | None:
    """Whole local days since a naive-UTC moment (None when it never happened)."""
    if moment is None:
        return None
    return ((today or local_today()) - local_today(moment)).days


# ---------------------------------------------------------------------------------------
# Audit history, readable

def _readable(key: str, value, names: dict) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if key in REFERENCES or key == "liaison_leader_id":
        return names.get((key, value), f"#{value}")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if key in DECIMAL_FIELDS or key == "signed_amount":  # in the label's unit, grouped as elsewhere
        number = to_decimal(value)
        return money.format_number(number) if number is not None else str(value)
    if key == "stage":
        return str(STAGE_LABELS.get(value, value))
    if key == "key_level":
        return str(KEY_LEVELS.get(value, value))
    if key == "priority":
        return str(PRIORITIES.get(value, value))
    return str(value)


def _reference_names(events: list[AuditEvent]) -> dict:
    """(field, id) -> name for the ids the events mention: one query per referenced table."""
    labels = audit.reference_labels(events, dict(REFERENCES, liaison_leader_id=User))
    return {(key, i): name for key, names in labels.items() for i, name in names.items()}


def describe_changes(events: list[AuditEvent]) -> list[dict]:
    """Each audit row as {event, items: [(label, old, new)]} with names instead of ids."""
    names = _reference_names(events)
    described = []
    for ev in events:
        items = [(FIELD_LABELS.get(key, key), _readable(key, old, names), _readable(key, new, names))
                 for key, (old, new) in (ev.changes or {}).items() if key in FIELD_LABELS]
        described.append({"event": ev, "items": items})
    return described
