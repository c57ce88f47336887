"""对接记录 pages: the quick form (one tap from the top bar), its enterprise lookup, and
marking a follow-up done.  Admins and staff log about anything; officers only about the
projects their department leads or shares; leaders read only.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from crm.enterprises.forms import NONE_CHOICE, commit_or_show
from crm.extensions import db
from crm.i18n import gettext as _
from crm.interactions.forms import QuickLogForm
from crm.models import Enterprise, Interaction, Project
from crm.services import access, interactions, search
from crm.services.clock import local_now, to_utc_naive, utcnow
from crm.services.enterprises import linked_projects, normalize_name
from crm.services.ids import parse_id
from crm.web import get_or_404, roles_required

bp = Blueprint("interactions", __name__, url_prefix="/interactions")

LOGGERS = ("admin", "staff", "officer")
LOOKUP_LIMIT = 15


def _may_log(user, project: Project) -> bool:
    return access.can_log_interaction(user, project)


def _local_target(target: str | None) -> str | None:
    """Only same-site paths: a `next` parameter must not send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _project_choices(user) -> list:
    rows = db.session.execute(sa.select(Project.id, Project.name).where(interactions.loggable_projects(user))
                              .order_by(Project.in_pool.desc(), Project.name, Project.id)).all()
    return [NONE_CHOICE] + [(pid, name) for pid, name in rows]


def _resolve_enterprise(form: QuickLogForm) -> Enterprise | None:
    """The picked enterprise (hidden id, kept only while the typed name still matches), else by name."""
    typed = normalize_name(form.enterprise.data or "")
    picked_id = parse_id(form.enterprise_id.data)
    if picked_id:
        picked = db.session.get(Enterprise, picked_id)
        if picked is not None and picked.name_norm == typed:
            return picked
    return db.session.scalars(sa.select(Enterprise).where(Enterprise.name_norm == typed)).first() if typed else None


def _log(form: QuickLogForm, project: Project | None):
    """Save the contact; the redirect on success, or None to show the form with its errors."""
    user = current_user._get_current_object()
    enterprise = _resolve_enterprise(form)
    if enterprise is None:
        form.enterprise.errors = [_("未找到该企业，请从列表中选择；新企业请先在企业库中新建。")]
        return None
    if project is None and user.role == "officer":
        form.project_id.errors = [_("部门联络员记录对接须选择本部门牵头或参与的项目。")]
        return None
    data = dict(form.data, occurred_at=to_utc_naive(form.occurred_at.data))
    logged = commit_or_show(form, lambda: interactions.log_interaction(user, enterprise, project, data, utcnow()))
    if logged is None:
        return None
    flash(_("已记录与“%(name)s”的对接。", name=enterprise.name), "success")
    return redirect(_local_target(form.next.data) or url_for("enterprises.detail", enterprise_id=enterprise.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*LOGGERS)
def quick():
    user = current_user._get_current_object()
    project_id = request.values.get("project_id")
    # A project the user may not log about answers 404, like a missing one.
    project = get_or_404(Project, project_id, visible=_may_log) if project_id else None
    form = QuickLogForm()
    form.project_id.choices = _project_choices(user)
    if request.method == "GET":
        form.occurred_at.data = local_now().replace(tzinfo=None, second=0, microsecond=0)
        form.next.data = _local_target(request.args.get("next"))
        form.project_id.data = project.id if project else None
        if request.args.get("enterprise_id"):
            enterprise = get_or_404(Enterprise, request.args["enterprise_id"])
            form.enterprise.data, form.enterprise_id.data = enterprise.name, enterprise.id
    elif form.validate_on_submit():
        response = _log(form, project)
        if response is not None:
            return response
    return render_template("interactions/quick.html", form=form)


@bp.route("/lookup")
@roles_required(*LOGGERS)
def lookup():
    """Enterprises matching ?q= (name, short name, credit code, foreign names), each with its
    linked projects the user may log about: the quick form's datalist."""
    q = request.args.get("q", "").strip()[:60]
    if not q:
        return jsonify(enterprises=[])
    found = db.session.scalars(search.enterprise_select(q).limit(LOOKUP_LIMIT)).all()
    links = linked_projects([e.id for e in found])
    projects: dict[int, list] = {}
    rows = db.session.execute(
        sa.select(links.c.enterprise_id, Project.id, Project.name).join(Project, Project.id == links.c.project_id)
        .where(interactions.loggable_projects(current_user)).order_by(Project.name)).all()
    for enterprise_id, project_id, name in rows:
        projects.setdefault(enterprise_id, []).append({"id": project_id, "name": name})
    return jsonify(enterprises=[
        {"id": e.id, "name": e.name, "credit_code": e.credit_code, "projects": projects.get(e.id, []),
         "foreign_names": [n for n in (e.name_en, e.name_ru) if n]}
        for e in found])


@bp.route("/<int:interaction_id>/done", methods=["POST"])
@roles_required(*LOGGERS)
def done(interaction_id: int):
    interaction = get_or_404(Interaction, interaction_id, visible=lambda user, i: _may_log(user, i.project))
    interactions.mark_follow_up_done(current_user._get_current_object(), interaction)
    db.session.commit()
    flash(_("已标记为已跟进。"), "success")
    return redirect(_local_target(request.form.get("next"))
                    or url_for("enterprises.detail", enterprise_id=interaction.enterprise_id))
