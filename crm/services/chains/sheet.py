"""Chains as an Excel sheet: export writes one row per link in the import's own columns, so an
exported sheet imports elsewhere.  Import checks every row first and adds all rows or none;
chains are found by name and links by (chain, name), created or corrected (audited), and the
firms and projects a row names are attached (never detached: the office removes on the link page).
Administrators only."""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Chain, ChainLink, Enterprise, Project, User
from crm.services.chains.chart import POSITION_LABELS
from crm.services.chains.editing import PRIORITIES, _require_admin
from crm.services.enterprises import normalize_name
from crm.services.sheets import reader, xlsx

MAX_ROWS = 2_000
NAMES = re.compile(r"[;；\n]+")  # several firms or projects in a cell (names may hold 、 and commas)
COLUMNS = (
    reader.Column("chain", _l("产业链"), width=24), reader.Column("priority", _l("优先级"), width=8),
    reader.Column("link", _l("环节"), width=18), reader.Column("position", _l("位置"), width=8),
    reader.Column("parent", _l("上一环节"), width=18), reader.Column("products", _l("产品或能力"), width=24),
    reader.Column("description", _l("说明"), width=30), reader.Column("plan_quote", _l("规划原文"), width=30),
    reader.Column("to_confirm", _l("待确认"), width=24), reader.Column("enterprises", _l("企业"), width=30),
    reader.Column("projects", _l("项目"), width=30),
    # The chain's own fields, repeated on each of its rows; the import writes the non-empty ones.
    reader.Column("chain_description", _l("产业链说明"), width=30),
    reader.Column("chain_quote", _l("产业链规划原文"), width=30),
    reader.Column("chain_to_confirm", _l("产业链待确认"), width=24),
)
CHAIN_FIELDS = {"chain_description": "description", "chain_quote": "plan_quote", "chain_to_confirm": "to_confirm"}
REQUIRED = ("chain", "link", "position")


def _headers():
    return [(str(c.label), c.width, c.key in REQUIRED) for c in COLUMNS]


def export() -> bytes:
    """Every chain's links, in chain and plan order: three statements."""
    chains = db.session.scalars(sa.select(Chain).options(
        selectinload(Chain.links).selectinload(ChainLink.parent),
        selectinload(Chain.links).selectinload(ChainLink.enterprises),
        selectinload(Chain.links).selectinload(ChainLink.projects))
        .order_by(Chain.priority, Chain.sort_order, Chain.id)).all()
    rows = ([chain.name, chain.priority, link.name, str(POSITION_LABELS[link.position]),
             link.parent.name if link.parent else None, link.products, link.description, link.plan_quote,
             link.to_confirm, "\n".join(e.name for e in link.enterprises) or None,
             "\n".join(p.name for p in link.projects) or None, chain.description, chain.plan_quote, chain.to_confirm]
            for chain in chains for link in chain.links)
    return xlsx.list_workbook(_("产业链与环节"), _("每行一个环节；企业、项目多个时分行或用分号隔开。"), _headers(), rows,
                              sheet_name=_("产业链"))


def _positions() -> dict[str, str]:
    return {k: position for position, label in POSITION_LABELS.items()
            for k in reader.both_languages(label) | {position}}


def _check(values: dict, positions: dict, firms: dict, projects: dict, links_by_chain: dict) -> dict:
    errors = {}
    for k in REQUIRED:
        if not values[k]:
            errors[k] = _("必填。")
    if values["position"] and reader.key(values["position"]) not in positions:
        errors["position"] = _("请填写上游、中游或下游。")
    if values["priority"] and values["priority"] not in {str(p) for p in PRIORITIES}:
        errors["priority"] = _("优先级应为 1、2 或 3。")
    if values["parent"] and values["parent"] == values["link"]:
        errors["parent"] = _("上一环节不能是本环节或其下游环节。")
    elif values["parent"] and values["parent"] not in links_by_chain.get(values["chain"], set()):
        errors["parent"] = _("上一环节须是同一产业链中已有或表中前面的环节。")
    missing = [n for n in _names(values["enterprises"]) if normalize_name(n) not in firms]
    if missing:
        errors["enterprises"] = _("系统中没有这些企业：%(names)s", names="、".join(missing))
    missing = [n for n in _names(values["projects"]) if n not in projects]
    if missing:
        errors["projects"] = _("系统中没有这些项目：%(names)s", names="、".join(missing))
    return errors


def _names(cell: str | None) -> list[str]:
    return [n.strip() for n in NAMES.split(cell or "") if n.strip()]


def import_chains(actor: User, stream) -> reader.Result:
    """Check every row, then write all of them (flushed) or none; raises reader.SheetError."""
    _require_admin(actor)
    found, data = reader.read(stream, COLUMNS, "link", MAX_ROWS)
    rows = [(number, reader.row_values(cells, found) | {k: None for k in
                                                          {c.key for c in COLUMNS} - found.keys()})
            for number, cells in data]
    chains = {c.name: c for c in db.session.scalars(sa.select(Chain).options(selectinload(Chain.links)))}
    links_by_chain = {name: {link.name for link in chain.links} for name, chain in chains.items()}
    wanted = [n for _number, values in rows for n in _names(values["enterprises"])]
    firms = {e.name_norm: e for e in db.session.scalars(sa.select(Enterprise).where(
        Enterprise.name_norm.in_({normalize_name(n) for n in wanted})))}
    projects = {p.name: p for p in db.session.scalars(sa.select(Project).where(
        Project.name.in_({n for _number, values in rows for n in _names(values["projects"])})))}
    positions, result = _positions(), reader.Result()
    for number, values in rows:
        errors = _check(values, positions, firms, projects, links_by_chain)
        result.errors += reader.row_errors(number, errors, COLUMNS, {})
        if values["chain"] and values["link"]:
            links_by_chain.setdefault(values["chain"], set()).add(values["link"])
    if result.errors:
        return result
    for _number, values in rows:
        result.created.append(_write(values, chains, positions, firms, projects))
    db.session.flush()
    return result


def _write(values: dict, chains: dict, positions: dict, firms: dict, projects: dict) -> ChainLink:
    chain = chains.get(values["chain"])
    if chain is None:
        chain = chains[values["chain"]] = Chain(name=values["chain"], priority=2, sort_order=len(chains) + 1)
        db.session.add(chain)
    if values["priority"]:
        chain.priority = int(values["priority"])
    for column, attr in CHAIN_FIELDS.items():
        if values[column] is not None:
            setattr(chain, attr, values[column])
    link = next((link for link in chain.links if link.name == values["link"]), None)
    if link is None:
        link = ChainLink(name=values["link"], seq=len(chain.links) + 1)
        chain.links.append(link)
    link.position = positions[reader.key(values["position"])]
    link.parent = next((other for other in chain.links if other.name == values["parent"]), None)
    for k in ("products", "description", "plan_quote", "to_confirm"):
        if values[k] is not None:
            setattr(link, k, values[k])
    for name in _names(values["enterprises"]):
        if firms[normalize_name(name)] not in link.enterprises:
            link.enterprises.append(firms[normalize_name(name)])
    for name in _names(values["projects"]):
        if projects[name] not in link.projects:
            link.projects.append(projects[name])
    return link
