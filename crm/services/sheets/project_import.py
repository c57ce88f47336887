"""Importing the project list (项目清单) in services/sheets/project_sheet's layout: each row
creates a project or updates the one it names, all rows or none.

A row names an existing project by its 编号 (the export's first column), else by its exact name
(case and spaces aside); any other row is a new project for the reserve pool.  Every row is
checked with the project form's rules (services/projects.check_project); a stage that differs
goes through the pipeline's rules, one dated milestone at a time, with the sheet row as the
evidence (services/stage_import); a changed 包联领导 through the liaison rules (admins only).
A row that changes nothing is counted as unchanged and writes nothing, so an exported sheet
imported back as it is changes nothing.  A column the sheet lacks leaves that field as it is.
The projects, reference rows and investors the rows name are loaded before the rows, each row is
checked once, and rows that change fields only are flushed 500 at a time (_Pending).
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Department, Enterprise, Park, Project, Sector, StageEvent, TaskForce, User
from crm.models.project import SIDE_STAGES
from crm.services import creditcode
from crm.services import projects as svc
from crm.services.core import access, audit, queries, versions
from crm.services.core.clock import local_today
from crm.services.core.errors import RuleError
from crm.services.core.ids import parse_id
from crm.services.enterprises import clean_text, normalize_name
from crm.services.liaison import assignment
from crm.services.projects import COLLECTIONS, KEY_LEVELS, PRIORITIES, SCALAR_FIELDS
from crm.services.sheets import project_sheet, reader, stage_import
from crm.services.sheets.on_file import rows_in
from crm.services.sheets.project_sheet import INVESTOR_SEPARATOR, READ_COLUMNS

# Columns written as typed into save_project's data.
_TEXT = ("name", "name_en", "name_ru", "funding_sources", "capacity", "capacity_en", "capacity_ru", "land_mu",
         "land_m2", "land_text", "jobs", "site", "site_en", "site_ru", "description", "description_en",
         "description_ru", "notes", "total_investment", "fixed_investment")
_REFERENCE_COLUMNS = {"sector": "sector_id", "park": "park_id", "lead_department": "lead_department_id",
                      "task_force": "task_force_id", "owner": "owner_id"}
# Where a rule's error lands and which column a field's change shows under.
_FIELD_COLUMNS = {**{v: k for k, v in _REFERENCE_COLUMNS.items()}, "department_ids": "departments",
                  "investor_ids": "investors", "is_key": "key_level"}
_STAGE_COLUMNS = ("stage", *(c.key for c in stage_import.COLUMNS))
FLUSH_ROWS = 500  # changed rows written a chunk at a time: statements grow with chunks, not rows


class _Names:
    """Sheet words → ids: reference rows by any of their names, people, the fixed words."""

    def __init__(self, rows, columns: dict):
        self.held = []  # the reference rows stay in the session, so the checks find them without a query

        def index(model, *attrs):
            self.held += db.session.scalars(sa.select(model))
            return reader.NameIndex([r for r in self.held if isinstance(r, model)], *attrs)

        self.refs = {
            "sector": index(Sector, "name", "name_en", "code"),
            "park": index(Park, "name", "short_name", "name_en", "code"),
            "lead_department": index(Department, "name", "full_name", "name_en"),
            "task_force": index(TaskForce, "name", "name_en"),
            "owner": reader.People(queries.file_owners()),
        }
        self.refs["departments"] = self.refs["lead_department"]
        self.leaders = reader.People(queries.enabled_leaders())
        yes, no = reader.both_languages(_l("是")), reader.both_languages(_l("否"))
        self.flags = {k: True for k in yes} | {k: False for k in no}
        self.levels = {k: level for level, label in KEY_LEVELS.items() for k in reader.both_languages(label)}
        self.priorities = {k: n for n, label in PRIORITIES.items() for k in reader.both_languages(label) | {str(n)}}
        self.stages = stage_import.stage_words()
        self.investors = _Investors([reader.row_values(cells, columns).get("investors") for _n, cells in rows]
                                    if "investors" in columns else [])


@dataclass
class _Existing:
    """The projects the sheet may name, loaded once for the whole sheet."""
    by_id: dict[int, Project] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    last_move: dict[int, date] = field(default_factory=dict)


def _existing(rows, columns: dict) -> _Existing:
    """Every project a row names by 编号 or by name, with what the checks read of them, in a
    few statements whatever the sheet's length."""
    found = _Existing()
    for project_id, name in db.session.execute(sa.select(Project.id, Project.name)):
        found.by_name.setdefault(_name_key(name), []).append(project_id)
    wanted = set()
    for _number, cells in rows:
        raw = reader.row_values(cells, {k: columns[k] for k in ("id", "name") if k in columns})
        wanted.add(parse_id(raw.get("id")) if raw.get("id") else None)
        wanted.update(found.by_name.get(_name_key(raw.get("name")), ()))
    ids = sorted(i for i in wanted if i)
    for start in range(0, len(ids), 500):  # a 编号 the list lacks is missing here, and refused by its row
        found.by_id.update((p.id, p) for p in db.session.scalars(
            sa.select(Project).where(Project.id.in_(ids[start:start + 500])).options(*project_sheet.OPTIONS)))
    side = [p.id for p in found.by_id.values() if p.stage in SIDE_STAGES]
    found.reasons = project_sheet.side_reasons(side) if side else {}
    for start in range(0, len(ids), 500):
        found.last_move.update(db.session.execute(
            sa.select(StageEvent.project_id, sa.func.max(StageEvent.occurred_on))
            .where(StageEvent.project_id.in_(ids[start:start + 500])).group_by(StageEvent.project_id)).all())
    return found


