"""Project pages: the filtered list (out to and in from Excel sheets), the project page
(facts, stage moves, 批示, the timeline of everything that happened, stage-move form), create and edit.  Rules
live in services/projects.py and services/pipeline.py; these views parse, call, commit and render.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from crm.enterprises.forms import owner_choices
from crm.extensions import db
from crm.files.forms import UploadForm, accepts_uploads, picture_form, section_files, uploads_of
from crm.i18n import gettext as _
from crm.i18n import pgettext
from crm.models import Project
from crm.models.files import PICTURE_SLOTS
from crm.projects.forms import ProjectForm, StageForm
from crm.routines.views import department_choices
from crm.services import projects as svc
from crm.services import search
from crm.services.brochures import pictures
from crm.services.core import access, index_order, listing, paging
from crm.services.core.clock import local_today
from crm.services.core.errors import RuleError
from crm.services.core.versions import StaleEdit
from crm.services.files import evidence
from crm.services.files import rules as file_rules
from crm.services.files import stage as stage_files
from crm.services.liaison import risk
from crm.services.lists import bulk, sorts
from crm.services.pipeline import STAGE_LABELS, StageError, allowed_targets, classify, default_target, target_kind
from crm.services.sheets import project_sheet
from crm.web import attach, get_or_404, lists, roles_required, timeline, versioning, wants_json, xlsx_response
from crm.web.exports import export_response
from crm.web.imports import preview_import_page

bp = Blueprint("projects", __name__, url_prefix="/projects")

EDITOR_ROLES = ("admin", "staff", "officer")  # officers: their department's projects only (record rule)
BULK_ROLES = EDITOR_ROLES  # bulk actions: as single edits, every selected project checked


@bp.route("/")
def index():
    filters = svc.filter_args(request.args)
    sort = listing.parse_sort(request.args.get("sort"), sorts.PROJECTS)  # default: newest first
    kept = {**filters, **({"sort": sort.arg} if sort.key else {})}
    page = lists.sorted_page(
        sa.select(Project.id).where(*svc.project_filters(request.args)).order_by(Project.id.desc()),
        sort, sorts.PROJECTS, Project.id, by_index=True, newest_first=True,
        page_of=lambda query: paging.paginate_ids(
            query, Project, request.args.get("page"), current_app.extensions["settings"].PAGE_SIZE,
            url=lambda n, **cursor: url_for("projects.index", page=n, **kept, **cursor), options=svc.card_options(),
            cursor=index_order.parse_cursor(request.args)))
    user = current_user._get_current_object()
    return render_template("projects/index.html", page=page, filters=filters, options=svc.filter_options(),
                           today=local_today(), sort=sort, sort_arg=sort.arg,
                           sort_url=lists.sort_url("projects.index", filters),
                           can_create=access.can_create_project(current_user),
                           can_bulk=user.role in BULK_ROLES, owners=owner_choices()[1:], **lists.tools("projects"))


@bp.route("/bulk", methods=["POST"])
@roles_required(*BULK_ROLES)
def bulk_action():
    """The rows ticked on the list: assign an owner, add to the 储备库 or take out, or export them
    (officers: only projects of their department, as for single edits)."""
    actor, owner = current_user._get_current_object(), request.form.get("owner")
    return lists.run_bulk("projects", {
        "owner": lambda ids: bulk.assign_project_owner(actor, ids, owner),
        "pool_in": lambda ids: bulk.set_project_pool(actor, ids, True),
        "pool_out": lambda ids: bulk.set_project_pool(actor, ids, False),
        "export": lambda ids: export_response("projects", {"ids": ids})})


@bp.route("/export.xlsx")
def export():
    """The list page's projects, its filters applied, as an Excel sheet (a job when large)."""
    return export_response("projects", {"filters": svc.filter_args(request.args)})


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin", "staff")
def import_sheet():
    """The project list from an Excel sheet: new projects for the reserve pool, each at the stage
    it has reached, and changes to the projects a row names; all rows or none."""
    return preview_import_page(
        "projects", max_rows=project_sheet.MAX_ROWS,
        title=_("从 Excel 导入储备项目"), back_url=url_for("projects.index"), back_label=pgettext("nav", "项目"),
        template_url=url_for("projects.import_template"),
        rules=[_("须有“项目名称”和“行业领域”两列。"),
               _("“阶段”留空即谋划；已到洽谈、签约、开工或投产的项目，须填写到该阶段为止每个阶段的日期，"
                 "签约还须填签约金额。系统按日期逐级登记阶段，依据记为导入的行号。"),
               _("暂缓、终止的项目，填写暂停前到过的每个阶段的日期，以及暂缓/终止的日期和原因。"),
               _("行业领域、园区、部门、专班、负责人须是系统中的名称；投资主体须已在企业库中。"),
               _("有编号（或与已有项目同名）的行更新该项目，只改有变化的单元格；阶段向前推进或暂缓、终止时按阶段规则"
                 "逐级登记。其余行新建项目。每一行按项目表单的规则检查。")])


@bp.route("/import/template.xlsx")
@roles_required("admin", "staff")
def import_template():
    return xlsx_response(project_sheet.template(), _("储备项目导入表") + ".xlsx")


@bp.route("/<int:project_id>")
def detail(project_id: int):
    project = get_or_404(Project, project_id, options=svc.detail_options())
    form = StageForm(formdata=None, occurred_on=local_today(), to_stage=default_target(project, current_user))
    return _render_detail(project, form)


