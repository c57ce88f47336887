"""问题台账 pages: the problem ledger, raising, editing, resolving and escalating a problem, and a
problem opened from a leader's 批示.
"""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.files.forms import accepts_uploads, uploads_of
from crm.i18n import gettext as _
from crm.models import Instruction, Problem, ProgressReport, Project
from crm.routines.forms import NoteForm, ProblemEditForm, ProblemForm, ResolveForm
from crm.routines.views import FILERS, bp, department_choices, save_form
from crm.services import search
from crm.services.core import access, audit, listing
from crm.services.core.clock import local_today
from crm.services.core.ids import parse_id
from crm.services.core.paging import paginate
from crm.services.files import evidence
from crm.services.lists import sorts
from crm.services.routines import problems
from crm.services.routines.problems import ProblemError
from crm.web import attach, get_or_404, lists, roles_required, versioning


def _id_arg(name):
    return parse_id(request.args.get(name))


@bp.route("/problems", endpoint="problems")
def problems_list():
    today = local_today()
    filters = {"department_id": _id_arg("department"), "project_id": _id_arg("project"),
               "status": request.args.get("status") or None, "overdue": request.args.get("overdue") == "1",
               "unresolved": request.args.get("unresolved") == "1"}
    args = {k: v for k, v in request.args.items() if k != "page"}
    sort = listing.parse_sort(args.get("sort"), sorts.PROBLEMS)  # default: open first, by deadline
    query = problems.ledger_query(today=today, **filters)
    page = lists.sorted_page(query, sort, sorts.PROBLEMS, Problem.id, page_of=lambda ordered: paginate(
        ordered, request.args.get("page"), current_app.extensions["settings"].PAGE_SIZE,
        lambda n: url_for("routines.problems", page=n, **args)))
    project = db.session.get(Project, filters["project_id"]) if filters["project_id"] else None
    instruction = _instruction_offer()
    return render_template(
        "routines/problems.html", page=page, filters=filters, project=project, today=today,
        departments=department_choices(), stats=problems.stats(filters["department_id"], today),
        instruction=instruction, can_manage=problems.can_manage, sort=sort,
        sort_url=lists.sort_url("routines.problems", args), **lists.tools("problems"),
        STATUS_LABELS=problems.STATUS_LABELS, ESCALATION_LABELS=problems.ESCALATION_LABELS,
        SOURCE_LABELS=problems.SOURCE_LABELS)



def _may_use_instruction(user, instruction) -> bool:
    return user.role in ("admin", "staff") or (user.role == "leader" and instruction.leader_id == user.id)


def _instruction_offer():
    """The 批示 named by ?instruction_id=, when the user may open a problem from it."""
    ident = _id_arg("instruction_id")
    if not ident:
        return None
    instruction = db.session.get(Instruction, ident, options=[joinedload(Instruction.project)])
    return instruction if instruction is not None and _may_use_instruction(current_user, instruction) else None


def _project_choices(user, fixed: Project | None):
    """The page's project, or else only the project posted (if the user may raise about it): the
    select never lists every project (10,000 at province scale); picker.js searches problem_projects."""
    if fixed is not None:
        return [(fixed.id, fixed.display_name)]
    posted = parse_id(request.form.get("project_id"))
    return problems.raisable_projects(user, ids=[posted]) if posted else []


@bp.route("/problems/projects")
@roles_required(*FILERS)
def problem_projects():
    """Projects matching ?q= that the user may raise a problem about: the problem form's picker."""
    q = request.args.get("q", "").strip()[:search.LOOKUP_MAX_CHARS]
    found = problems.raisable_projects(current_user, q=q, limit=search.LOOKUP_LIMIT + 1) if q else []
    return jsonify(projects=[{"id": pid, "name": name} for pid, name in found[:search.LOOKUP_LIMIT]],
                   more=len(found) > search.LOOKUP_LIMIT)


def _department_choices(user):
    if user.role == "officer":
        return [(user.department_id, user.department.label())] if user.department_id else []
    return department_choices()


@bp.route("/problems/new", methods=["GET", "POST"])
@roles_required(*FILERS)
@accepts_uploads
def problem_new():
    report = None
    if _id_arg("report_id"):
        report = get_or_404(ProgressReport, _id_arg("report_id"),
                            visible=lambda user, r: problems.can_raise(user, r.project))
    project = report.project if report is not None else None
    if project is None and _id_arg("project_id"):
        project = get_or_404(Project, _id_arg("project_id"), visible=problems.can_raise)
    form = ProblemForm()
    form.project_id.choices = _project_choices(current_user, project)
    form.department_id.choices = _department_choices(current_user)
    if request.method == "GET":
        form.description.data = report.problems_text if report is not None else None
        if project is not None and current_user.role != "officer":
            form.department_id.data = project.lead_department_id
    if form.validate_on_submit():
        chosen = db.session.get(Project, form.project_id.data)
        access.require(chosen is not None and problems.can_raise(current_user, chosen))
        done = save_form(form, lambda: _with_files(form, "problem", chosen.id, lambda: problems.open_problem(
            current_user, chosen, description=form.description.data, department_id=form.department_id.data,
            deadline=form.deadline.data, source="report" if report is not None else "project", report=report)),
            _("问题已登记。"), url_for("routines.problems", project=chosen.id))
        if done:
            return done
    return render_template("routines/problem_new.html", form=form, project=project, report=report,
                           instruction=_instruction_offer(), lookup_limit=search.LOOKUP_LIMIT)


