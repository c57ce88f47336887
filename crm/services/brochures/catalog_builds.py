"""Catalog builds (招商项目册): request one, run it in a worker, report progress, clean up.

A request writes a ``CatalogBuild`` row and its outbox row in the same transaction (so a Redis
outage loses nothing); the worker job ``brochure.catalog`` calls ``run_build``; the page polls
``build_status`` (services/core/progress: the job's live progress, the row without Redis).  Files live under instance/files/catalogs/ and
``cleanup`` removes them after BROCHURE_MAX_AGE_HOURS.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import CatalogBuild, User
from crm.services.brochures import CatalogMeta, brochure_data, render_catalog
from crm.services.brochures import brochure_text as T
from crm.services.chains import brochure as chain_brochure
from crm.services.core import progress
from crm.services.core.clock import utcnow
from crm.services.enterprises import ValidationError

JOB = "brochure.catalog"
ACTIVE = progress.ACTIVE


def catalog_dir(settings) -> Path:
    return settings.files_dir / "catalogs"


def default_title(lang: str) -> str:
    return T.label("catalog_title", lang)


def default_preface(lang: str, settings) -> str:
    """Chinese: the CATALOG_PREFACE setting; en/ru: the translation of the default wording."""
    if T.norm_lang(lang) == "zh":
        return settings.CATALOG_PREFACE
    return T.DEFAULT_PREFACES[T.norm_lang(lang)]


def catalog_meta(settings, *, lang: str, title: str | None, year: int, preface: str | None) -> CatalogMeta:
    lang = T.norm_lang(lang)
    return CatalogMeta(title=(title or "").strip() or default_title(lang), city=T.label("city", lang),
                       year=year, preface=(preface or "").strip() or default_preface(lang, settings),
                       lang=lang)


def request_build(actor: User, *, lang: str, filters: Mapping, title: str | None, year: int,
                  preface: str | None) -> CatalogBuild:
    """A queued build and its outbox row, flushed (the view commits both at once).

    Raises ValidationError when no project matches the filters: an empty catalog helps nobody.
    """
    filters = {k: v for k, v in filters.items() if v not in (None, "", [])}
    count = brochure_data.count_projects(filters)
    if not count:
        raise ValidationError({"filters": _("没有符合筛选条件的项目，请放宽条件。")})
    build = CatalogBuild(requested_by_id=actor.id if actor else None, lang=T.norm_lang(lang),
                         filters=filters, title=(title or "").strip() or default_title(lang), year=year,
                         preface=(preface or "").strip() or None, project_count=count, status="queued")
    db.session.add(build)
    db.session.flush()
    progress.enqueue(build, JOB, build_id=build.id)
    return build


def run_build(build_id: int, settings, *, report: Callable[[int], None] | None = None) -> CatalogBuild | None:
    """Render a build's catalog and store the file.  ``report(percent)`` gets live progress.

    Unlike other services this one commits as it goes: it is the body of a long job, and the
    page that polls it must see "running" and the progress while it works (services/core/
    progress).  A build already done is left alone (a job delivered twice does nothing); a
    failure marks the row failed with the reason and re-raises, so the worker records the job
    as failed too.
    """
    build = db.session.get(CatalogBuild, build_id)
    if build is None or build.status == "done":
        return build
    progress.start(build)
    tracker = progress.Tracker(CatalogBuild, build_id, report)
    try:
        sheets = brochure_data.sheets_for(build.filters or {}, settings, build.lang)
        meta = catalog_meta(settings, lang=build.lang, title=build.title, year=build.year,
                            preface=build.preface)
        if (build.filters or {}).get("chain"):  # a catalog of one chain opens with its map
            meta.opening = chain_brochure.opening_page(int(build.filters["chain"]))
        tracker(2)
        # the renderer counts both layout passes; map them onto 2 … 97 percent
        pdf = render_catalog(sheets, meta, progress=tracker.part(2, 97))
        file_name = f"catalog-{build_id}-{build.lang}.pdf"
        with progress.atomic_path(catalog_dir(settings) / file_name) as partial:
            partial.write_bytes(pdf)
    except Exception as error:
        progress.fail(CatalogBuild, build_id, error)
        raise
    build.status, build.progress, build.file_name = "done", 100, file_name
    build.project_count, build.finished_at = len(sheets), utcnow()
    if report is not None:
        report(100)
    db.session.flush()
    return build


def file_path(build: CatalogBuild, settings) -> Path | None:
    """The finished file, or None when there is none (not done yet, failed, or cleaned up)."""
    if build.status != "done" or not build.file_name:
        return None
    path = catalog_dir(settings) / build.file_name
    return path if path.is_file() else None


def build_status(build: CatalogBuild, redis=None) -> dict:
    """{status, progress, error} for the polling page (services/core/progress.state)."""
    return progress.state(build, redis, _("生成任务已中断（超时或进程退出），请重新生成。"))


def cleanup(settings, now: datetime | None = None) -> int:
    """Delete catalog files older than BROCHURE_MAX_AGE_HOURS; returns how many were removed.

    Rows keep their history but lose ``file_name``; files no row points at (half-written
    leftovers of a killed job) go by their age on disk.  Flushes; the job commits.
    """
    cutoff = (now or utcnow()) - timedelta(hours=settings.BROCHURE_MAX_AGE_HOURS)
    return progress.cleanup(CatalogBuild, catalog_dir(settings), CatalogBuild.finished_at < cutoff, cutoff)