@bp.route("/<int:project_id>/stage", methods=["GET", "POST"])
@roles_required(*EDITOR_ROLES)
@accepts_uploads  # the form carries evidence files
def move_stage(project_id: int):
    """The project page's stage form posts here; the board's dialog too, by fetch with
    Accept: application/json, and then gets JSON: the outcome, or the form with its errors."""
    project = get_or_404(Project, project_id, visible=access.can_edit_project, options=svc.detail_options())
    if request.method == "GET":
        return _stage_dialog(project)
    form = StageForm()
    scripted = wants_json()
    if form.validate_on_submit() and _confirmed(form):
        try:
            event = stage_files.record_move(current_user, current_app.extensions["settings"], project, form.data,
                                            uploads_of(form, caption="file_caption"))
        except RuleError as error:  # a bad amount under its field, a stage rule's refusal as an alert
            # (in the dialog, under the stage picker: there is no page to flash it on)
            attach(form, error, field="to_stage" if scripted else None)
        else:
            db.session.commit()
            message = _("已记录阶段变更：%(old)s → %(new)s。", old=STAGE_LABELS[event.from_stage],
                        new=STAGE_LABELS[event.to_stage])
            if scripted:
                return jsonify(ok=True, message=message, stage=event.to_stage)
            flash(message, "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    if scripted:
        first = next((str(e) for errors in form.errors.values() for e in errors), _("请修正以下错误后再保存："))
        return jsonify(ok=False, message=first, html=_stage_form_html(project, form)), 422
    return _render_detail(project, form)


def _stage_dialog(project: Project):
    """The stage form for a card dropped on the board's `to_stage` column, preselected; or, when
    the user may not pick that stage at all (a skip by staff), why not, before any form opens."""
    if not wants_json():  # the form lives on the project page
        return redirect(url_for("projects.detail", project_id=project.id))
    to_stage = request.args.get("to_stage", "")
    try:
        target_kind(project, to_stage, current_user)
    except StageError as error:
        return jsonify(ok=False, message=str(error.message)), 422
    form = StageForm(formdata=None, occurred_on=local_today(), to_stage=to_stage)
    return jsonify(ok=True, html=_stage_form_html(project, form))
def _confirmed(form: StageForm) -> bool:
    if not form.confirmed.data:
        form.confirmed.errors = [*form.confirmed.errors, _("请核对后勾选确认，再记录阶段变更。")]
    return bool(form.confirmed.data)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin", "staff")
def create():
    return _edit(ProjectForm(), None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITOR_ROLES)
def edit(project_id: int):
    project = get_or_404(Project, project_id, visible=access.can_edit_project,
                         options=(selectinload(Project.investors), selectinload(Project.departments)))
    form = ProjectForm(obj=project, investor_ids=[str(e.id) for e in project.investors],
                       department_ids=[str(d.id) for d in project.departments])
    return _edit(form, project)


def _edit(form: ProjectForm, project: Project | None):
    form.fill_choices()
    if form.validate_on_submit():
        try:
            saved = svc.save_project(current_user, project, form.data)
        except svc.ValidationError as error:
            attach(form, error)
        except StaleEdit as stale:
            versioning.conflict(stale, form, describe=lambda rows: [d["items"] for d in svc.describe_changes(rows)])
        else:
            db.session.commit()
            flash(_("项目已保存。"), "success")
            return redirect(url_for("projects.detail", project_id=saved.id))
    return render_template("projects/form.html", form=form, project=project,
                           lookup_limit=search.LOOKUP_LIMIT), versioning.status(form)


def _stage_choices(project: Project) -> list:
    """Allowed targets, each marked with the evidence its move asks for (read by stage_form.js)."""
    choices = [("", _("— 请选择 —"))]
    evidence_rules = file_rules.current()
    for stage in allowed_targets(project, current_user):
        kind = classify(project, stage)
        rule = evidence_rules[stage]
        marks = {"data-amount": "1" if stage == "signed" and kind != "resume" else "0",
                 "data-reason": "1" if kind in ("side", "override") else "0",
                 "data-files": rule.what if rule.required and kind != "resume" else ""}
        choices.append((stage, STAGE_LABELS[stage], marks))
    return choices


def _stage_form_html(project: Project, form: StageForm) -> str:
    """The board's dialog copy of the stage form (its button is the confirmation)."""
    form.to_stage.choices = _stage_choices(project)
    return render_template("projects/_stage_form.html", project=project, form=form, dialog=True)


def _render_detail(project: Project, form: StageForm):
    form.to_stage.choices = _stage_choices(project)
    can_edit = access.can_edit_project(current_user, project)
    see_files = access.can_see_project_files(current_user, project)
    return render_template(
        "projects/detail.html", project=project, form=form, can_edit=can_edit,
        files=section_files("project", project.id, see_files), upload_form=UploadForm(formdata=None),
        pictures=pictures.current(project.id) if can_edit else None, picture_form=picture_form(formdata=None),
        picture_slots=[(n, pictures.position_label(n)) for n in range(PICTURE_SLOTS)],
        stage_files=evidence.for_owners("stage", [e.id for e in project.stage_events]) if see_files else {},
        tl=timeline.box("project", project.id, "projects.detail", project_id=project.id),
        can_log=lambda p: access.can_log_interaction(current_user, p),
        today=local_today(), labels=svc.FIELD_LABELS, risk=risk.for_project(project, local_today()),
        unit_choices=department_choices() if project.liaison_leader_id == current_user.id else [],
        key_levels=svc.KEY_LEVELS, priorities=svc.PRIORITIES)
