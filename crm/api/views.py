"""The JSON API, v1: projects with their stage history, enterprises, contact logs and follow-ups.

Token auth only (crm/api/auth.py), CSRF-exempt, rate limited per token, every call audited.
Views parse, call the same service functions as the web forms (stage rules, access rules,
audit trail), commit and answer; refusals are problem+json (crm/api/problems.py).  Each view
declares its OpenAPI operation with @operation (crm/api/spec.py builds the document from them).
"""
from __future__ import annotations

from flask import Blueprint, current_app, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from crm.api import PREFIX, auth, problems, spec
from crm.api import schemas as s
from crm.api.http import check_if_match, json_response, load_body, page_args, page_of
from crm.api.problems import Problem
from crm.extensions import csrf, db
from crm.i18n import gettext as _
from crm.models import Enterprise, Interaction, Project
from crm.services import interactions, search
from crm.services import projects as svc
from crm.services.core import access, queries
from crm.services.core.clock import local_today, to_utc_naive, utcnow
from crm.services.core.errors import RuleError
from crm.services.files import stage as stage_files
from crm.services.files.store import FileRefused
from crm.services.pipeline import target_kind

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)
problems.register(bp)
auth.init_blueprint(bp)
operation = spec.operation

LOGGERS = ("admin", "staff", "officer")  # who logs contacts, as on the web (interactions.quick)
_ENTERPRISE_OPTIONS = (joinedload(Enterprise.sector), joinedload(Enterprise.owner), selectinload(Enterprise.tag_rows))
_PROJECT_OPTIONS = svc.detail_options(instructions=False)  # the body holds no 批示
_INTERACTION_OPTIONS = (joinedload(Interaction.enterprise), joinedload(Interaction.project),
                        joinedload(Interaction.created_by))


def _actor():
    return current_user._get_current_object()


def _get(model, ident: int, options=()):
    record = db.session.get(model, ident, options=list(options))
    if record is None:
        raise Problem(404, _("记录不存在。"))
    return record


def _refused(error: Exception) -> Problem:
    """A service's refusal as the matching problem, with the form's messages."""
    if isinstance(error, RuleError):
        if None in error.errors:  # a refusal of the input as a whole
            return Problem(422, str(error))
        return Problem(422, _("请修正以下字段后重试。"), errors=error.errors)
    return Problem(403, str(error) or _("无权执行此操作。"))


# ---------------------------------------------------------------------------------------
# Projects

def _project(project_id: int) -> Project:
    return _get(Project, project_id, _PROJECT_OPTIONS)


def _project_body(project: Project) -> dict:
    return s.dumper(s.ProjectSchema)(project)


@bp.get("/projects")
@operation("项目列表", "Projects, newest first, filtered as on the project list page.", tag="projects",
           query=spec.PROJECT_FILTERS + spec.PAGING, response=s.ProjectPageSchema)
def projects():
    after, limit = page_args()
    query = svc.list_query(svc.project_filters(spec.query_dict()))
    if after is not None:
        query = query.where(Project.id < after)
    rows = db.session.scalars(query.limit(limit + 1)).unique().all()
    return json_response(page_of(rows, limit, s.dumper(s.ProjectSummarySchema)))


@bp.get("/projects/<int:project_id>")
@operation("项目详情", "One project with its stage history.", tag="projects", response=s.ProjectSchema, etag=True)
def project(project_id: int):
    return json_response(_project_body(_project(project_id)))


@bp.patch("/projects/<int:project_id>")
@operation("修改项目", "Change some fields of a project, by the project form's rules. Needs the ETag of the "
           "version read in If-Match: 412 when the project changed since.", tag="projects", body=s.ProjectPatch,
           response=s.ProjectSchema, if_match=True, write=True)
def project_update(project_id: int):
    project = _project(project_id)
    changes = load_body(s.ProjectPatch())
    check_if_match(_project_body(project), required=True)
    data = {key: getattr(project, key) for key in svc.SCALAR_FIELDS}
    data.update({key: [o.id for o in getattr(project, rel)] for key, (rel, _model) in svc.COLLECTIONS.items()})
    data.update(changes)
    try:
        svc.save_project(_actor(), project, data)
    except (RuleError, access.Denied) as error:
        raise _refused(error) from None
    db.session.commit()
    return json_response(_project_body(_project(project_id)))


@bp.post("/projects/<int:project_id>/stage-moves")
@operation("推进阶段", "Move the project to another stage with its evidence, by the same rules as the project "
           "page (one step forward; skips and moves back for administrators with a reason; a stage whose "
           "evidence rule asks for a file, by default 签约, 开工 and 投产, is moved on the project page). An If-Match "
           "that no longer matches gets 412.", tag="projects", body=s.StageMoveIn, response=s.ProjectSchema,
           status=201, if_match=False, write=True)
