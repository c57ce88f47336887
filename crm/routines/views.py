"""Routines pages: the month's dispatch table and filing, the problem ledger, the quarterly
ranking.  Views parse input, call crm.services.{dispatch,problems,ranking,xlsx} and commit.
"""
from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from crm import versioning
from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Department, Instruction, Problem, ProgressReport, Project
from crm.routines.forms import (
    CorrectionForm,
    NoteForm,
    ProblemEditForm,
    ProblemForm,
    RankingSettingsForm,
    ReportForm,
    ResolveForm,
)
from crm.services import search
from crm.services.core import access, audit
from crm.services.core.clock import local_now, local_today
from crm.services.core.ids import parse_id
from crm.services.core.paging import paginate
from crm.services.core.versions import StaleEdit
from crm.services.routines import dispatch, problems, ranking
from crm.services.routines.dispatch import RoutineError
from crm.services.routines.problems import ProblemError
from crm.services.sheets import xlsx
from crm.web import attach, get_or_404, roles_required, xlsx_response

bp = Blueprint("routines", __name__, url_prefix="/routines")
FILERS = ("admin", "staff", "officer")


def _save(form, action, message: str, target: str):
    """Run a service call: on success commit, flash and return the redirect; on a refusal put
    the message on the form and return None, so the view shows the form again (nothing saved)."""
    try:
        action()
    except RoutineError as error:
        db.session.rollback()
        attach(form, error)
        return None
    except StaleEdit as stale:  # the page answers 409 with form.conflict (crm/versioning.py)
        versioning.conflict(stale, form, labels={**dispatch.FIELD_LABELS, **problems.FIELD_LABELS})
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(target)


def _month_arg(raw, today):
    month = dispatch.parse_month(raw) if raw else dispatch.month_start(today)
    if month is None or month > dispatch.month_start(today):
        abort(404)
    return month


# ---------------------------------------------------------------- 每月调度

@bp.route("/dispatch", endpoint="dispatch")
def dispatch_table():
    """The month's table, a page at a time, narrowed by 牵头部门, 专栏 and status; everyone sees
    the whole table (officers get their department's owed reports on top and a 本部门 link)."""
    today = local_today()
    month = _month_arg(request.args.get("month"), today)
    departments, columns = _departments(), _column_choices()
    filters = dispatch.table_filters(request.args, [d for d, _label in departments], [c for c, _t in columns])

    def table_url(**changes):
        """This page's URL with its month and filters, changed (a None value drops a filter)."""
        args = {"month": f"{month:%Y-%m}", **filters.args(), **changes}
        return url_for("routines.dispatch", **{k: v for k, v in args.items() if v is not None})

    counts = dispatch.month_counts(month, today, filters)
    page = dispatch.month_page(month, today, filters, request.args.get("page"), lambda n: table_url(page=n))
    due = dispatch.due_date(month, dispatch.routine_settings().report_due_day)
    return render_template(
        "routines/dispatch.html", page=page, owed=_owed_card(month, today), month=month, due=due, today=today,
        counts=counts, total=counts[filters.status] if filters.status else sum(counts.values()),
        filters=filters, departments=departments, columns=columns, table_url=table_url,
        column_title=xlsx.column_title, can_file=dispatch.can_file, STATUS_LABELS=dispatch.STATUS_LABELS,
        prev_month=dispatch.add_months(month, -1),
        next_month=dispatch.add_months(month, 1) if month < dispatch.month_start(today) else None)


def _owed_card(month, today) -> dict | None:
    """An officer's 本部门本月待报: the first OWED_SHOWN owed reports and how many there are."""
    department_id = current_user.department_id if current_user.role == "officer" else None
    if not department_id:
        return None
    counts = dispatch.month_counts(month, today, dispatch.TableFilters(department_id=department_id))
    status = dispatch.missing_status(month, today, dispatch.routine_settings().report_due_day)
    return {"rows": dispatch.owed_reports(month, today, department_id, limit=dispatch.OWED_SHOWN),
            "total": counts[status], "status": status, "department_id": department_id}


def _column_choices() -> list[tuple]:
    """(value, title) of the 专栏 filter: each numbered 专栏 titled as the table's group headers,
    then 其他项目.  The title helper reads only column_no and sector, so a stand-in will do."""
    sectors = dispatch.column_sectors()
    return [(no, xlsx.column_title(SimpleNamespace(column_no=no, sector=sector))) for no, sector in sectors.items()] \
        + [(dispatch.NO_COLUMN, xlsx.column_title(SimpleNamespace(column_no=None, sector=None)))]


