"""The plan's chains (seeds/chains.json), loaded as part of the plan seeding (seeds/seeding.py).

Chains are keyed by name, links by (chain, name); like the rest of the plan, a re-run corrects
values and only ever adds attachments, so firms and projects users attached in the app survive.
Every chain, link and attachment carries the plan's words it was transcribed from
(tests/seeds/test_chain_seeds.py checks them against the plan text).
"""
from __future__ import annotations

import json
from operator import attrgetter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Chain, ChainLink, Enterprise, Project
from crm.services.enterprises import normalize_name

CHAINS_PATH = Path(__file__).resolve().parents[3] / "seeds" / "chains.json"


def _by_name(model, key, names: set[str]) -> dict:
    rows = db.session.scalars(sa.select(model).where(key.in_(names))).all()
    return {getattr(row, key.key): row for row in rows}


def _attached(links_doc: list[dict], field: str) -> set[str]:
    return {item["name"] for link in links_doc for item in link[field]}


def _lookup(docs: list[dict]) -> tuple[dict, dict]:
    """The seeded enterprises (by normalised name) and projects (by name) the chains attach."""
    links_doc = [link for chain in docs for link in chain["links"]]
    firms = _by_name(Enterprise, Enterprise.name_norm, {normalize_name(n) for n in _attached(links_doc, "enterprises")})
    projects = _by_name(Project, Project.name, _attached(links_doc, "projects"))
    return firms, projects


def load(upsert_cls, done, path: Path | str = CHAINS_PATH) -> None:
    """Upsert the chains and their links; `upsert_cls` and `done` are the plan loader's own."""
    docs = json.loads(Path(path).read_text(encoding="utf-8"))["chains"]
    firms, projects = _lookup(docs)
    up = upsert_cls(Chain, attrgetter("name"))
    for order, c in enumerate(docs, start=1):
        up.put(c["name"], {"name": c["name"], "name_en": c.get("name_en"), "description": c.get("description"),
                           "plan_quote": c["plan_quote"], "priority": c.get("priority", 2), "sort_order": order,
                           "to_confirm": c.get("to_confirm")})
    chains = done(up)

    up = upsert_cls(ChainLink, attrgetter("chain_id", "name"),
                    (selectinload(ChainLink.enterprises), selectinload(ChainLink.projects)))
    for c in docs:
        chain, made = chains[c["name"]], {}
        for seq, link in enumerate(c["links"], start=1):
            try:
                attached = {"enterprises": [firms[normalize_name(e["name"])] for e in link["enterprises"]],
                            "projects": [projects[p["name"]] for p in link["projects"]]}
            except KeyError as missing:
                raise ValueError(f"{c['name']} / {link['name']}: {missing} is not in the plan seeds") from None
            made[link["name"]] = up.put((chain.id, link["name"]), {
                "chain_id": chain.id, "name": link["name"], "name_en": link.get("name_en"),
                "position": link["position"], "seq": seq, "parent": made.get(link["parent"]),
                "description": link.get("description"), "products": link.get("products"),
                "plan_quote": link["plan_quote"], "to_confirm": link.get("to_confirm")}, attached)
    done(up)
