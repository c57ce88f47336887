"""Every row that points at an enterprise, and how a merge moves it (and an undo moves it back).

Two shapes: rows *owned* through a foreign-key column (contacts, 对接记录 with their follow-ups,
evidence files, innovation platforms, the chains a firm leads), moved by id; and *link* rows of a
many-to-many table keyed (enterprise, other) (投资主体 of projects, chain links, tags), where the
survivor may already hold the same link: such a loser row is dropped, and an undo puts it back.
tests/services/test_duplicates_merge.py checks that every foreign key to enterprises is listed here.
Moves are bulk UPDATEs: the merge is audited once, with the ids, not once per moved row.
"""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Chain, ChainLink, Contact, EnterpriseTag, EvidenceFile, InnovationPlatform, Interaction, Project
from crm.models.chain import chain_link_enterprises
from crm.models.project import project_investors

# kind -> (table, the column naming the enterprise)
OWNED = {
    "contacts": (Contact.__table__, "enterprise_id"),
    "interactions": (Interaction.__table__, "enterprise_id"),
    "files": (EvidenceFile.__table__, "enterprise_id"),
    "platforms": (InnovationPlatform.__table__, "enterprise_id"),
    "chains": (Chain.__table__, "lead_enterprise_id"),
}
# kind -> (table, the other key column, the id column it references or None)
LINKS = {
    "projects": (project_investors, "project_id", Project.__table__.c.id),
    "chain_links": (chain_link_enterprises, "link_id", ChainLink.__table__.c.id),
    "tags": (EnterpriseTag.__table__, "tag", None),
}


def move_all(loser_id: int, survivor_id: int) -> dict:
    """Point every row of the loser at the survivor; what moved, for the audit record:
    {"owned": {kind: [ids]}, "links": {kind: [others moved]}, "dropped": {kind: [others dropped]}}."""
    moved = {"owned": {}, "links": {}, "dropped": {}}
    for kind, (table, column) in OWNED.items():
        fk = table.c[column]
        moved["owned"][kind] = db.session.scalars(sa.select(table.c.id).where(fk == loser_id).order_by(table.c.id)).all()
        db.session.execute(table.update().where(fk == loser_id).values({column: survivor_id}))
    for kind, (table, other, _ref) in LINKS.items():
        fk, oc = table.c.enterprise_id, table.c[other]
        theirs = db.session.scalars(sa.select(oc).where(fk == loser_id)).all()
        ours = set(db.session.scalars(sa.select(oc).where(fk == survivor_id, oc.in_(theirs)))) if theirs else set()
        moved["dropped"][kind] = sorted(v for v in theirs if v in ours)
        moved["links"][kind] = sorted(v for v in theirs if v not in ours)
        if ours:
            db.session.execute(table.delete().where(fk == loser_id, oc.in_(ours)))
        db.session.execute(table.update().where(fk == loser_id).values(enterprise_id=survivor_id))
    return moved


def move_back(moved: dict, survivor_id: int, loser_id: int) -> None:
    """Undo move_all: exactly the rows that moved and are still at the survivor go back (rows added
    since stay), and dropped links whose other end still exists are made again."""
    for kind, (table, column) in OWNED.items():
        ids = moved["owned"].get(kind) or []
        if ids:
            fk = table.c[column]
            db.session.execute(table.update().where(table.c.id.in_(ids), fk == survivor_id).values({column: loser_id}))
    for kind, (table, other, ref) in LINKS.items():
        fk, oc = table.c.enterprise_id, table.c[other]
        if moved["links"].get(kind):
            db.session.execute(table.update().where(fk == survivor_id, oc.in_(moved["links"][kind]))
                               .values(enterprise_id=loser_id))
        dropped = moved["dropped"].get(kind) or []
        if dropped and ref is None:
            db.session.execute(table.insert(), [{"enterprise_id": loser_id, other: v} for v in dropped])
        elif dropped:
            db.session.execute(table.insert().from_select(
                ["enterprise_id", other], sa.select(sa.literal(loser_id), ref).where(ref.in_(dropped))))
