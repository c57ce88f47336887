"""The weekly digest's chain section: a 链长 gets the gaps of their chains whose target firms have
had no contact in 30 days; a recent contact takes a gap off; admins see every chain's gaps."""
from datetime import datetime, timedelta

from crm.services.chains.digest import STALE_DAYS
from crm.services.liaison import digest
from tests import factories
from tests.chains import factories as cf

MONDAY_8AM = datetime(2026, 11, 23, 0, 0)  # Monday 08:00 Asia/Shanghai, ISO week 2026-W48


def test_the_chain_chief_gets_the_gaps_without_a_contact_in_30_days(users):
    leader = users["leader"]
    other_leader = factories.user("leader")
    mine = cf.chain(name="木耳测试链", leader=leader, links=("种植", "即食", "深加工", "储藏"))
    planting, ready, deep, storage = mine.links
    cf.attach(planting, cf.local_firm())  # covered: no gap
    cf.attach(ready, cf.target_firm(name="久未联系食品公司",
                                    last_interaction_at=MONDAY_8AM - timedelta(days=STALE_DAYS + 5)))
    cf.attach(deep, cf.target_firm(name="上周刚联系食品公司", last_interaction_at=MONDAY_8AM - timedelta(days=6)))
    # storage: a gap with no target firm at all, so nobody has been called about it
    theirs = cf.chain(name="他人负责的链", leader=other_leader, links=("甲",))

    week = digest.load_week(MONDAY_8AM)
    section = digest.digest_for(leader, week)["chain_gaps"]
    assert [g.link_name for g in section["items"]] == ["即食", "储藏"]
    assert [g.chain_name for g in digest.digest_for(other_leader, week)["chain_gaps"]["items"]] == ["他人负责的链"]
    assert digest.digest_for(users["staff"], week)["chain_gaps"]["total"] == 0
    assert {g.link_id for g in digest.digest_for(users["admin"], week)["chain_gaps"]["items"]} == {
        ready.id, storage.id, theirs.links[0].id}

    msg = digest.render(leader, MONDAY_8AM)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "产业链空缺环节（30 天未对接）（2）" in text
    assert "木耳测试链 · 即食：久未联系食品公司（2026-10-19）" in text
    assert "上周刚联系食品公司" not in text
    assert f"/chains/links/{ready.id}" in html and "久未联系食品公司" in html


def test_a_digest_without_chain_gaps_has_no_chain_section(users):
    text = digest.render(users["leader"], MONDAY_8AM).get_body(("plain",)).get_content()
    assert "产业链空缺环节" not in text


def test_the_chain_section_keeps_the_digest_to_a_fixed_number_of_statements(users, statements):
    def count(n):
        for _ in range(n):
            chain = cf.chain(leader=users["leader"])
            cf.attach(chain.links[0], cf.target_firm(), cf.target_firm())
        with statements() as counter:
            week = digest.load_week(MONDAY_8AM)
            for user in digest.recipients():
                digest.digest_for(user, week)
        return len(counter)
    assert count(2) == count(12)
