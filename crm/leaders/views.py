"""Leaders' pages: 我的包联项目 (ranked by risk), writing a 批示, marking a project reviewed;
and the 批示 loop: a unit's officer replies, the leader accepts or sends back.

Only a project's own liaison leader may write on it or decide on its 批示, only an officer of a
批示's unit may reply; anyone else of the role gets 404 (record rule), other roles 403.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.leaders.forms import InstructionForm, ReplyForm, ReviewForm, SendBackForm
from crm.models import Instruction, Project
from crm.routines.views import department_choices
from crm.services.core.clock import local_today
from crm.services.core.ids import parse_id
from crm.services.enterprises import ValidationError
from crm.services.liaison import instructions, risk
from crm.services.liaison import leaders as svc
from crm.services.routines import problems
from crm.web import attach, flash_errors, get_or_404, local_target, roles_required

bp = Blueprint("leaders", __name__, url_prefix="/leaders")


@bp.record_once
def _template_rules(state) -> None:
    """The 批示 rules the shared macros ask (globals: macros imported without context see them)."""
    state.app.jinja_env.globals.update(
        INSTRUCTION_STATES=instructions.STATE_LABELS, instruction_overdue=instructions.is_overdue,
        can_reply_instruction=instructions.can_reply, can_decide_instruction=instructions.can_decide)


def _own_project(project_id: int) -> Project:
    return get_or_404(Project, project_id, visible=lambda user, p: p.liaison_leader_id == user.id)


def _back(form) -> str:
    """Return to the page the form was on (same-site paths only), else the user's own list."""
    home = "leaders.unit_instructions" if current_user.role == "officer" else "leaders.my_projects"
    return local_target(form.next.data) or url_for(home)


@bp.route("/")
@roles_required("leader")
def my_projects():
    today = local_today()
    rows = svc.my_projects(current_user, today)
    # ?instruct=<id> (the workbench's 写批示): that project's 批示 form opens with its text focused.
    return render_template("leaders/my_projects.html", rows=rows, today=today, week=svc.iso_week(today),
                           sections=risk.sections(rows), open_orders=instructions.open_by_project(current_user),
                           review_form=ReviewForm(formdata=None), instruct=parse_id(request.args.get("instruct")),
                           unit_choices=department_choices(), stale_days=svc.STALE_DAYS)


@bp.route("/projects/<int:project_id>/instructions", methods=["POST"])
@roles_required("leader")
def instruct(project_id: int):
    project = _own_project(project_id)
    form = InstructionForm()
    form.unit_ids.choices = department_choices()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(form))
    try:
        instruction = instructions.add_instruction(
            current_user, project, form.text.data, form.follow_up_required.data,
            unit_ids=form.unit_ids.data, deadline=form.deadline.data)
    except ValidationError as error:
        attach(None, error)  # flashed: the page redirects
        return redirect(_back(form))
    if instruction.follow_up_required:
        _open_problem(instruction)
    db.session.commit()
    flash(_("批示已保存，并已通知项目负责人和承办单位。"), "success")
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


def _instruction(instruction_id: int, visible) -> Instruction:
    return get_or_404(Instruction, instruction_id, visible=visible, options=[joinedload(Instruction.project)])


def _act(form, action, message: str):
    """Run a loop step from a posted form: commit and flash, or flash the refusal; back to the page."""
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_back(form))
    try:
        action()
    except ValidationError as error:
        attach(None, error)
        return redirect(_back(form))
    db.session.commit()
    flash(message, "success")
    return redirect(_back(form))


@bp.route("/instructions")
@roles_required("officer")
def unit_instructions():
    """本单位批示: the 批示 addressed to the officer's department, open ones first."""
    found = instructions.for_department(current_user.department_id) if current_user.department_id else []
    return render_template("leaders/unit_instructions.html", found=found, today=local_today(),
                           STATES=instructions.STATE_LABELS)


@bp.route("/instructions/<int:instruction_id>/reply", methods=["POST"])
@roles_required("officer")
def reply(instruction_id: int):
    instruction = _instruction(instruction_id, instructions.can_reply)
    form = ReplyForm()
    return _act(form, lambda: instructions.reply(current_user, instruction, form.text.data),
                _("回复已提交，等待领导审阅。"))


@bp.route("/instructions/<int:instruction_id>/accept", methods=["POST"])
@roles_required("leader")
def accept(instruction_id: int):
    instruction = _instruction(instruction_id, instructions.can_decide)
    return _act(ReviewForm(), lambda: instructions.accept(current_user, instruction), _("批示已办结。"))


@bp.route("/instructions/<int:instruction_id>/send-back", methods=["POST"])
@roles_required("leader")
def send_back(instruction_id: int):
    instruction = _instruction(instruction_id, instructions.can_decide)
    form = SendBackForm()
    return _act(form, lambda: instructions.send_back(current_user, instruction, form.note.data),
                _("批示已退回承办单位。"))
