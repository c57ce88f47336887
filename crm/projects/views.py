"""Project pages: the filtered list (out to and in from Excel sheets), the project page
(facts, stage timeline, interactions, audit history, stage-move form), create and edit.  Rules
live in services/projects.py and services/pipeline.py; these views parse, call, commit and render.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import pgettext
from crm.models import Project
from crm.projects.forms import ProjectForm, StageForm
from crm.services import projects as svc
from crm.services import search
from crm.services.core import access, audit
from crm.services.core.clock import local_now, local_today
from crm.services.core.errors import RuleError
from crm.services.core.paging import paginate
from crm.services.core.versions import StaleEdit
from crm.services.pipeline import STAGE_LABELS, allowed_targets, classify
from crm.services.sheets import project_sheet
from crm.web import attach, get_or_404, roles_required, versioning, xlsx_response
from crm.web.imports import preview_import_page

bp = Blueprint("projects", __name__, url_prefix="/projects")

EDITOR_ROLES = ("admin", "staff", "officer")  # officers: their department's projects only (record rule)


@bp.route("/")
def index():
    filters = svc.filter_args(request.args)
    page = paginate(svc.list_query(svc.project_filters(request.args)), request.args.get("page"),
                    current_app.extensions["settings"].PAGE_SIZE,
                    url=lambda n: url_for("projects.index", page=n, **filters))
    return render_template("projects/index.html", page=page, filters=filters, options=svc.filter_options(),
                           today=local_today(),
                           can_create=access.can_create_project(current_user))


@bp.route("/export.xlsx")
def export():
    """The list page's projects, its filters applied, as an Excel sheet."""
    data, _count, _cut = project_sheet.export(svc.project_filters(request.args), local_now())
    return xlsx_response(data, _("招商项目清单") + f"-{local_today():%Y%m%d}.xlsx")


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
    form = StageForm(formdata=None, occurred_on=local_today())
    return _render_detail(project, form)


@bp.route("/<int:project_id>/stage", methods=["POST"])
@roles_required(*EDITOR_ROLES)
def move_stage(project_id: int):
    project = get_or_404(Project, project_id, visible=access.can_edit_project, options=svc.detail_options())
    form = StageForm()
    if form.validate_on_submit():
        try:
            event = svc.record_stage_move(current_user, project, form.data)
        except RuleError as error:  # a bad amount under its field, a stage rule's refusal as an alert
            attach(form, error)
        else:
            db.session.commit()
            flash(_("已记录阶段变更：%(old)s → %(new)s。", old=STAGE_LABELS[event.from_stage],
                    new=STAGE_LABELS[event.to_stage]), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    return _render_detail(project, form)


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
    for stage in allowed_targets(project, current_user):
        kind = classify(project, stage)
        marks = {"data-amount": "1" if stage == "signed" and kind != "resume" else "0",
                 "data-reason": "1" if kind in ("side", "override") else "0"}
        choices.append((stage, STAGE_LABELS[stage], marks))
    return choices


def _render_detail(project: Project, form: StageForm):
    form.to_stage.choices = _stage_choices(project)
    return render_template(
        "projects/detail.html", project=project, form=form,
        can_edit=access.can_edit_project(current_user, project),
        interactions=svc.project_interactions(project.id),
        history=svc.describe_changes(audit.history("Project", project.id)),
        today=local_today(), labels=svc.FIELD_LABELS,
        key_levels=svc.KEY_LEVELS, priorities=svc.PRIORITIES)