def _name_key(name) -> str:
    return " ".join(str(name or "").split()).casefold()


def import_projects(actor: User, stream) -> reader.Result:
    """Check every row and apply them all when none is refused; flushes only.

    The caller commits when `errors` is empty, else rolls back.  Raises SheetError for a file
    that cannot be read as a list.
    """
    access.require(access.can_create_project(actor))
    columns, rows = reader.read(stream, READ_COLUMNS, "name", project_sheet.MAX_ROWS)
    names, result, today = _Names(rows, columns), reader.Result(), local_today()
    existing, seen, pending = _existing(rows, columns), {}, _Pending()
    with db.session.no_autoflush:  # plain updates are flushed a chunk at a time (_Pending)
        for number, cells in rows:
            raw = reader.row_values(cells, columns)
            errors, links = {}, {}
            project = _target(raw, existing, errors, links)
            _same_project_again(number, project, raw, seen, errors)
            if project is not None:
                _update_row(actor, number, raw, project, names, existing, today, errors, result, pending)
            elif "id" not in errors:  # a 编号 the list lacks is that row's one problem
                with pending.flushed():
                    _create_row(actor, number, raw, names, today, errors, result)
            if errors:
                result.errors += reader.row_errors(number, errors, READ_COLUMNS, links)
        pending.flush()
    return result


class _Pending:
    """Projects whose fields a row changed, not yet flushed: written FLUSH_ROWS at a time, each
    audited with its own row's note (audit.pin).  A row that moves a stage, names a leader or
    creates a project runs as on the project page, with autoflush and its own flushes, after
    the pending rows are written."""

    def __init__(self):
        self.projects: list[Project] = []

    def add(self, project: Project) -> None:
        audit.pin(project)
        self.projects.append(project)
        if len(self.projects) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.projects:
            with versions.saved(self.projects[0], {}):  # a project saved meanwhile: StaleEdit, as a form
                db.session.flush()
        self.projects = []

    @contextmanager
    def flushed(self):
        self.flush()
        db.session.autoflush = True
        try:
            yield
        finally:
            db.session.autoflush = False


def _target(raw: dict, existing: _Existing, errors: dict, links: dict) -> Project | None:
    """The existing project a row names, or None for a new one."""
    if raw.get("id"):
        project = existing.by_id.get(parse_id(raw["id"]) or 0)
        if project is None:
            errors["id"] = _("没有编号为 %(value)s 的项目（新项目请把编号留空）。", value=raw["id"])
        return project
    same = existing.by_name.get(_name_key(raw.get("name")), [])
    if len(same) > 1:
        errors["name"] = _("有 %(n)s 个同名项目，请填写编号以指明是哪一个。", n=len(same))
        links["name"] = (same[0], raw["name"])
    return existing.by_id.get(same[0]) if len(same) == 1 else None


def _same_project_again(number: int, project: Project | None, raw: dict, seen: dict, errors: dict) -> None:
    """Two rows of one sheet about the same project: the second is refused, naming the first."""
    mark = ("id", project.id) if project is not None else ("name", normalize_name(raw.get("name") or ""))
    if not mark[1] or "id" in errors:
        return
    if mark in seen:
        errors.setdefault("name", _("与第 %(row)s 行是同一个项目。", row=seen[mark]))
    else:
        seen[mark] = number