@bp.route("/dispatch.xlsx")
@roles_required("admin")
def dispatch_xlsx():
    today = local_today()
    month = _month_arg(request.args.get("month"), today)
    due = dispatch.due_date(month, dispatch.routine_settings().report_due_day)
    data = xlsx.dispatch_workbook(month, dispatch.month_table(month, today), due=due, generated=local_now())
    return xlsx_response(data, f"dispatch-{month:%Y-%m}.xlsx")


@bp.route("/reports/<int:project_id>/<month>", methods=["GET", "POST"])
@roles_required(*FILERS)
def report_file(project_id: int, month: str):
    project = get_or_404(Project, project_id, visible=dispatch.can_file,
                         options=[joinedload(Project.lead_department)])
    today = local_today()
    month = dispatch.parse_month(month)
    if month is None or month > dispatch.month_start(today):
        abort(404)
    existing = dispatch.report_for(project.id, month)
    form = ReportForm(obj=existing)
    if form.validate_on_submit():
        done = _save(form, lambda: dispatch.file_report(current_user, project, month, form.data, today=today),
                     _("已保存 %(project)s %(month)s 的月度调度。", project=project.display_name, month=f"{month:%Y-%m}"),
                     url_for("routines.dispatch", month=f"{month:%Y-%m}"))
        if done:
            return done
    return render_template(
        "routines/report_form.html", form=form, project=project, month=month, report=existing,
        previous=dispatch.previous_report(project.id, month),
        due=dispatch.due_date(month, dispatch.routine_settings().report_due_day)), versioning.status(form)


@bp.route("/reports/<int:report_id>/correct", methods=["GET", "POST"])
@roles_required("admin")
def report_correct(report_id: int):
    report = get_or_404(ProgressReport, report_id,
                        options=[joinedload(ProgressReport.project), joinedload(ProgressReport.department)])
    form = CorrectionForm(obj=report)
    if form.validate_on_submit():
        done = _save(form, lambda: dispatch.correct_report(current_user, report, form.data, form.reason.data),
                     _("已更正调度数据，原因已记入操作日志。"), url_for("routines.dispatch", month=f"{report.month:%Y-%m}"))
        if done:
            return done
    return render_template("routines/report_correct.html", form=form, report=report,
                           history=audit.history("ProgressReport", report.id),
                           labels=dispatch.FIELD_LABELS), versioning.status(form)


# ---------------------------------------------------------------- 问题台账

def _id_arg(name):
    return parse_id(request.args.get(name))


@bp.route("/problems", endpoint="problems")
def problems_list():
    today = local_today()
    filters = {"department_id": _id_arg("department"), "project_id": _id_arg("project"),
               "status": request.args.get("status") or None, "overdue": request.args.get("overdue") == "1"}
    args = {k: v for k, v in request.args.items() if k != "page"}
    page = paginate(problems.ledger_query(today=today, **filters), request.args.get("page"),
                    current_app.extensions["settings"].PAGE_SIZE,
                    lambda n: url_for("routines.problems", page=n, **args))
    project = db.session.get(Project, filters["project_id"]) if filters["project_id"] else None
    instruction = _instruction_offer()
    return render_template(
        "routines/problems.html", page=page, filters=filters, project=project, today=today,
        departments=_departments(), stats=problems.stats(filters["department_id"], today),
        instruction=instruction, can_manage=problems.can_manage,
        STATUS_LABELS=problems.STATUS_LABELS, ESCALATION_LABELS=problems.ESCALATION_LABELS,
        SOURCE_LABELS=problems.SOURCE_LABELS)



def _departments() -> list[tuple]:
    """(id, label) of every department, by name: the ledger's filter and the form's choices."""
    return [(d.id, d.label()) for d in db.session.scalars(sa.select(Department).order_by(Department.name))]


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
    return _departments()