def _with_files(form, kind: str, project_id: int, action):
    return evidence.with_files(current_user, current_app.extensions["settings"],
                               uploads_of(form, caption="file_caption"), kind=kind, project_id=project_id,
                               action=action)


def _load_problem(problem_id: int) -> Problem:
    return get_or_404(Problem, problem_id, visible=problems.can_manage,
                      options=[joinedload(Problem.project), joinedload(Problem.department)])


@bp.route("/problems/<int:problem_id>/edit", methods=["GET", "POST"])
@roles_required(*FILERS)
def problem_edit(problem_id: int):
    problem = _load_problem(problem_id)
    form = ProblemEditForm(obj=problem)
    form.department_id.choices = _department_choices(current_user)
    if problem.status != "resolved" and form.validate_on_submit():
        done = save_form(form, lambda: problems.update_problem(
            current_user, problem, description=form.description.data, deadline=form.deadline.data,
            status=form.status.data, department_id=form.department_id.data, version=form.version.data),
            _("问题已更新。"), url_for("routines.problem_edit", problem_id=problem.id))
        if done:
            return done
    return _problem_page(problem, form=form, status=versioning.status(form))


def _problem_page(problem, *, form=None, resolve_form=None, status=200):
    resolve_form = resolve_form or ResolveForm(resolved_on=local_today())
    history = audit.history("Problem", problem.id)
    return render_template(
        "routines/problem_edit.html", problem=problem, form=form or ProblemEditForm(obj=problem),
        files=_problem_files(problem),
        resolve_form=resolve_form, note_form=NoteForm(), today=local_today(),
        history=history, can_escalate=problems.can_escalate(current_user), labels=problems.FIELD_LABELS,
        value_labels={**problems.VALUE_LABELS, **audit.reference_labels(history, problems.REFERENCES)},
        STATUS_LABELS=problems.STATUS_LABELS, ESCALATION_LABELS=problems.ESCALATION_LABELS,
        SOURCE_LABELS=problems.SOURCE_LABELS), status


def _problem_files(problem: Problem) -> dict:
    """kind → the files of the problem's raising ("problem") and of its 销号 ("problem_close")."""
    if not access.can_see_project_files(current_user, problem.project):
        return {}
    return {kind: evidence.for_owners(kind, [problem.id])[problem.id] for kind in ("problem", "problem_close")}


@bp.route("/problems/<int:problem_id>/resolve", methods=["GET", "POST"])
@roles_required(*FILERS)
@accepts_uploads
def problem_resolve(problem_id: int):
    problem = _load_problem(problem_id)
    form = ResolveForm(resolved_on=local_today())
    if form.validate_on_submit():
        done = save_form(form, lambda: _with_files(form, "problem_close", problem.project_id, lambda: problems.resolve(
            current_user, problem, resolution=form.resolution.data, resolved_on=form.resolved_on.data)),
                     _("问题已销号。"), url_for("routines.problem_edit", problem_id=problem.id))
        if done:
            return done
    edit_form = ProblemEditForm(obj=problem)
    edit_form.department_id.choices = _department_choices(current_user)
    return _problem_page(problem, form=edit_form, resolve_form=form)


@bp.route("/problems/<int:problem_id>/escalate", methods=["POST"])
@roles_required("admin", "staff")
def problem_escalate(problem_id: int):
    problem = _load_problem(problem_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            problems.escalate(current_user, problem, form.note.data)
        except ProblemError as error:
            attach(None, error)
        else:
            db.session.commit()
            flash(_("问题已升级至：%(level)s。", level=problems.ESCALATION_LABELS[problem.escalation_level]), "warning")
    else:
        flash(_("说明过长（最多 1000 字）。"), "danger")
    return redirect(url_for("routines.problem_edit", problem_id=problem.id))


@bp.route("/problems/from-instruction/<int:instruction_id>", methods=["POST"])
@roles_required("admin", "staff", "leader")
def problem_from_instruction(instruction_id: int):
    instruction = get_or_404(Instruction, instruction_id, visible=_may_use_instruction,
                             options=[joinedload(Instruction.project)])
    if NoteForm().validate_on_submit():
        try:
            problem = problems.open_from_instruction(current_user, instruction)
        except ProblemError as error:
            attach(None, error)
            return redirect(url_for("routines.problems", instruction_id=instruction.id))
        db.session.commit()
        flash(_("已根据领导批示登记问题，责任部门：%(d)s。", d=problem.department.label()), "success")
        return redirect(url_for("routines.problems", project=problem.project_id))
    return redirect(url_for("routines.problems", instruction_id=instruction.id))
