"""Leaders' pages: 我的包联项目 (ranked by risk), writing a 批示, marking a project reviewed.

Only a project's own liaison leader may write on it; anyone else gets 404 (record rule), and
other roles 403 (role rule).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import gettext as _
from crm.leaders.forms import InstructionForm, ReviewForm
from crm.models import Project
from crm.services.core.clock import local_today
from crm.services.core.ids import parse_id
from crm.services.enterprises import ValidationError
from crm.services.liaison import leaders as svc
from crm.services.routines import problems
from crm.web import attach, flash_errors, get_or_404, local_target, roles_required

bp = Blueprint("leaders", __name__, url_prefix="/leaders")


def _own_project(project_id: int) -> Project:
    return get_or_404(Project, project_id, visible=lambda user, p: p.liaison_leader_id == user.id)


def _back(form) -> str:
    """Return to the page the form was on (same-site paths only), else the leader's list."""
    return local_target(form.next.data) or url_for("leaders.my_projects")


@bp.route("/")
@roles_required("leader")
def my_projects():
    today = local_today()
    rows = svc.my_projects(current_user, today)
    # ?instruct=<id> (the workbench's 写批示): that project's 批示 form opens with its text focused.
    return render_template("leaders/my_projects.html", rows=rows, today=today, week=svc.iso_week(today),
                           review_form=ReviewForm(formdata=None), instruct=parse_id(request.args.get("instruct")),
                           stale_days=svc.STALE_DAYS)


@bp.route("/projects/<int:project_id>/instructions", methods=["POST"])
@roles_required("leader")
def instruct(project_id: int):
    project = _own_project(project_id)
    form = InstructionForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(form))
    try:
        instruction = svc.add_instruction(current_user, project, form.text.data, form.follow_up_required.data)
    except ValidationError as error:
        attach(None, error)  # flashed: the page redirects
        return redirect(_back(form))
    if instruction.follow_up_required:
        _open_problem(instruction)
    db.session.commit()
    flash(_("批示已保存，并已通知项目负责人。"), "success")
    return redirect(_back(form))


def _open_problem(instruction) -> None:
    """A 批示 that needs follow-up goes to the 问题台账."""
    try:
        with db.session.begin_nested():
            problems.open_from_instruction(current_user, instruction)
    except problems.ProblemError as error:
        flash(_("批示已保存，但未能登记到问题台账：%(why)s", why=str(error)), "warning")


@bp.route("/projects/<int:project_id>/reviewed", methods=["POST"])
@roles_required("leader")
def mark_reviewed(project_id: int):
    project = _own_project(project_id)
    form = ReviewForm()
    if form.validate_on_submit():
        svc.mark_reviewed(current_user, project, local_today())
        db.session.commit()
        flash(_("已标记“%(name)s”本周已阅。", name=project.name), "success")
    else:
        flash_errors(form)
    return redirect(_back(form))
