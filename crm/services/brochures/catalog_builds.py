"""Catalog builds (招商项目册): request one, run it in a worker, report progress, clean up.

A request writes a ``CatalogBuild`` row and its outbox row in the same transaction (so a Redis
outage loses nothing); the worker job ``brochure.catalog`` calls ``run_build``; the page polls
``build_status``, which prefers the live progress the job keeps in its RQ ``job.meta`` and falls
back to the row when Redis cannot be reached.  Files live under instance/files/catalogs/ and
``cleanup`` removes them after BROCHURE_MAX_AGE_HOURS.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import CatalogBuild, User
from crm.services.brochures import CatalogMeta, brochure_data, render_catalog
from crm.services.brochures import brochure_text as T
from crm.services.chains import brochure as chain_brochure
from crm.services.core.clock import utcnow
from crm.services.enterprises import ValidationError
from crm.services.messaging import outbox

JOB = "brochure.catalog"
ACTIVE = ("queued", "running")
ROW_STEP = 5  # write progress to the row every 5 percent: the fallback when Redis is away
# RQ job states that mean the job will not finish (a timeout kills the work horse: "failed").
_DEAD_JOB_STATES = {"failed", "stopped", "canceled"}


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
    message = outbox.enqueue(JOB, build_id=build.id)
    db.session.flush()
    build.job_id = outbox.job_id(message.id)  # what the relay names the RQ job
    return build


def _save_progress(build_id: int, percent: int) -> None:
    db.session.execute(sa.update(CatalogBuild).where(CatalogBuild.id == build_id).values(progress=percent))
    db.session.commit()


def run_build(build_id: int, settings, *, report: Callable[[int], None] | None = None) -> CatalogBuild | None:
    """Render a build's catalog and store the file.  ``report(percent)`` gets live progress.

    Unlike other services this one commits as it goes: it is the body of a long job, and the
    page that polls it must see "running" and the progress while it works.  A build already
    done is left alone (a job delivered twice does nothing); a failure marks the row failed
    with the reason and re-raises, so the worker records the job as failed too.
    """
    build = db.session.get(CatalogBuild, build_id)
    if build is None or build.status == "done":
        return build
    build.status, build.progress, build.error = "running", 0, None
    build.started_at, build.finished_at = utcnow(), None
    db.session.commit()
    reported, written = [0], [0]

    def progress(percent: int) -> None:
        if percent > reported[0]:  # the renderer calls per project; Redis hears each new percent once
            reported[0] = percent
            if report is not None:
                report(percent)
        if percent - written[0] >= ROW_STEP:
            written[0] = percent
            _save_progress(build_id, percent)

    try:
        sheets = brochure_data.sheets_for(build.filters or {}, settings, build.lang)
        meta = catalog_meta(settings, lang=build.lang, title=build.title, year=build.year,
                            preface=build.preface)
        if (build.filters or {}).get("chain"):  # a catalog of one chain opens with its map
            meta.opening = chain_brochure.opening_page(int(build.filters["chain"]))
        progress(2)
        # the renderer counts both layout passes; map them onto 2 … 97 percent
        pdf = render_catalog(sheets, meta, progress=lambda done, total: progress(2 + done * 95 // max(total, 1)))
        file_name = f"catalog-{build_id}-{build.lang}.pdf"
        _write_atomically(catalog_dir(settings) / file_name, pdf)
    except Exception as error:
        db.session.rollback()
        build = db.session.get(CatalogBuild, build_id)
        build.status, build.finished_at = "failed", utcnow()
        build.error = f"{type(error).__name__}: {error}"[:1000]
        db.session.commit()
        raise
    build.status, build.progress, build.file_name = "done", 100, file_name
    build.project_count, build.finished_at = len(sheets), utcnow()
    if report is not None:
        report(100)
    db.session.flush()
    return build


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers never see half a file: write beside it, then rename over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def file_path(build: CatalogBuild, settings) -> Path | None:
    """The finished file, or None when there is none (not done yet, failed, or cleaned up)."""
    if build.status != "done" or not build.file_name:
        return None
    path = catalog_dir(settings) / build.file_name
    return path if path.is_file() else None


def _live_job(build: CatalogBuild, redis):
    """The build's RQ job, or None when Redis is unreachable or has forgotten it."""
    if redis is None or not build.job_id:
        return None
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError

    from crm.services.messaging.outbox import fetch_job
    try:
        job = fetch_job(build.job_id, redis)
        return job, job.get_status(refresh=False)
    except (NoSuchJobError, RedisError, OSError):
        return None


def build_status(build: CatalogBuild, redis=None) -> dict:
    """{status, progress, error} for the polling page.

    While the row says queued/running, the job's own progress (job.meta["progress"]) is fresher
    than the row, which the job writes only every few percent; a job that Redis reports as
    failed (killed at its timeout, say) makes the build failed even though the row could not say
    so.  Without Redis the row answers alone.
    """
    status, progress, error = build.status, build.progress or 0, build.error
    live = _live_job(build, redis) if status in ACTIVE else None
    if live is not None:
        job, state = live
        state = getattr(state, "value", state)
        progress = max(progress, int(job.meta.get("progress") or 0))
        if state == "started":
            status = "running"
        elif state in _DEAD_JOB_STATES:
            status, error = "failed", error or _("生成任务已中断（超时或进程退出），请重新生成。")
    return {"status": status, "progress": min(progress, 100), "error": error}


def cleanup(settings, now: datetime | None = None) -> int:
    """Delete catalog files older than BROCHURE_MAX_AGE_HOURS; returns how many were removed.

    Rows keep their history but lose ``file_name``; files no row points at (half-written
    leftovers of a killed job) go by their age on disk.  Flushes; the job commits.
    """
    now = now or utcnow()
    cutoff = now - timedelta(hours=settings.BROCHURE_MAX_AGE_HOURS)
    folder = catalog_dir(settings)
    removed = 0
    expired = db.session.scalars(sa.select(CatalogBuild).where(
        CatalogBuild.file_name.isnot(None), CatalogBuild.finished_at < cutoff)).all()
    for build in expired:
        path = folder / build.file_name
        if path.exists():
            path.unlink()
            removed += 1
        build.file_name = None
    db.session.flush()
    if folder.is_dir():
        kept = set(db.session.scalars(sa.select(CatalogBuild.file_name).where(CatalogBuild.file_name.isnot(None))))
        oldest = cutoff.replace(tzinfo=UTC).timestamp()
        for path in folder.iterdir():
            if path.is_file() and path.name not in kept and path.stat().st_mtime < oldest:
                path.unlink()
                removed += 1
    return removed
