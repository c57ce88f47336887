"""Brochure pages: a project's PDF, the catalog builder, a build's progress page, its status
(JSON, polled by static/js/job_progress.js) and its download.

Rendering one project takes well under a second, so it happens in the request; a catalog can
take a minute, so a worker builds it (services/brochures/catalog_builds.py).
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from crm.brochures.forms import LANG_CHOICES, CatalogForm
from crm.extensions import db
from crm.models import CatalogBuild, Project
from crm.redis_conn import redis_or_none
from crm.services.brochures import brochure_data, catalog_builds, render_project
from crm.services.brochures import brochure_text as T
from crm.services.core.clock import local_today
from crm.services.enterprises import ValidationError
from crm.web import attach, get_or_404, roles_required

bp = Blueprint("brochures", __name__, url_prefix="/brochures")

CATALOG_ROLES = ("admin", "staff")
RECENT_BUILDS = 10


def _settings():
    return current_app.extensions["settings"]


def pdf_response(data: bytes | Path, name: str, ascii_name: str, *, inline: bool):
    """A PDF (bytes, or a file streamed from disk) with its file name in Content-Disposition: a
    readable ASCII ``filename`` for old clients and the real (Chinese) name as RFC 5987
    ``filename*``."""
    response = send_file(BytesIO(data) if isinstance(data, bytes) else data, mimetype="application/pdf",
                         max_age=0)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(name, safe="")}')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/projects/<int:project_id>.pdf")
def project(project_id: int):
    lang = request.args.get("lang", "zh")
    if lang not in T.LANGS:
        abort(400)
    project = get_or_404(Project, project_id, options=brochure_data.sheet_options())
    pdf = render_project(brochure_data.sheet_for(project, _settings(), lang), lang)
    return pdf_response(pdf, f"项目介绍-{project.id}-{lang}.pdf", f"project-{project.id}-{lang}.pdf",
                        inline=True)


@bp.route("/catalog", methods=["GET", "POST"])
@roles_required(*CATALOG_ROLES)
def catalog():
    form = CatalogForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            build = catalog_builds.request_build(
                current_user, lang=form.lang.data, filters=form.filters(), title=form.title.data,
                year=form.year.data or local_today().year, preface=form.preface.data)
        except ValidationError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("brochures.build", build_id=build.id))
    elif request.method == "GET":
        form.year.data = local_today().year
        form.chain.data = request.args.get("chain", "")  # "项目册" on a chain's map
    builds = db.session.scalars(sa.select(CatalogBuild).options(joinedload(CatalogBuild.requested_by))
                                .order_by(CatalogBuild.id.desc()).limit(RECENT_BUILDS)).all()
    return render_template("brochures/catalog.html", form=form, builds=builds, langs=dict(LANG_CHOICES),
                           default_preface=catalog_builds.default_preface("zh", _settings()),
                           untranslated=brochure_data.missing_translations(form.filters()))


def _load_build(build_id: int) -> CatalogBuild:
    return get_or_404(CatalogBuild, build_id, options=(joinedload(CatalogBuild.requested_by),))


@bp.route("/builds/<int:build_id>")
@roles_required(*CATALOG_ROLES)
def build(build_id: int):
    build = _load_build(build_id)
    state = _state(build)
    return render_template("brochures/build.html", build=build, state=state, langs=dict(LANG_CHOICES),
                           has_file=catalog_builds.file_path(build, _settings()) is not None)


@bp.route("/builds/<int:build_id>/status")
@roles_required(*CATALOG_ROLES)
def build_status(build_id: int):
    build = _load_build(build_id)
    state = _state(build)
    state["download_url"] = (url_for("brochures.download", build_id=build.id)
                             if catalog_builds.file_path(build, _settings()) is not None else None)
    return jsonify(state)


@bp.route("/builds/<int:build_id>/download")
@roles_required(*CATALOG_ROLES)
def download(build_id: int):
    build = _load_build(build_id)
    path = catalog_builds.file_path(build, _settings())
    if path is None:
        abort(404)
    name = f"{build.title}-{build.year}-{build.lang}.pdf"
    return pdf_response(path, name, f"catalog-{build.id}-{build.lang}.pdf", inline=False)


def _state(build: CatalogBuild) -> dict:
    """The build's status; Redis is asked only while the job may still be running."""
    redis = redis_or_none(_settings()) if build.status in catalog_builds.ACTIVE else None
    return catalog_builds.build_status(build, redis)
