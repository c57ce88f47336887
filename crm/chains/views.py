"""产业链: the chains with their coverage, a chain's map, a link's firms and projects, and the gap
list across chains (补链: whom to call next).  Everyone signed in reads them."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.models import Chain, ChainLink, Project
from crm.services.chains import chart, gaps
from crm.web import get_or_404

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
        joinedload(ChainLink.chain), joinedload(ChainLink.parent),
        selectinload(ChainLink.projects).joinedload(Project.sector)))
    local, targets = gaps.link_firms(link)
    state = gaps.state_of(gaps.link_states(link.chain_id), link)
    return render_template("chains/link.html", link=link, local=local, targets=targets, state=state, labels=chart)


@bp.route("/gaps")
def gap_list():
    return render_template("chains/gaps.html", gaps=gaps.gaps(), labels=chart)
