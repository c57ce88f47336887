"""Administrators edit chains and links, and attach firms and projects to links.  Each function
checks its input, changes nothing on a refusal (ValidationError, access.Denied) and flushes; the
request commits.  The audit listener records every change (who, when, old → new), the attached
firms and projects too, as lists of names."""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Chain, ChainLink, Enterprise, Project, User
from crm.models.chain import POSITIONS
from crm.services.core import access
from crm.services.enterprises import ValidationError, check_lengths, clean_text, normalize_name

CHAIN_FIELDS = ("name", "name_en", "description", "plan_quote", "priority", "lead_enterprise_id", "leader_id",
                "to_confirm")
LINK_FIELDS = ("name", "name_en", "position", "parent_id", "seq", "description", "products", "plan_quote",
               "to_confirm")
PRIORITIES = (1, 2, 3)


def _require_admin(actor: User) -> None:
    access.require(actor.role == "admin", _("只有管理员可以编辑产业链。"))


def _clean(data: dict, fields) -> dict:
    return {key: clean_text(data.get(key)) for key in fields}


def save_chain(actor: User, chain: Chain | None, data: dict) -> Chain:
    """Create (chain=None) or update a chain.  Raises ValidationError."""
    _require_admin(actor)
    data = _clean(data, CHAIN_FIELDS)
    errors = {}
    if not data["name"]:
        errors["name"] = _("请填写产业链名称。")
    elif db.session.scalar(sa.select(Chain.id).where(Chain.name == data["name"],
                                                     Chain.id != (chain.id if chain else 0))):
        errors["name"] = _("已有同名产业链。")
    if data["priority"] not in PRIORITIES:
        errors["priority"] = _("优先级应为 1、2 或 3。")
    if data["lead_enterprise_id"] and db.session.get(Enterprise, data["lead_enterprise_id"]) is None:
        errors["lead_enterprise_id"] = _("链主企业不存在。")
    if data["leader_id"] and db.session.get(User, data["leader_id"]) is None:
        errors["leader_id"] = _("链长不存在。")
    check_lengths(Chain, data, errors)
    if errors:
        raise ValidationError(errors)
    if chain is None:
        chain = Chain(sort_order=(db.session.scalar(sa.select(sa.func.max(Chain.sort_order))) or 0) + 1)
        db.session.add(chain)
    for key, value in data.items():
        setattr(chain, key, value)
    db.session.flush()
    return chain


def _descends_from(candidate: ChainLink, link: ChainLink) -> bool:
    """Whether `candidate` is `link` or lies downstream of it (it may not become its parent)."""
    seen = set()
    while candidate is not None and candidate.id not in seen:
        if candidate.id == link.id:
            return True
        seen.add(candidate.id)
        candidate = candidate.parent
    return False


def save_link(actor: User, chain: Chain, link: ChainLink | None, data: dict) -> ChainLink:
    """Create (link=None) or update a link of `chain`.  Raises ValidationError."""
    _require_admin(actor)
    data = _clean(data, LINK_FIELDS)
    errors = {}
    if not data["name"]:
        errors["name"] = _("请填写环节名称。")
    elif db.session.scalar(sa.select(ChainLink.id).where(
            ChainLink.chain_id == chain.id, ChainLink.name == data["name"], ChainLink.id != (link.id if link else 0))):
        errors["name"] = _("该产业链已有同名环节。")
    if data["position"] not in POSITIONS:
        errors["position"] = _("请选择上游、中游或下游。")
    parent = db.session.get(ChainLink, data["parent_id"]) if data["parent_id"] else None
    if data["parent_id"] and (parent is None or parent.chain_id != chain.id):
        errors["parent_id"] = _("上一环节须是同一产业链的环节。")
    elif parent is not None and link is not None and _descends_from(parent, link):
        errors["parent_id"] = _("上一环节不能是本环节或其下游环节。")
    check_lengths(ChainLink, data, errors)
    if errors:
        raise ValidationError(errors)
    if link is None:
        link = ChainLink(chain=chain)
        db.session.add(link)
    if data["seq"] is None:
        data["seq"] = link.seq or (max((other.seq for other in chain.links if other is not link), default=0) + 1)
    for key, value in data.items():
        setattr(link, key, value)
    db.session.flush()
    return link


def delete_link(actor: User, link: ChainLink) -> None:
    """Remove a link; the links after it follow its own parent, so the chain stays connected."""
    _require_admin(actor)
    for child in db.session.scalars(sa.select(ChainLink).where(ChainLink.parent_id == link.id)):
        child.parent_id = link.parent_id
    db.session.delete(link)
    db.session.flush()


def _find(kind: str, name: str):
    name = clean_text(name) or ""
    if kind == "enterprise":
        found = db.session.scalar(sa.select(Enterprise).where(Enterprise.name_norm == normalize_name(name)))
        return found, _("没有名为“%(name)s”的企业，请先在企业中登记。", name=name)
    if kind == "project":
        found = db.session.scalars(sa.select(Project).where(Project.name == name).order_by(Project.id)).first()
        return found, _("没有名为“%(name)s”的项目。", name=name)
    raise ValidationError({"kind": _("请选择企业或项目。")})


def attach(actor: User, link: ChainLink, kind: str, name: str):
    """Attach the enterprise or project of that exact name to the link; returns it."""
    _require_admin(actor)
    record, missing = _find(kind, name)
    if record is None:
        raise ValidationError({"name": missing})
    collection = link.enterprises if kind == "enterprise" else link.projects
    if record in collection:
        raise ValidationError({"name": _("已挂在该环节上。")})
    collection.append(record)
    db.session.flush()
    return record


def detach(actor: User, link: ChainLink, kind: str, record_id: int) -> None:
    """Take an enterprise or project off the link (a record not on it changes nothing)."""
    _require_admin(actor)
    collection = link.enterprises if kind == "enterprise" else link.projects if kind == "project" else None
    if collection is None:
        raise ValidationError({"kind": _("请选择企业或项目。")})
    for record in [r for r in collection if r.id == record_id]:
        collection.remove(record)
    db.session.flush()
