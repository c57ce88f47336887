"""对接记录 pages: the quick form (one tap from the top bar), its enterprise lookup, and
marking a follow-up done.  Admins and staff log about anything; officers only about the
projects their department leads or shares; leaders read only.

The form's project select stays small whatever the number of projects: the chosen one, the
picked enterprise's linked ones and the user's recent ones (quick_log.js swaps the linked ones).
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from crm.enterprises.forms import commit_or_show
from crm.extensions import db
from crm.i18n import gettext as _
from crm.interactions.forms import QuickLogForm
from crm.models import Enterprise, Interaction, Project
from crm.services import enterprises, interactions, search
from crm.services.core import access
from crm.services.core.clock import day_label, local_now, local_today, to_utc_naive, utcnow
from crm.services.core.ids import parse_id
from crm.services.enterprises import ValidationError, normalize_name
from crm.web import attach, get_or_404, local_target, roles_required

bp = Blueprint("interactions", __name__, url_prefix="/interactions")

LOGGERS = ("admin", "staff", "officer")


def _may_log(user, project: Project) -> bool:
    return access.can_log_interaction(user, project)


def _loggable(user, project_id) -> Project | None:
    """The posted project when it exists and the user may log about it; else None, and the select,
    which then does not offer it, refuses it with a message."""
    project = db.session.get(Project, project_id) if parse_id(project_id) else None
    return project if project is not None and _may_log(user, project) else None


def _offer_projects(form: QuickLogForm, user, project: Project | None, enterprise: Enterprise | None) -> list:
    """Fill the project select in a constant number of statements; the enterprise's linked (id, name)."""
    rows = interactions.linked_loggable(user, [enterprise.id]) if enterprise is not None else []
    linked = [(pid, name) for _eid, pid, name in rows]
    form.offer_projects((project.id, project.name) if project else None, linked, interactions.recent_projects(user))
    return linked


def _prefill(form: QuickLogForm) -> tuple[Project | None, Enterprise | None]:
    """A new form: now, and the project or enterprise whose page opened it (404 if not the user's)."""
    form.occurred_at.data = local_now().replace(tzinfo=None, second=0, microsecond=0)
    form.next.data = local_target(request.args.get("next"))
    project_id, enterprise_id = request.args.get("project_id"), request.args.get("enterprise_id")
    # A project the user may not log about answers 404, like a missing one.
    project = get_or_404(Project, project_id, visible=_may_log) if project_id else None
    enterprise = get_or_404(Enterprise, enterprise_id) if enterprise_id else None
    if enterprise is not None:
        form.enterprise.data, form.enterprise_id.data = enterprise.name, enterprise.id
    form.project_id.data = project.id if project else None
    return project, enterprise


def _resolve_enterprise(form: QuickLogForm) -> Enterprise | None:
    """The picked enterprise (hidden id, kept only while the typed name still matches), else by name."""
    typed = normalize_name(form.enterprise.data or "")
    picked_id = parse_id(form.enterprise_id.data)
    if picked_id:
        picked = db.session.get(Enterprise, picked_id)
        if picked is not None and picked.name_norm == typed:
            return picked
    return db.session.scalars(sa.select(Enterprise).where(Enterprise.name_norm == typed)).first() if typed else None


def _log(form: QuickLogForm, enterprise: Enterprise | None, project: Project | None):
    """Save the contact; the redirect on success, or None to show the form with its errors."""
    user = current_user._get_current_object()
    filing = enterprise is None and form.create_enterprise.data and access.can_edit_enterprises(user)
    if enterprise is None and not filing:
        form.enterprise.errors = [_("未找到该企业：请从列表中选择，或勾选下面的“新建”。")
                                  if access.can_edit_enterprises(user) else
                                  _("未找到该企业，请从列表中选择；新企业请联系经合中心在企业库中新建。")]
        return None
    if project is None and user.role == "officer":
        form.project_id.errors = [_("部门联络员记录对接须选择本部门牵头或参与的项目。")]
        return None
    data = dict(form.data, occurred_at=to_utc_naive(form.occurred_at.data))

    def save():
        firm = enterprise or _file_enterprise(user, form)
        interactions.log_interaction(user, firm, project, data, utcnow())
        return firm  # one transaction: a refused contact files no firm

    logged = commit_or_show(form, save)
    if logged is None:
        return None
    flash(_("已记录与“%(name)s”的对接。", name=logged.name), "success")
    return redirect(local_target(form.next.data) or url_for("enterprises.detail", enterprise_id=logged.id))