def project_move(project_id: int):
    project = _project(project_id)
    data = load_body(s.StageMoveIn())
    check_if_match(_project_body(project), required=False)
    try:
        target_kind(project, data.get("to_stage") or "", _actor())  # a skip is refused for what it is
        # The evidence-file rule as on the project page: the API sends no files, so a move into a
        # stage that needs one (签约, 开工, 投产 by default) is refused, saying which file it needs.
        stage_files.record_move(_actor(), current_app.extensions["settings"], project, data, [])
    except FileRefused as error:  # about the request as a whole: the API has no files field
        raise _refused(RuleError(error.message, code=error.code)) from None
    except (RuleError, access.Denied) as error:
        raise _refused(error) from None
    db.session.commit()
    return json_response(_project_body(_project(project_id)), 201,
                         headers={"Location": url_for("api.project", project_id=project_id)})


# ---------------------------------------------------------------------------------------
# Enterprises

@bp.get("/enterprises")
@operation("企业列表", "Enterprises, newest first, filtered as on the enterprise list page.", tag="enterprises",
           query=spec.ENTERPRISE_FILTERS + spec.PAGING, response=s.EnterprisePageSchema)
def enterprises():
    after, limit = page_args()
    filters = spec.enterprise_filters()
    ids = search.enterprise_ids(**filters).order_by(None)
    ids = ids.where(Enterprise.id < after) if after is not None else ids
    found = db.session.scalars(ids.order_by(Enterprise.id.desc()).limit(limit + 1)).all()
    rows = list(queries.in_order(Enterprise, found, _ENTERPRISE_OPTIONS))
    return json_response(page_of(rows, limit, s.dumper(s.EnterpriseSchema)))


@bp.get("/enterprises/<int:enterprise_id>")
@operation("企业详情", "One enterprise.", tag="enterprises", response=s.EnterpriseSchema, etag=True)
def enterprise(enterprise_id: int):
    return json_response(s.dumper(s.EnterpriseSchema)(_get(Enterprise, enterprise_id, _ENTERPRISE_OPTIONS)))


# ---------------------------------------------------------------------------------------
# Contact logs and follow-ups

@bp.post("/interactions")
@operation("记录对接", "Log a contact with an enterprise (optionally about a project); `next_follow_up` "
           "sets its follow-up. The quick form's rules and messages.", tag="interactions",
           body=s.InteractionIn, response=s.InteractionSchema, status=201, write=True)
def interaction_create():
    data = load_body(s.InteractionIn())
    if _actor().role not in LOGGERS:
        raise Problem(403, _("您的角色不能记录对接。"))
    enterprise = db.session.get(Enterprise, data.pop("enterprise_id"))
    project_id = data.pop("project_id", None)
    project = db.session.get(Project, project_id) if project_id else None
    if project_id and project is None:
        raise Problem(422, _("请修正以下字段后重试。"), errors={"project_id": _("所选项不存在，请重新选择。")})
    if data.get("occurred_at"):
        try:
            data["occurred_at"] = to_utc_naive(data["occurred_at"])
        except OverflowError:  # 0001-01-01 in Asia/Shanghai is before year 1 in UTC
            raise Problem(422, _("请修正以下字段后重试。"), errors={"occurred_at": _("格式不正确。")}) from None
    try:
        record = interactions.log_interaction(_actor(), enterprise, project, data, utcnow())
    except (RuleError, access.Denied) as error:
        raise _refused(error) from None
    db.session.commit()
    return json_response(s.dumper(s.InteractionSchema)(_get(Interaction, record.id, _INTERACTION_OPTIONS)), 201)


@bp.get("/follow-ups")
@operation("到期跟进", "The caller's open follow-ups due today or earlier, soonest first (at most 50), as on "
           "the home page.", tag="interactions", response=s.InteractionListSchema)
def follow_ups():
    rows = queries.due_follow_ups(_actor(), local_today())
    return json_response({"items": s.dumper(s.InteractionSchema, many=True)(rows)})


@bp.post("/follow-ups/<int:interaction_id>/done")
@operation("完成跟进", "Mark a contact's follow-up as done.", tag="interactions", response=s.InteractionSchema,
           write=True)
def follow_up_done(interaction_id: int):
    if _actor().role not in LOGGERS:
        raise Problem(403, _("您的角色不能记录对接。"))
    record = _get(Interaction, interaction_id, _INTERACTION_OPTIONS)
    try:
        interactions.mark_follow_up_done(_actor(), record)
    except access.Denied as error:
        raise _refused(error) from None
    db.session.commit()
    return json_response(s.dumper(s.InteractionSchema)(_get(Interaction, interaction_id, _INTERACTION_OPTIONS)))


spec.register_document(bp)
from crm.api import reads  # noqa: E402, F401  its routes join this blueprint (it imports bp from here)
