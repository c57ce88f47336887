"""Export CLI: `flask --app wsgi export projects|enterprises --format json|jsonl`.

Prints every record with all its columns, the names of what it refers to, and (projects) its
stage history, for backups and integration.  Decimals are strings, dates ISO 8601.  Rows are
streamed in chunks (yield_per) and written as they come, each chunk loading its related rows
in a fixed number of queries, so 10,000 projects need neither much memory nor many queries.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.models import Enterprise, Interaction, Project, StageEvent
from crm.models.project import project_investors
from crm.services.core.audit import jsonable

CHUNK = 500
FORMATS = ("json", "jsonl")

export_cli = AppGroup("export", help="Export records as JSON (backups, integration).")


def columns(obj) -> dict:
    """Every column of a row, JSON-ready."""
    return {attr.key: jsonable(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs}


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.id, "name": str(obj)}


def _interaction_counts(column, ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(sa.select(column, sa.func.count(Interaction.id)).where(column.in_(ids))
                              .group_by(column))
    return dict(rows.all())


def _chunks(query) -> Iterator[list]:
    """The query's rows in chunks of CHUNK, streamed from the database."""
    yield from db.session.scalars(query.execution_options(yield_per=CHUNK)).partitions()


def project_records() -> Iterator[dict]:
    query = sa.select(Project).order_by(Project.id).options(
        joinedload(Project.sector), joinedload(Project.park), joinedload(Project.lead_department),
        joinedload(Project.task_force), joinedload(Project.owner), joinedload(Project.liaison_leader),
        selectinload(Project.investors), selectinload(Project.departments),
        selectinload(Project.stage_events).joinedload(StageEvent.recorded_by))
    for chunk in _chunks(query):
        counts = _interaction_counts(Interaction.project_id, [p.id for p in chunk])
        for p in chunk:
            yield columns(p) | {
                "sector": _ref(p.sector), "park": _ref(p.park), "lead_department": _ref(p.lead_department),
                "departments": [_ref(d) for d in p.departments], "task_force": _ref(p.task_force),
                "owner": _ref(p.owner), "liaison_leader": _ref(p.liaison_leader),
                "investors": [_ref(e) for e in p.investors],
                "stage_history": [columns(ev) | {"recorded_by": _ref(ev.recorded_by)} for ev in p.stage_events],
                "interactions_count": counts.get(p.id, 0),
            }


def _projects_by_enterprise(ids: list[int]) -> dict[int, list[dict]]:
    rows = db.session.execute(
        sa.select(project_investors.c.enterprise_id, Project.id, Project.name)
        .join(Project, Project.id == project_investors.c.project_id)
        .where(project_investors.c.enterprise_id.in_(ids)).order_by(Project.id))
    found: dict[int, list[dict]] = {}
    for enterprise_id, project_id, name in rows:
        found.setdefault(enterprise_id, []).append({"id": project_id, "name": name})
    return found


def enterprise_records() -> Iterator[dict]:
    query = sa.select(Enterprise).order_by(Enterprise.id).options(
        joinedload(Enterprise.sector), joinedload(Enterprise.owner),
        selectinload(Enterprise.tag_rows), selectinload(Enterprise.contacts))
    for chunk in _chunks(query):
        ids = [e.id for e in chunk]
        counts, projects = _interaction_counts(Interaction.enterprise_id, ids), _projects_by_enterprise(ids)
        for e in chunk:
            yield columns(e) | {
                "sector": _ref(e.sector), "owner": _ref(e.owner), "tags": e.tags,
                "contacts": [columns(c) for c in e.contacts], "projects": projects.get(e.id, []),
                "interactions_count": counts.get(e.id, 0),
            }


def write(records: Iterable[dict], fmt: str, out: Callable[[str], None]) -> int:
    """Write records as one JSON array (json) or one object per line (jsonl); returns the count."""
    count = 0
    for record in records:
        text = json.dumps(record, ensure_ascii=False, sort_keys=True)
        if fmt == "jsonl":
            out(text + "\n")
        else:
            out(("[\n" if count == 0 else ",\n") + text)
        count += 1
    if fmt == "json":
        out("[]\n" if count == 0 else "\n]\n")
    return count


def _command(name: str, records: Callable[[], Iterator[dict]], help_text: str):
    @export_cli.command(name, help=help_text)
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
    def command(fmt: str) -> None:
        write(records(), fmt, lambda text: click.echo(text, nl=False))
    return command


_command("projects", project_records, "Every project with its stage history.")
_command("enterprises", enterprise_records, "Every enterprise with its contacts.")


def register(app: Flask) -> None:
    app.cli.add_command(export_cli)
