"""Brochure commands: one project's PDF, or a whole catalog, written to a file.

    flask --app wsgi brochure 12 --lang en -o project-12-en.pdf
    flask --app wsgi catalog --lang ru --sector biomed --sector bioenergy --stage planned --stage contact --in-pool -o catalog.pdf

The same data and renderer as the web pages (services/brochures/brochure_data.py, the services/brochures package);
the catalog is rendered here in the foreground, without the worker.
"""
from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from crm.extensions import db
from crm.models import Sector
from crm.models.project import STAGES
from crm.services.brochures import brochure_data, catalog_builds, render_catalog, render_project
from crm.services.brochures import brochure_text as T
from crm.services.core.clock import local_today

LANG = click.Choice(T.LANGS)


def _write(path: Path, data: bytes, started: float, what: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    click.echo(f"{what}：{path}（{len(data) / 1024:.0f} KB，{time.perf_counter() - started:.2f} 秒）")


@click.command("brochure")
@with_appcontext
@click.argument("project_id", type=int)
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Edition: zh, en or ru.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PDF file to write (default: 项目介绍-<id>-<lang>.pdf).")
def brochure_command(project_id: int, lang: str, output: Path | None):
    """Write one project's brochure (项目介绍) as a PDF."""
    started = time.perf_counter()
    project = brochure_data.load_project(project_id)
    if project is None:
        raise click.ClickException(f"项目 {project_id} 不存在。")
    sheet = brochure_data.sheet_for(project, current_app.extensions["settings"], lang)
    output = output or Path(f"项目介绍-{project_id}-{lang}.pdf")
    _write(output, render_project(sheet, lang), started, "已生成项目介绍")


def _sector_ids(codes: tuple[str, ...]) -> list[int]:
    if not codes:
        return []
    found = dict(db.session.execute(sa.select(Sector.code, Sector.id).where(Sector.code.in_(codes))).all())
    unknown = [c for c in codes if c not in found]
    if unknown:
        known = ", ".join(db.session.scalars(sa.select(Sector.code).order_by(Sector.column_no, Sector.id)))
        raise click.BadParameter(f"未知的产业代码：{', '.join(unknown)}（可选：{known}）", param_hint="--sector")
    return [found[c] for c in codes]


@click.command("catalog")
@with_appcontext
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Edition: zh, en or ru.")
@click.option("--sector", "sectors", multiple=True, metavar="CODE", help="Sector code (repeatable; default all).")
@click.option("--stage", "stages", type=click.Choice(STAGES), multiple=True,
              help="Only projects at this stage (repeatable; default: planned and contact, those an investor "
                   "can take up).")
@click.option("--key", is_flag=True, help="Only key projects (重点项目).")
@click.option("--in-pool", is_flag=True, help="Only projects in the reserve pool (储备库).")
@click.option("--title", default=None, help="Cover title (default: 招商项目册 in the edition's language).")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Year on the cover (default: this year).")
@click.option("--preface", default=None, help="Preface text (default: CATALOG_PREFACE or its translation).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PDF file to write (default: 招商项目册-<lang>.pdf).")
def catalog_command(lang, sectors, stages, key, in_pool, title, year, preface, output):
    """Write a catalog (招商项目册) of the matching projects as a PDF."""
    started = time.perf_counter()
    settings = current_app.extensions["settings"]
    filters = {"sectors": _sector_ids(sectors), "stages": list(stages or brochure_data.INVESTABLE_STAGES),
               "key": "1" if key else None,
               "pool": "1" if in_pool else None}
    filters = {k: v for k, v in filters.items() if v}
    sheets = brochure_data.sheets_for(filters, settings, lang)
    if not sheets:
        raise click.ClickException("没有符合条件的项目。")
    meta = catalog_builds.catalog_meta(settings, lang=lang, title=title, year=year or local_today().year,
                                       preface=preface)
    shown = [-1]

    def progress(done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            click.echo(f"  {tenth * 10}%", err=True)

    pdf = render_catalog(sheets, meta, progress=progress)
    output = output or Path(f"招商项目册-{lang}.pdf")
    _write(output, pdf, started, f"已生成项目册（{len(sheets)} 个项目）")


def register(app: Flask) -> None:
    app.cli.add_command(brochure_command)
    app.cli.add_command(catalog_command)
