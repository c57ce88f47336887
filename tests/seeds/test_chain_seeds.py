"""seeds/chains.json is an honest transcription of the plan's industrial chains: every chain, link
and attachment quotes the plan, attachments name seeded firms and projects, and the loader puts
them in the database once (a second run changes nothing)."""
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, Chain, ChainLink
from crm.models.chain import POSITIONS
from seeds import seeding

REPO = Path(__file__).resolve().parents[2]
CHAINS = json.loads((REPO / "seeds" / "chains.json").read_text(encoding="utf-8"))["chains"]
PLAN = json.loads((REPO / "seeds" / "plan.json").read_text(encoding="utf-8"))
# The source text lives beside the repo (../shared), or beside the worktrees' folder for a worktree.
PLAN_TEXT = next((p for p in (REPO.parent / "shared/plan/suifenhe-bioeconomy-plan-2022.txt",
                              REPO.parent.parent / "shared/plan/suifenhe-bioeconomy-plan-2022.txt") if p.exists()),
                 REPO.parent / "shared/plan/suifenhe-bioeconomy-plan-2022.txt")
LINKS = [(chain, link) for chain in CHAINS for link in chain["links"]]


@pytest.fixture(scope="module")
def plan_text():
    if not PLAN_TEXT.exists():
        pytest.skip(f"plan source text not found at {PLAN_TEXT}; verbatim checks need it")
    return PLAN_TEXT.read_text(encoding="utf-8")


def chain(name):
    (found,) = [c for c in CHAINS if c["name"] == name]
    return found


def test_the_chains_the_issue_names_are_seeded_with_the_plans_links_in_order():
    def names(c):
        return [link["name"] for link in chain(c)["links"]]
    assert "“废弃物综合利用-聚乳酸生物基新材料-可降解材料应用”" in chain("可降解材料产业链")["plan_quote"]
    assert names("可降解材料产业链") == ["废弃物综合利用", "聚乳酸生物基新材料", "可降解材料应用"]
    assert names("中医药全产业链") == ["种植/进口", "提取加工", "制剂", "销售"]
    assert names("黑木耳产业链") == ["木耳种植", "储藏保鲜", "清选分级", "即食木耳", "黑木耳深加工"]
    assert names("俄粮加工产业链") == ["跨境种植", "贸易进口", "集散运输", "加工增值", "分拨销售"]
    assert names("炉灰渣-生物质草木灰产业链集群") == ["热气电联产", "炉灰渣", "地砖", "生物质草木灰", "肥料"]
    assert "汉麻提取物终端产品" in names("汉麻产业链")


@pytest.mark.parametrize("c", CHAINS, ids=lambda c: c["name"])
def test_every_chain_quotes_the_plan(c, plan_text):
    assert c["plan_quote"] in plan_text
    assert "产业链" in c["plan_quote"]


@pytest.mark.parametrize("c,link", LINKS, ids=lambda x: x["name"])
def test_every_link_and_attachment_quotes_a_sentence_of_the_plan(c, link, plan_text):
    assert link["plan_quote"] in plan_text, link["plan_quote"]
    if link["description"]:  # descriptions are the plan's own words too
        assert link["description"] in plan_text
    for item in link["enterprises"] + link["projects"]:
        assert item["plan_quote"] in plan_text, item


@pytest.mark.parametrize("c,link", LINKS, ids=lambda x: x["name"])
def test_every_link_has_a_position_and_an_earlier_parent_of_its_chain(c, link):
    assert link["position"] in POSITIONS
    earlier = [other["name"] for other in c["links"][:c["links"].index(link)]]
    assert link["parent"] is None or link["parent"] in earlier


def test_attached_firms_and_projects_are_the_plans_own():
    firms, projects = {e["name"] for e in PLAN["enterprises"]}, {p["name"]: p for p in PLAN["projects"]}
    for _, link in LINKS:
        assert {e["name"] for e in link["enterprises"]} <= firms
        for p in link["projects"]:
            # A project's quote is its own description in the plan, not a sentence from elsewhere.
            own = projects[p["name"]]
            assert p["plan_quote"] in own["description"] or p["plan_quote"] in own["name"]


def test_the_two_branching_chains_branch():
    for name, fork in (("黑木耳产业链", "清选分级"), ("炉灰渣-生物质草木灰产业链集群", "热气电联产")):
        children = [link["name"] for link in chain(name)["links"] if link["parent"] == fork]
        assert len(children) == 2, (name, children)


def test_what_the_plan_leaves_open_is_marked_for_the_office():
    assert all(c["to_confirm"] for c in CHAINS)  # 链主, 链长 and priority: the plan names none
    assert "环节划分待经合中心确认" in chain("中医药全产业链")["to_confirm"]


def test_plan_seeding_loads_the_chains_once(app):
    seeding.load_plan()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Chain.id))) == len(CHAINS)
    assert db.session.scalar(sa.select(sa.func.count(ChainLink.id))) == len(LINKS)
    herbs = db.session.scalars(sa.select(ChainLink).join(Chain).where(Chain.name == "中医药全产业链")
                               .order_by(ChainLink.seq)).all()
    assert [link.parent.name if link.parent else None for link in herbs] == [None, "种植/进口", "提取加工", "制剂"]
    assert [e.short_name for e in herbs[0].enterprises] == ["域外百草"]
    assert {p.column_no for p in herbs[0].projects} == {1}
    audits = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))

    summary = seeding.load_plan()
    db.session.commit()
    assert summary["Chain"] == {"created": 0, "updated": 0}
    assert summary["ChainLink"] == {"created": 0, "updated": 0}
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == audits