def _create_row(actor: User, number: int, raw: dict, names: _Names, today: date, errors: dict,
                result: reader.Result) -> None:
    data = _row_data(raw, names, {}, errors)
    moves = stage_import.steps(raw, names.stages, today, errors)
    leader = _leader(actor, raw, names, None, errors)
    for field_name, message in svc.check_project(data)[0].items():
        errors.setdefault(_FIELD_COLUMNS.get(field_name, field_name), message)
    if errors:
        return
    result.new += 1
    if result.errors:  # once a row is refused nothing is kept: later rows are only checked
        return
    source = f"Excel 导入第 {number} 行"  # stored as data: in Chinese, like the audit notes
    with audit.acting_as(actor, note=source):
        project = svc.save_project(actor, None, data)
        stage_import.replay(actor, project, moves, evidence=source, today=today)
        if leader:
            assignment.assign_by_hand(project, db.session.get(User, leader), reason=source)
    result.created.append(project)


def _update_row(actor: User, number: int, raw: dict, project: Project, names: _Names, existing: _Existing,
                today: date, errors: dict, result: reader.Result, pending: _Pending) -> None:
    if not access.can_edit_project(actor, project):
        errors["id"] = _("无权修改该项目。")
        return
    data = _row_data(raw, names, _current(project), errors)
    found, clean, records = svc.check_project(data)
    for field_name, message in found.items():
        errors.setdefault(_FIELD_COLUMNS.get(field_name, field_name), message)
    written = {key: project_sheet.cell(project, key, existing.reasons) for key in _STAGE_COLUMNS}
    moves = stage_import.update_steps(project, raw, names.stages, today, errors, written=written,
                                      last=existing.last_move.get(project.id))
    leader = _leader(actor, raw, names, project, errors)
    if errors:
        return
    changed = _changed_columns(project, clean, records) | ({"stage"} if moves else set())
    changed |= {"liaison_leader"} if leader != project.liaison_leader_id and "liaison_leader" in raw else set()
    if not changed:
        result.unchanged += 1
        return
    result.updated.append(reader.RowChange(number, project.id, project.name, [
        (str(_label(key)), reader.cell_text(project_sheet.cell(project, key, existing.reasons)) or "—",
         raw.get(key) or "—") for key in (c.key for c in READ_COLUMNS) if key in changed]))
    if result.errors:
        return
    plain = not moves and "liaison_leader" not in changed  # fields only: flushed with its chunk
    with nullcontext() if plain else pending.flushed():
        _apply(actor, number, project, (data, (found, clean, records)), moves, leader, changed, today, errors,
               pending if plain else None)


def _label(key: str):
    return next(c.label for c in READ_COLUMNS if c.key == key)


def _apply(actor: User, number: int, project: Project, checked: tuple, moves: list, leader: int | None,
           changed: set, today: date, errors: dict, pending: _Pending | None = None) -> None:
    """Save a changed row: `checked` is (its data, what check_project found); with `pending`, a
    row that changes fields only, flushed with its chunk."""
    source = f"Excel 导入第 {number} 行"
    data, found = checked
    try:
        with audit.acting_as(actor, note=source):
            if changed - {"stage", "liaison_leader"}:
                svc.save_project(actor, project, data, checked=found, flush=pending is None)
            if pending is not None:
                pending.add(project)
                return
            stage_import.replay(actor, project, moves, evidence=source, today=today)
            if "liaison_leader" in changed:
                if leader is None:
                    assignment.set_leader(project, None, note=source)
                else:
                    assignment.assign_by_hand(project, db.session.get(User, leader), reason=source)
    except RuleError as error:  # a rule the checks could not see (a leader's cap): the sheet stays out
        errors["stage" if moves else "liaison_leader"] = str(error)


def _current(project: Project) -> dict:
    """save_project's data as the project stands: a column the sheet lacks keeps its field."""
    data = {key: getattr(project, key) for key in SCALAR_FIELDS}
    data.update({key: [o.id for o in getattr(project, rel)] for key, (rel, _model) in COLLECTIONS.items()})
    return data


def _changed_columns(project: Project, clean: dict, records: dict) -> set[str]:
    """The columns whose fields the row changes (cleaned values against the stored ones)."""
    changed = {key for key in SCALAR_FIELDS if clean_text(getattr(project, key)) != clean[key]}  # spaces aside
    changed |= {key for key, (rel, _model) in COLLECTIONS.items()
                if sorted(o.id for o in getattr(project, rel)) != sorted(o.id for o in records[key])}
    return {_FIELD_COLUMNS.get(key, key) for key in changed}


