"""Admin pages of 领导包联 (rules editor, unassigned list, manual assignment)."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from crm.extensions import db
from crm.models import LiaisonConfig, LiaisonFlag, LiaisonTier
from crm.services.liaison import assignment
from tests import factories


def test_settings_save_cap_and_trigger_stages(client, login):
    login("admin")
    resp = client.post("/admin/liaison/settings", data={"cap": "4", "trigger_stages": ["signed", "started"]})
    assert resp.status_code == 302
    cfg = db.session.get(LiaisonConfig, 1)
    assert (cfg.cap, cfg.trigger_stages) == (4, ["signed", "started"])


def test_bad_settings_and_tiers_get_form_errors_and_save_nothing(client, login):
    login("admin")
    resp = client.post("/admin/liaison/settings", data={"cap": "-1", "trigger_stages": ["bogus"]})
    assert resp.status_code == 400 and "请输入 1 到 1000 之间的整数" in resp.get_data(as_text=True)
    for data in ({"min_investment": "abc", "leader_rank": "1"}, {"min_investment": "0", "leader_rank": "1"},
                 {"min_investment": "5000", "leader_rank": "12"}):
        assert client.post("/admin/liaison/tiers", data=data).status_code == 400
    assert client.post("/admin/liaison/tiers", data={"min_investment": "10000", "leader_rank": "1"}).status_code == 302
    resp = client.post("/admin/liaison/tiers", data={"min_investment": "10000.00", "leader_rank": "2"})
    assert "已有相同投资额的档位" in resp.get_data(as_text=True)
    assert [(t.min_investment, t.leader_rank) for t in db.session.scalars(sa.select(LiaisonTier))] == [
        (Decimal("10000.00"), 1)]
    assert db.session.scalars(sa.select(LiaisonConfig)).all() == [] or db.session.get(LiaisonConfig, 1).cap is None


def test_sector_grid_saves_the_leaders_in_charge(client, login):
    biomed, vice = factories.sector("biomed"), factories.leader()
    login("admin")
    assert client.post("/admin/liaison/sectors", data={f"sector-{biomed.id}": [str(vice.id)]}).status_code == 302
    assert assignment.sector_leader_ids() == {biomed.id: {vice.id}}
    assert client.post("/admin/liaison/sectors", data={f"sector-{biomed.id}": ["x"]}).status_code == 400
    assert assignment.sector_leader_ids() == {biomed.id: {vice.id}}


def test_unassigned_projects_are_listed_and_can_be_assigned_by_hand(client, login, users):
    project = factories.project(is_key=True, name="缺包联领导的项目<b>")
    assignment.run_all()
    db.session.commit()
    assert db.session.scalars(sa.select(LiaisonFlag.project_id)).all() == [project.id]
    login("admin")
    html = client.get("/admin/liaison").get_data(as_text=True)
    assert "未分配包联领导的项目" in html and "缺包联领导的项目&lt;b&gt;" in html
    assert client.post(f"/admin/liaison/projects/{project.id}", data={"leader_id": "0"}).status_code == 400
    resp = client.post(f"/admin/liaison/projects/{project.id}",
                       data={"leader_id": str(users["leader"].id), "reason": "领导小组会议决定"})
    assert resp.status_code == 302
    db.session.refresh(project)
    assert project.liaison_leader_id == users["leader"].id
    assert db.session.scalars(sa.select(LiaisonFlag)).all() == []
    assert "没有未分配的项目" in client.get("/admin/liaison").get_data(as_text=True)


def test_the_admin_page_runs_a_constant_number_of_statements(client, login, page_statements):
    login("admin")

    def count(n):
        for _ in range(n):
            db.session.add(LiaisonFlag(project_id=factories.project(is_key=True).id, reason="no_eligible"))
            factories.leader()
        db.session.commit()
        return page_statements(client, "/admin/liaison?q=测试")

    assert count(2) == count(15)
