"""Undoing a merge from its audit row: the loser back with its own values, exactly the moved rows
back, rows added since left alone; refusals when it can no longer be done safely."""
import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, Chain, Contact, Enterprise, EvidenceFile, InnovationPlatform, Interaction, Project
from crm.services.duplicates import merge, undo
from crm.services.enterprises import save_enterprise
from tests import factories
from tests.services.duplicates.helpers import twin_firms


def _merged(users, keep=None):
    t = twin_firms()
    factories.enterprise()  # so the loser is not the newest row, whose id SQLite would give again
    s, lo = t["survivor"], t["loser"]
    t["before"] = {"survivor": merge.snapshot(s), "loser": merge.snapshot(lo), "tags": (s.tags, lo.tags)}
    t["ids"] = (s.id, lo.id)
    t["event"] = merge.merge(users["admin"], s.id, lo.id, {"name": "loser", "credit_code": "loser"} if keep is None else keep,
                             {s.id: s.version, lo.id: lo.version})
    db.session.commit()
    return t


def _undo(users, t):
    restored = undo.undo(users["admin"], t["event"].id)
    db.session.commit()
    return restored


def test_undo_restores_the_loser_and_moves_back_exactly_what_moved(users):
    t = _merged(users)
    survivor_id, loser_id = t["ids"]
    added_since = factories.interaction(db.session.get(Enterprise, survivor_id), summary="合并后新记录")
    loser = _undo(users, t)
    survivor = db.session.get(Enterprise, survivor_id)
    restored = merge.snapshot(loser)
    assert {k: v for k, v in restored.items() if k not in ("version", "updated_at")} == {
        k: v for k, v in t["before"]["loser"].items() if k not in ("version", "updated_at")}
    assert (survivor.name, survivor.credit_code) == ("东北农业集团有限公司", None)
    assert (survivor.tags, loser.tags) == t["before"]["tags"]
    assert db.session.get(Contact, t["contact"].id).enterprise_id == loser_id
    assert db.session.get(Contact, t["survivor_contact"].id).enterprise_id == survivor_id
    assert db.session.get(Interaction, t["interaction"].id).enterprise_id == loser_id
    assert db.session.get(Interaction, added_since.id).enterprise_id == survivor_id
    assert db.session.get(EvidenceFile, t["file"].id).enterprise_id == loser_id
    assert db.session.get(InnovationPlatform, t["platform"].id).enterprise_id == loser_id
    chain = db.session.get(Chain, t["chain"].id)
    assert chain.lead_enterprise_id == loser_id
    assert [[e.id for e in link.enterprises] for link in chain.links[:2]] == [[survivor_id, loser_id], [loser_id]]
    assert [e.id for e in db.session.get(Project, t["shared"].id).investors] == [survivor_id, loser_id]
    assert [e.id for e in db.session.get(Project, t["own"].id).investors] == [loser_id]
    assert survivor.last_interaction_at == added_since.occurred_at
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.id > t["event"].id,
                                                                    AuditEvent.action == "unmerge")).all()
    assert actions == ["unmerge", "unmerge"]


def test_undo_leaves_a_field_edited_since_the_merge(users):
    t = _merged(users)
    survivor = db.session.get(Enterprise, t["ids"][0])
    save_enterprise(users["admin"], survivor, {**merge.snapshot(survivor), "name": "东北农业发展有限公司", "tags": []})
    db.session.commit()
    _undo(users, t)
    survivor = db.session.get(Enterprise, t["ids"][0])
    assert (survivor.name, survivor.credit_code) == ("东北农业发展有限公司", None)


def test_undo_is_refused_twice(users):
    t = _merged(users)
    _undo(users, t)
    with pytest.raises(merge.MergeRefused, match="已经撤销过了"):
        _undo(users, t)


def test_undo_is_refused_when_another_firm_took_the_loser_credit_code(users):
    t = _merged(users, keep={})
    code = t["before"]["loser"]["credit_code"]
    factories.enterprise(name="另一家企业", credit_code=code)
    with pytest.raises(merge.MergeRefused, match="现已被另一家企业使用"):
        _undo(users, t)
    db.session.rollback()
    assert db.session.get(Enterprise, t["ids"][1]) is None


def test_undo_is_refused_when_the_survivor_now_bears_the_loser_name(users):
    t = _merged(users, keep={})
    survivor = db.session.get(Enterprise, t["ids"][0])
    save_enterprise(users["admin"], survivor, {**merge.snapshot(survivor), "name": t["before"]["loser"]["name"],
                                               "tags": []})
    db.session.commit()
    with pytest.raises(merge.MergeRefused, match="企业名称“东北农业（集团）股份公司”现已被另一家企业使用"):
        _undo(users, t)


def test_undo_is_refused_for_an_audit_row_that_is_not_a_merge(users):
    firm = factories.enterprise()
    created = db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.object_id == firm.id))
    for event_id in (created, 99999, None):
        with pytest.raises(merge.MergeRefused, match="找不到这次合并记录"):
            undo.undo(users["admin"], event_id)