@bp.route("/problems/new", methods=["GET", "POST"])
@roles_required(*FILERS)
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
        done = _save(form, lambda: problems.open_problem(
            current_user, chosen, description=form.description.data, department_id=form.department_id.data,
            deadline=form.deadline.data, source="report" if report is not None else "project", report=report),
            _("问题已登记。"), url_for("routines.problems", project=chosen.id))
        if done:
            return done
    return render_template("routines/problem_new.html", form=form, project=project, report=report,
                           instruction=_instruction_offer(), lookup_limit=search.LOOKUP_LIMIT)


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
        done = _save(form, lambda: problems.update_problem(
            current_user, problem, description=form.description.data, deadline=form.deadline.data,
            status=form.status.data, department_id=form.department_id.data, version=form.version.data),
            _("问题已更新。"), url_for("routines.problem_edit", problem_id=problem.id))
        if done:
            return done
    return _problem_page(problem, form=form, status=versioning.status(form))


def _problem_page(problem, *, form=None, resolve_form=None, status=200):
    resolve_form = resolve_form or ResolveForm(resolved_on=local_today())
    return render_template(
        "routines/problem_edit.html", problem=problem, form=form or ProblemEditForm(obj=problem),
        resolve_form=resolve_form, note_form=NoteForm(), today=local_today(),
        history=audit.history("Problem", problem.id), can_escalate=problems.can_escalate(current_user),
        labels=problems.FIELD_LABELS, value_labels=problems.VALUE_LABELS,
        STATUS_LABELS=problems.STATUS_LABELS, ESCALATION_LABELS=problems.ESCALATION_LABELS,
        SOURCE_LABELS=problems.SOURCE_LABELS), status


@bp.route("/problems/<int:problem_id>/resolve", methods=["GET", "POST"])
@roles_required(*FILERS)
def problem_resolve(problem_id: int):
    problem = _load_problem(problem_id)
    form = ResolveForm(resolved_on=local_today())
    if form.validate_on_submit():
        done = _save(form, lambda: problems.resolve(current_user, problem, resolution=form.resolution.data,
                                                    resolved_on=form.resolved_on.data),
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


# ---------------------------------------------------------------- 季度晾晒

def _quarter_arg(raw, today) -> ranking.Quarter:
    quarter = ranking.Quarter.parse(raw) if raw else ranking.Quarter.of(today)
    if quarter is None or quarter not in ranking.quarters_until(today):
        abort(404)
    return quarter


@bp.route("/ranking", endpoint="ranking")
def ranking_page():
    today = local_today()
    quarter = _quarter_arg(request.args.get("quarter"), today)
    result = ranking.ranking_for(quarter, today)
    db.session.commit()  # a first view of a finished quarter has just frozen it
    unfrozen = None
    if current_user.role == "admin" and result.provisional and ranking.snapshot_of(quarter.prev()) is None \
            and quarter.prev() in ranking.quarters_until(today):
        unfrozen = quarter.prev()
    return render_template("routines/ranking.html", ranking=result, quarters=ranking.quarters_until(today),
                           unfrozen=unfrozen, note_form=NoteForm(), COLOUR_LABELS=ranking.COLOUR_LABELS)



@bp.route("/ranking.xlsx")
def ranking_xlsx():
    today = local_today()
    quarter = _quarter_arg(request.args.get("quarter"), today)
    result = ranking.ranking_for(quarter, today)
    db.session.commit()
    return xlsx_response(xlsx.ranking_workbook(result, generated=local_now()), f"ranking-{quarter}.xlsx")


@bp.route("/ranking/weights", methods=["GET", "POST"])
@roles_required("admin")
def ranking_weights():
    form = RankingSettingsForm(obj=dispatch.routine_settings())
    if form.validate_on_submit():
        dispatch.update_settings(current_user, {name: getattr(form, name).data for name in dispatch.EDITABLE_SETTINGS})
        db.session.commit()
        flash(_("权重与规则已保存；已封存的季度不受影响。"), "success")
        return redirect(url_for("routines.ranking"))
    return render_template("routines/ranking_weights.html", form=form)


@bp.route("/ranking/freeze", methods=["POST"])
@roles_required("admin")
def ranking_freeze():
    today = local_today()
    quarter = ranking.Quarter.parse(request.values.get("quarter")) or ranking.Quarter.of(today).prev()
    if quarter not in ranking.quarters_until(today):
        abort(404)
    if NoteForm().validate_on_submit():
        try:
            ranking.freeze(quarter, today, current_user)
        except ranking.RankingError as error:
            attach(None, error)
            return redirect(url_for("routines.ranking"))
        db.session.commit()
        flash(_("%(q)s 的晾晒结果已封存。", q=str(quarter)), "success")
    return redirect(url_for("routines.ranking", quarter=str(quarter)))
