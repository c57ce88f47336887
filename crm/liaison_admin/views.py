"""Admin pages: the liaison rules editor (分管, tiers, cap, trigger stages), the list of projects
without a liaison leader (未分配包联领导的项目) and manual (re)assignment.  Rules live in
services/liaison/assignment.py.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.liaison_admin.forms import AssignForm, RunForm, SectorLeadersForm, SettingsForm, TierForm
from crm.models import LiaisonTier, Project, Sector, User
from crm.services.core.clock import utcnow
from crm.services.core.ids import parse_id
from crm.services.liaison import assignment
from crm.web import attach, get_or_404, roles_required

bp = Blueprint("liaison_admin", __name__, url_prefix="/admin")
SEARCH_LIMIT = 20


def _leaders() -> list[User]:
    return db.session.scalars(sa.select(User).where(User.role == "leader")
                              .order_by(User.leader_rank, User.id)).all()


def _search(q: str) -> list[Project]:
    if not q:
        return []
    return db.session.scalars(
        sa.select(Project).options(joinedload(Project.liaison_leader))
        .where(sa.or_(Project.name.contains(q, autoescape=True), Project.name_en.icontains(q, autoescape=True)))
        .order_by(Project.id).limit(SEARCH_LIMIT)).all()


def _index(settings_form=None, tier_form=None, status=200):
    cfg = assignment.current_config()
    settings_form = settings_form or SettingsForm(formdata=None, cap=cfg.cap,
                                                  trigger_stages=list(cfg.trigger_stages or []))
    q = (request.args.get("q") or "").strip()[:80]
    return render_template(
        "liaison_admin/index.html", settings_form=settings_form, tier_form=tier_form or TierForm(formdata=None),
        plain_form=RunForm(formdata=None), leaders=_leaders(), loads=assignment.leader_loads(), cap=cfg.cap,
        tiers=db.session.scalars(sa.select(LiaisonTier).order_by(LiaisonTier.min_investment)).all(),
        sectors=db.session.scalars(sa.select(Sector).order_by(Sector.column_no, Sector.id)).all(),
        in_charge=assignment.sector_leader_ids(), flags=assignment.unassigned_flags(), reasons=assignment.FLAG_REASONS,
        q=q, found=_search(q)), status


@bp.route("/liaison")
@roles_required("admin")
def index():
    return _index()


@bp.route("/liaison/settings", methods=["POST"])
@roles_required("admin")
def save_settings():
    form = SettingsForm()
    if not form.validate_on_submit():
        return _index(settings_form=form, status=400)
    cfg = assignment.config()
    cfg.cap = form.cap.data
    cfg.trigger_stages = list(form.trigger_stages.data or [])
    db.session.commit()
    flash(_("包联设置已保存。"), "success")
    return redirect(url_for("liaison_admin.index"))


@bp.route("/liaison/tiers", methods=["POST"])
@roles_required("admin")
def add_tier():
    form = TierForm()
    if form.validate_on_submit():
        try:
            assignment.add_tier(form.min_investment.data, form.leader_rank.data)
        except assignment.LiaisonError as error:
            attach(form, error)
        else:
            db.session.commit()
            flash(_("投资档位已添加。"), "success")
            return redirect(url_for("liaison_admin.index"))
    return _index(tier_form=form, status=400)


@bp.route("/liaison/tiers/<int:tier_id>/delete", methods=["POST"])
@roles_required("admin")
def delete_tier(tier_id: int):
    tier = get_or_404(LiaisonTier, tier_id)
    if RunForm().validate_on_submit():
        db.session.delete(tier)
        db.session.commit()
        flash(_("投资档位已删除。"), "success")
    return redirect(url_for("liaison_admin.index"))


@bp.route("/liaison/sectors", methods=["POST"])
@roles_required("admin")
def save_sectors():
    form = SectorLeadersForm()
    if not form.validate_on_submit():
        abort(400)
    sector_ids = set(db.session.scalars(sa.select(Sector.id)))
    wanted = {}
    for sector_id in sector_ids:
        wanted[sector_id] = {parse_id(v) for v in request.form.getlist(f"sector-{sector_id}")}
        if None in wanted[sector_id]:
            abort(400)  # the page only offers leaders' ids: this form was not sent by it
    try:
        changed = assignment.set_sector_leaders(wanted, current_user)
    except assignment.LiaisonError as error:
        db.session.rollback()
        attach(form, error)
        return redirect(url_for("liaison_admin.index"))
    db.session.commit()
    flash(_("分管领导已保存（%(n)s 个产业有变化）。", n=changed), "success")
    return redirect(url_for("liaison_admin.index"))


@bp.route("/liaison/run", methods=["POST"])
@roles_required("admin")
def run():
    if RunForm().validate_on_submit():
        counts = assignment.run_all(utcnow())
        db.session.commit()
        flash(_("已按规则检查全部项目：新分配 %(a)s 个，无法分配 %(u)s 个。",
                a=counts["assigned"], u=counts["unassigned"]), "success")
    return redirect(url_for("liaison_admin.index"))


@bp.route("/liaison/projects/<int:project_id>", methods=["GET", "POST"])
@roles_required("admin")
def assign(project_id: int):
    project = get_or_404(Project, project_id, options=[joinedload(Project.liaison_leader), joinedload(Project.sector)])
    leaders = [leader for leader in _leaders() if leader.is_enabled]
    form = AssignForm(leader_id=project.liaison_leader_id or 0)
    form.leader_id.choices = [(0, "—")] + [(leader.id, f"{leader.display_name}（{leader.title or ''}）") for leader in leaders]
    if form.validate_on_submit():
        leader = db.session.get(User, form.leader_id.data)
        try:
            assignment.assign_by_hand(project, leader, reason=form.reason.data)
        except assignment.LiaisonError as error:
            attach(form, error, field="leader_id")
        else:
            db.session.commit()
            flash(_("已将“%(name)s”的包联领导设为 %(leader)s。", name=project.display_name, leader=leader.display_name),
                  "success")
            return redirect(url_for("liaison_admin.index"))
    rules = assignment.load_rules()
    return render_template("liaison_admin/assign.html", project=project, form=form, loads=assignment.leader_loads(),
                           eligible=assignment.eligible_leaders(project, rules), cap=rules.cap,
                           needs=assignment.needs_liaison(project, rules)), 400 if form.errors else 200