def _row_data(raw: dict, names: _Names, data: dict, errors: dict) -> dict:
    """save_project's data: `data` (the project's, or {} for a new one) with the row's columns
    read over it; problems go into `errors` by column key."""
    data = dict(data)
    data.update({key: raw.get(key) for key in _TEXT if key in raw})
    for column, target in _REFERENCE_COLUMNS.items():
        if column not in raw:
            continue
        data[target] = None
        if not raw[column]:
            continue
        index = names.refs[column]
        if column == "owner":
            data[target], ambiguous = index.find(raw[column])
        else:
            data[target], ambiguous = index.get(raw[column]), False
        if ambiguous:
            errors[column] = _("有多位同名负责人，请填写用户名：%(value)s。", value=raw[column])
        elif data[target] is None:
            errors[column] = _("没有这一项：%(value)s。", value=raw[column])
    if "departments" in raw:
        words = [w.strip() for w in reader.LIST_SPLIT.split(raw["departments"] or "") if w.strip()]
        data["department_ids"] = [names.refs["departments"].get(w) for w in words]
        if None in data["department_ids"]:
            errors["departments"] = _("没有这些部门：%(value)s。", value="、".join(
                w for w in words if w not in names.refs["departments"]))
    if "investors" in raw:
        data["investor_ids"], missing = names.investors.find(raw["investors"])
        if missing:
            errors["investors"] = _("企业库中没有：%(value)s（请先新建或导入这些企业）。", value="、".join(missing))
    _flags(raw, names, data, errors)
    return data


def _flags(raw: dict, names: _Names, data: dict, errors: dict) -> None:
    if "key_level" in raw or "is_key" not in data:
        level = reader.key(raw.get("key_level"))
        data["is_key"] = bool(level) and (level in names.levels or names.flags.get(level) is True)
        data["key_level"] = names.levels.get(level)
        if level and level not in names.levels and level not in names.flags:
            errors["key_level"] = _("重点级别无效：%(value)s。", value=raw["key_level"])
    if "in_pool" in raw or "in_pool" not in data:
        pool = reader.key(raw.get("in_pool"))
        data["in_pool"] = names.flags.get(pool, True) if pool else True
        if pool and pool not in names.flags:
            errors["in_pool"] = _("请填写“是”或“否”：%(value)s。", value=raw["in_pool"])
    if raw.get("priority"):
        data["priority"] = names.priorities.get(reader.key(raw["priority"]))
        if data["priority"] is None:
            errors["priority"] = _("优先级请填写高、中或低：%(value)s。", value=raw["priority"])


def _leader(actor: User, raw: dict, names: _Names, project: Project | None, errors: dict) -> int | None:
    """The 包联领导 id the row names (the project's own when the column is missing); only an admin
    may change it, as on the liaison page."""
    current = project.liaison_leader_id if project is not None else None
    if "liaison_leader" not in raw:
        return current
    leader, ambiguous = names.leaders.find(raw["liaison_leader"]) if raw["liaison_leader"] else (None, False)
    if ambiguous:
        errors["liaison_leader"] = _("有多位同名领导，请填写用户名：%(value)s。", value=raw["liaison_leader"])
    elif raw["liaison_leader"] and leader is None:
        errors["liaison_leader"] = _("没有这位在任的市级领导：%(value)s。", value=raw["liaison_leader"])
    elif leader != current and actor.role != "admin":
        errors["liaison_leader"] = _("只有管理员可以更改包联领导。")
    return leader


def _lines(cell: str | None) -> list[list[str]]:
    """An investors cell as [whole line, its parts …] per line: one firm a line (as the export
    writes them) or several separated by 、 or commas."""
    return [[line] + [w.strip() for w in reader.LIST_SPLIT.split(line) if w.strip()]
            for line in (w.strip() for w in (cell or "").split(INVESTOR_SEPARATOR)) if line]


class _Investors:
    """The investor enterprises a sheet names, by name or credit code, found in a few queries
    before its rows are read (and their records loaded, for the checks)."""

    def __init__(self, cells):
        words = {w for cell in cells for line in _lines(cell) for w in line}
        self.known = {}
        query = sa.select(Enterprise.name_norm, Enterprise.credit_code, Enterprise.id)
        for column, values in ((Enterprise.name_norm, {normalize_name(w) for w in words}),
                               (Enterprise.credit_code, {creditcode.normalize(w) for w in words})):
            for name_norm, code, ident in rows_in(query, column, values):
                self.known[("n", name_norm)] = ident
                if code:
                    self.known[("c", code)] = ident
        # kept in the session (which holds records weakly): check_project finds them there
        self.held = [row[0] for row in rows_in(sa.select(Enterprise), Enterprise.id, set(self.known.values()))]

    def _find(self, word):
        return self.known.get(("n", normalize_name(word))) or self.known.get(("c", creditcode.normalize(word)))

    def find(self, cell: str | None) -> tuple[list[int], list[str]]:
        """Ids of the investor enterprises a cell names, and the words the list does not have."""
        ids, missing = [], []
        for whole, *parts in _lines(cell):
            if self._find(whole):  # the line is one firm's name, whatever punctuation it holds
                ids.append(self._find(whole))
                continue
            for part in parts:
                (ids.append(self._find(part)) if self._find(part) else missing.append(part))
        return list(dict.fromkeys(ids)), missing