def _file_enterprise(user, form: QuickLogForm) -> Enterprise:
    """The typed firm, filed with the enterprise form's rules; its refusals name this form's fields."""
    try:
        return enterprises.save_enterprise(user, None, {"name": form.enterprise.data, "credit_code": form.credit_code.data})
    except enterprises.ValidationError as error:
        def rename(found: dict) -> dict:
            return {("enterprise" if key == "name" else key): value for key, value in found.items()}
        raise enterprises.ValidationError(rename(error.errors), rename(error.records)) from None


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*LOGGERS)
def quick():
    user = current_user._get_current_object()
    form = QuickLogForm()
    if request.method == "GET":
        project, enterprise = _prefill(form)
    else:
        # The posted fields, not the page's ?project_id=: the user may have changed the project.
        project, enterprise = _loggable(user, form.project_id.data), _resolve_enterprise(form)
    linked = _offer_projects(form, user, project, enterprise)
    if request.method == "GET":
        if project is None and linked:
            form.project_id.data = linked[0][0]  # as quick_log.js does when an enterprise is picked
    elif form.validate_on_submit():
        response = _log(form, enterprise, project)
        if response is not None:
            return response
    if form.enterprise.data and not form.errors:  # opened from a record: the first field to fill is the summary
        form.summary.render_kw = dict(form.summary.render_kw or {}, autofocus=True)
    today = local_today()
    return render_template("interactions/quick.html", form=form, follow_up_days={
        key: today + timedelta(days=days) for key, days in interactions.RESCHEDULE_SHORTCUTS.items()})


@bp.route("/lookup")
@roles_required(*LOGGERS)
def lookup():
    """Enterprises matching ?q= (name, short name, credit code, foreign names), each with its
    linked projects the user may log about: the quick form's datalist."""
    found, _more = search.lookup(request.args.get("q", ""))
    projects: dict[int, list] = {}
    for enterprise_id, project_id, name in interactions.linked_loggable(current_user, [e.id for e in found]):
        projects.setdefault(enterprise_id, []).append({"id": project_id, "name": name})
    return jsonify(enterprises=[dict(search.suggestion(e), projects=projects.get(e.id, [])) for e in found])


def _follow_up(interaction_id: int) -> Interaction:
    """An interaction whose follow-up the user may close or move (404 otherwise)."""
    return get_or_404(Interaction, interaction_id, visible=lambda user, i: _may_log(user, i.project))


def _back_from(interaction: Interaction):
    return redirect(local_target(request.form.get("next"))
                    or url_for("enterprises.detail", enterprise_id=interaction.enterprise_id))


def _posted_day(value) -> date | None:
    """A date input's yyyy-mm-dd; None for anything else (the service says what is missing)."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.route("/<int:interaction_id>/reschedule", methods=["POST"])
@roles_required(*LOGGERS)
def reschedule(interaction_id: int):
    """改期: to the posted date, or by a shortcut button (明天, 一周后)."""
    interaction = _follow_up(interaction_id)
    shortcut = request.form.get("shortcut")
    day = shortcut if shortcut in interactions.RESCHEDULE_SHORTCUTS else _posted_day(request.form.get("day"))
    try:
        interactions.reschedule_follow_up(current_user._get_current_object(), interaction, day)
    except ValidationError as error:
        db.session.rollback()
        attach(None, error)
    else:
        db.session.commit()
        flash(_("已改期至 %(day)s。", day=day_label(interaction.next_follow_up)), "success")
    return _back_from(interaction)


@bp.route("/<int:interaction_id>/done", methods=["POST"])
@roles_required(*LOGGERS)
def done(interaction_id: int):
    interaction = _follow_up(interaction_id)
    interactions.mark_follow_up_done(current_user._get_current_object(), interaction)
    db.session.commit()
    flash(_("已标记为已跟进。"), "success")
    return _back_from(interaction)
