"""Merging two records of one firm: chosen values kept, every row moved, one audit row; refusals."""
import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, Chain, Contact, Enterprise, EvidenceFile, InnovationPlatform, Interaction, Project
from crm.services.core import access
from crm.services.duplicates import merge, rows
from tests.services.duplicates.helpers import twin_firms


def _merge(actor, t, keep=None, versions=None):
    s, lo = t["survivor"], t["loser"]
    event = merge.merge(actor, s.id, lo.id, keep or {}, versions or {s.id: s.version, lo.id: lo.version})
    db.session.commit()
    return event


def test_every_foreign_key_to_enterprises_is_moved_by_a_merge(app):
    pointing = {(fk.parent.table.name, fk.parent.name) for table in db.metadata.tables.values()
                for fk in table.foreign_keys if fk.column.table.name == "enterprises"}
    handled = {(t.name, c) for t, c in rows.OWNED.values()} | {(t.name, "enterprise_id") for t, _o, _r in rows.LINKS.values()}
    assert pointing == handled


def test_merge_keeps_chosen_values_and_moves_every_row_to_the_survivor(users):
    t = twin_firms()
    survivor_id, loser_id, code = t["survivor"].id, t["loser"].id, t["loser"].credit_code
    event = _merge(users["admin"], t, keep={"name": "loser", "credit_code": "loser", "region": "survivor"})
    survivor = db.session.get(Enterprise, survivor_id)
    assert db.session.get(Enterprise, loser_id) is None
    assert (survivor.name, survivor.credit_code, survivor.region, survivor.website) == (
        "东北农业（集团）股份公司", code, "黑龙江省哈尔滨市", None)
    assert survivor.name_norm == "东北农业集团股份公司"
    assert db.session.get(Contact, t["contact"].id).enterprise_id == survivor_id
    interaction = db.session.get(Interaction, t["interaction"].id)
    assert (interaction.enterprise_id, interaction.next_follow_up.day) == (survivor_id, 20)
    assert db.session.get(EvidenceFile, t["file"].id).enterprise_id == survivor_id
    assert db.session.get(InnovationPlatform, t["platform"].id).enterprise_id == survivor_id
    chain = db.session.get(Chain, t["chain"].id)
    assert chain.lead_enterprise_id == survivor_id
    assert [[e.id for e in link.enterprises] for link in chain.links[:2]] == [[survivor_id], [survivor_id]]
    assert [e.id for e in db.session.get(Project, t["shared"].id).investors] == [survivor_id]
    assert [e.id for e in db.session.get(Project, t["own"].id).investors] == [survivor_id]
    assert survivor.tags == ["专精特新", "龙头企业"]
    assert survivor.last_interaction_at == t["interaction"].occurred_at
    details = event.changes["merge"]
    assert details["loser"]["id"] == loser_id and details["dropped"]["projects"] == [t["shared"].id]
    assert event.changes["name"] == ["东北农业集团有限公司", "东北农业（集团）股份公司"]
    # One merge row on the survivor (no per-row audit of the moves) and one on the loser.
    assert [(e.object_id, e.action) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.id >= event.id).order_by(AuditEvent.id))] == [
        (survivor_id, "merge"), (loser_id, "merged")]


def test_merge_refuses_the_same_firm_twice_an_unknown_one_and_a_stale_page(users):
    t = twin_firms()
    s, lo = t["survivor"], t["loser"]
    for survivor_id, loser_id, versions, words in [
        (s.id, s.id, {s.id: s.version}, "两家不同的企业"),
        (s.id, 99999, {s.id: s.version}, "找不到要合并的企业"),
        (s.id, None, {}, "找不到要合并的企业"),
        (s.id, lo.id, {s.id: s.version, lo.id: lo.version - 1}, "在您打开此页后已被修改"),
    ]:
        with pytest.raises(merge.MergeRefused, match=words):
            merge.merge(users["admin"], survivor_id, loser_id, {}, versions)
        db.session.rollback()
    with pytest.raises(merge.MergeRefused, match="选择无效"):
        merge.merge(users["admin"], s.id, lo.id, {"region": "both"}, {s.id: s.version, lo.id: lo.version})
    db.session.rollback()
    assert db.session.get(Enterprise, lo.id) is not None
    assert db.session.get(Contact, t["contact"].id).enterprise_id == lo.id


def test_only_an_administrator_merges(users):
    t = twin_firms()
    with pytest.raises(access.Denied):
        _merge(users["staff"], t)
    db.session.rollback()
    assert db.session.get(Enterprise, t["loser"].id) is not None
