"""Administrators edit chains and links and attach firms and projects; every change is audited,
bad input gets a clear Chinese message with nothing saved, and other roles are refused."""
import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, Chain, ChainLink
from crm.services.chains import editing
from crm.services.core import access
from crm.services.enterprises import ValidationError
from tests import factories
from tests.chains import factories as cf


def audits(obj):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == type(obj).__name__,
                                                           AuditEvent.object_id == obj.id)
                              .order_by(AuditEvent.id)).all()


def test_an_admin_creates_and_edits_a_chain_and_the_audit_keeps_old_and_new(client, login):
    admin = login("admin")
    leader = factories.user("leader", display_name="王市长")
    resp = client.post("/chains/new", data={"name": "新测试产业链", "priority": "1", "plan_quote": "原文"})
    assert resp.status_code == 302
    chain = Chain.query.filter_by(name="新测试产业链").one()
    resp = client.post(f"/chains/{chain.id}/edit", data={"name": "新测试产业链", "priority": "3",
                                                          "leader_id": str(leader.id)})
    assert resp.status_code == 302
    db.session.refresh(chain)
    assert (chain.priority, chain.leader_id) == (3, leader.id)
    create, update = audits(chain)
    assert create.action == "create" and create.actor_id == admin.id
    assert update.changes["priority"] == [1, 3] and update.changes["leader_id"] == [None, leader.id]


def test_links_are_added_edited_attached_and_deleted_with_an_audit_trail(client, login):
    login("admin")
    chain = cf.chain(links=("种植", "加工"))
    planting, processing = chain.links
    resp = client.post(f"/chains/{chain.id}/links/new",
                       data={"name": "销售", "position": "downstream", "parent_id": str(processing.id)})
    assert resp.status_code == 302
    sales = ChainLink.query.filter_by(chain_id=chain.id, name="销售").one()
    assert sales.seq == 3 and sales.parent_id == processing.id

    firm = cf.target_firm(name="东莞销售渠道有限公司")
    assert client.post(f"/chains/links/{sales.id}/attach", data={"kind": "enterprise", "name": "东莞销售渠道有限公司"}
                       ).status_code == 302
    assert [e.id for e in db.session.get(ChainLink, sales.id).enterprises] == [firm.id]
    assert audits(sales)[-1].changes["enterprises"] == [[], ["东莞销售渠道有限公司"]]
    client.post(f"/chains/links/{sales.id}/detach", data={"kind": "enterprise", "record_id": str(firm.id)})
    assert db.session.get(ChainLink, sales.id).enterprises == []
    assert audits(sales)[-1].changes["enterprises"] == [["东莞销售渠道有限公司"], []]

    client.post(f"/chains/links/{processing.id}/delete")
    db.session.expire_all()
    assert db.session.get(ChainLink, sales.id).parent_id == planting.id  # the chain stays connected
    assert audits(processing)[-1].action == "delete"


def test_bad_link_input_answers_in_chinese_and_saves_nothing(client, login):
    login("admin")
    chain, other = cf.chain(links=("甲", "乙")), cf.chain(links=("丙",))
    before = ChainLink.query.count()
    html = client.post(f"/chains/{chain.id}/links/new", data={"name": "甲", "position": "upstream"}
                       ).get_data(as_text=True)
    assert "该产业链已有同名环节。" in html
    html = client.post(f"/chains/{chain.id}/links/new", data={
        "name": "丁", "position": "upstream", "parent_id": str(other.links[0].id)}).get_data(as_text=True)
    assert "不是有效的选择。" in html  # the form offers only this chain's links
    html = client.post(f"/chains/links/{chain.links[0].id}/edit",
                       data={"name": "甲", "position": "upstream", "parent_id": str(chain.links[1].id)}
                       ).get_data(as_text=True)
    assert "上一环节不能是本环节或其下游环节。" in html
    html = client.post(f"/chains/links/{chain.links[0].id}/attach", data={"kind": "enterprise", "name": "不存在的公司"},
                       follow_redirects=True).get_data(as_text=True)
    assert "没有名为“不存在的公司”的企业，请先在企业中登记。" in html
    assert ChainLink.query.count() == before
    assert db.session.get(ChainLink, chain.links[0].id).parent_id is None


def test_the_service_refuses_other_roles_and_a_parent_from_another_chain(app):
    chain, other = cf.chain(links=("甲",)), cf.chain(links=("乙",))
    with pytest.raises(access.Denied):
        editing.save_chain(factories.user("staff"), chain, {"name": "改名", "priority": 2})
    with pytest.raises(ValidationError) as refused:
        editing.save_link(factories.user("admin"), chain, None,
                          {"name": "丙", "position": "midstream", "parent_id": other.links[0].id})
    assert refused.value.errors == {"parent_id": "上一环节须是同一产业链的环节。"}


def test_only_admins_see_the_edit_controls(client, login):
    chain = cf.chain(links=("甲",))
    login("staff")
    html = client.get(f"/chains/links/{chain.links[0].id}").get_data(as_text=True)
    assert 'id="attach"' not in html and "编辑环节" not in html
    login("admin")
    html = client.get(f"/chains/links/{chain.links[0].id}").get_data(as_text=True)
    assert 'id="attach"' in html and "编辑环节" in html
