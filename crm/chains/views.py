"""产业链: the chains with their coverage, a chain's map, a link's firms and projects, and the gap
list across chains (补链: whom to call next).  Everyone signed in reads them; administrators edit
chains and links and attach firms and projects (audited by the services they call)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload

from crm.chains.forms import AttachForm, ChainForm, DetachForm, LinkForm
from crm.enterprises.forms import commit_or_show
from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Chain, ChainLink, Project
from crm.services.chains import chart, editing, gaps, sheet
from crm.services.core.clock import local_today
from crm.services.core.ids import parse_id
from crm.web import get_or_404, roles_required, xlsx_response
from crm.web.imports import import_page

bp = Blueprint("chains", __name__, url_prefix="/chains")


def _chains():
    return db.session.scalars(db.select(Chain).options(selectinload(Chain.links), joinedload(Chain.leader),
                                                       joinedload(Chain.lead_enterprise))
                              .order_by(Chain.priority, Chain.sort_order, Chain.id)).unique().all()


@bp.route("/")
def index():
    chains = _chains()
    return render_template("chains/index.html", rows=gaps.coverage(chains, gaps.link_states()))


@bp.route("/<int:chain_id>")
def chain_map(chain_id):
    chain = get_or_404(Chain, chain_id, options=(selectinload(Chain.links), joinedload(Chain.leader),
                                                  joinedload(Chain.lead_enterprise)))
    states = gaps.link_states(chain.id)
    data = chart.map_data(chain, states, lambda link: url_for("chains.link", link_id=link.id))
    return render_template("chains/map.html", chain=chain, data=data, states=states, state_of=gaps.state_of,
                           coverage=gaps.coverage([chain], states)[0], labels=chart)


@bp.route("/links/<int:link_id>")
def link(link_id):
    link = get_or_404(ChainLink, link_id, options=(
        joinedload(ChainLink.chain), joinedload(ChainLink.parent), selectinload(ChainLink.enterprises),
        selectinload(ChainLink.projects).joinedload(Project.sector)))
    local, targets = gaps.link_firms(link)
    state = gaps.state_of(gaps.link_states(link.chain_id), link)
    admin = current_user.role == "admin"
    attached = set(link.enterprises) | set(link.projects) if admin else set()
    return render_template("chains/link.html", link=link, local=local, targets=targets, state=state, labels=chart,
                           admin=admin, attached=attached, attach_form=AttachForm() if admin else None)


@bp.route("/gaps")
def gap_list():
    return render_template("chains/gaps.html", gaps=gaps.gaps(), labels=chart)


# ---- administrators edit chains and links ---------------------------------------------------

def _saved(form, save, message: str, target: str):
    """Commit a valid form's service call and go to `target`, or None to show the form again."""
    if form.validate_on_submit() and commit_or_show(form, lambda: save(current_user._get_current_object(), form.data)):
        flash(message, "success")
        return redirect(target)
    return None


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def chain_create():
    form = ChainForm().load_choices()
    if form.validate_on_submit():
        chain = commit_or_show(form, lambda: editing.save_chain(current_user._get_current_object(), None, form.data))
        if chain:
            flash(_("产业链已保存。"), "success")
            return redirect(url_for("chains.chain_map", chain_id=chain.id))
    return render_template("chains/chain_form.html", form=form, chain=None)


@bp.route("/<int:chain_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def chain_edit(chain_id):
    chain = get_or_404(Chain, chain_id)
    form = ChainForm(obj=chain).load_choices(chain)
    return (_saved(form, lambda actor, data: editing.save_chain(actor, chain, data), _("产业链已保存。"),
                   url_for("chains.chain_map", chain_id=chain.id))
            or render_template("chains/chain_form.html", form=form, chain=chain))


@bp.route("/<int:chain_id>/links/new", methods=["GET", "POST"])
@roles_required("admin")
def link_create(chain_id):
    chain = get_or_404(Chain, chain_id, options=(selectinload(Chain.links),))
    form = LinkForm().load_choices(chain)
    return (_saved(form, lambda actor, data: editing.save_link(actor, chain, None, data), _("环节已保存。"),
                   url_for("chains.chain_map", chain_id=chain.id))
            or render_template("chains/link_form.html", form=form, chain=chain, link=None))


@bp.route("/links/<int:link_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def link_edit(link_id):
    link = get_or_404(ChainLink, link_id, options=(joinedload(ChainLink.chain).selectinload(Chain.links),))
    form = LinkForm(obj=link).load_choices(link.chain, link)
    return (_saved(form, lambda actor, data: editing.save_link(actor, link.chain, link, data), _("环节已保存。"),
                   url_for("chains.link", link_id=link.id))
            or render_template("chains/link_form.html", form=form, chain=link.chain, link=link))


@bp.route("/links/<int:link_id>/delete", methods=["POST"])
@roles_required("admin")
def link_delete(link_id):
    link = get_or_404(ChainLink, link_id)
    chain_id = link.chain_id
    if FlaskForm().validate_on_submit():
        editing.delete_link(current_user._get_current_object(), link)
        db.session.commit()
        flash(_("环节已删除。"), "success")
    return redirect(url_for("chains.chain_map", chain_id=chain_id))


@bp.route("/links/<int:link_id>/attach", methods=["POST"])
@roles_required("admin")
def link_attach(link_id):
    link = get_or_404(ChainLink, link_id)
    form = AttachForm()
    if form.validate_on_submit():
        if commit_or_show(form, lambda: editing.attach(current_user._get_current_object(), link,
                                                       form.kind.data, form.name.data)):
            flash(_("已挂接到该环节。"), "success")
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")
    return redirect(url_for("chains.link", link_id=link.id))


@bp.route("/links/<int:link_id>/detach", methods=["POST"])
@roles_required("admin")
def link_detach(link_id):
    link = get_or_404(ChainLink, link_id)
    form = DetachForm()
    record_id = parse_id(form.record_id.data)
    if form.validate_on_submit() and record_id and commit_or_show(form, lambda: editing.detach(
            current_user._get_current_object(), link, form.kind.data, record_id) or True):
        flash(_("已从该环节移除。"), "success")
    return redirect(url_for("chains.link", link_id=link.id))


# ---- Excel ---------------------------------------------------------------------------------

@bp.route("/export.xlsx")
def export():
    """Every chain's links, in the import's columns."""
    return xlsx_response(sheet.export(), _("产业链与环节") + f"-{local_today():%Y%m%d}.xlsx")


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_sheet():
    """Upload chains and links: every row is written, or none and the problems are listed."""
    actor = current_user._get_current_object()
    return import_page(
        lambda stream: sheet.import_chains(actor, stream), done_url=url_for("chains.index"),
        done_message=lambda n: _("已导入 %(n)s 个环节。", n=n), max_rows=sheet.MAX_ROWS,
        title=_("从 Excel 导入产业链"), back_url=url_for("chains.index"), back_label=_("产业链"),
        template_url=url_for("chains.export"), link_url=lambda ident: url_for("chains.link", link_id=ident),
        rules=[_("版式与“导出 Excel”相同：每行一个环节，须有“产业链”“环节”“位置”三列。"),
               _("上一环节须是同一产业链中已有或表中前面的环节。"),
               _("企业、项目须已在系统中登记，按名称挂接；表中没有的挂接不会被移除。")])
