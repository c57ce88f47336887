"""Link coverage and the gap list (crm/services/chains/gaps.py), on real rows and real stage moves."""
from datetime import date, datetime
from decimal import Decimal

from crm.extensions import db
from crm.services.chains import gaps
from crm.services.pipeline import move_stage
from tests import factories
from tests.chains import factories as cf


def states(chain):
    found = gaps.link_states(chain.id)
    return [gaps.state_of(found, link).state for link in chain.links]


def test_a_new_chain_is_all_blank(app):
    chain = cf.chain()
    assert states(chain) == ["gap", "gap", "gap"]
    assert [g.link_name for g in gaps.gaps(chain.id)] == ["上游环节", "中游环节", "下游环节"]


def test_a_link_is_covered_when_a_local_firm_reaches_it_and_uncovered_when_its_only_project_is_dropped(app):
    chain = cf.chain()
    admin = factories.user("admin")
    firm = cf.local_firm()
    project = factories.project(investors=[firm], total_investment=Decimal("3000"))
    cf.attach(chain.links[1], project)
    assert states(chain) == ["gap", "local", "gap"]
    assert "中游环节" not in [g.link_name for g in gaps.gaps(chain.id)]

    move_stage(project, "dropped", actor=admin, occurred_on=date(2026, 11, 1), reason="投资方撤回",
               today=date(2026, 11, 2))
    db.session.commit()
    assert states(chain) == ["gap", "gap", "gap"]
    (gap,) = [g for g in gaps.gaps(chain.id) if g.link_name == "中游环节"]
    assert gap.targets == [] and gap.state.investment == 0  # a dropped project neither counts nor is a lead


def test_a_firm_from_elsewhere_does_not_cover_a_link_until_it_invests_here(app):
    chain = cf.chain(links=("加工",))
    firm = cf.target_firm()
    cf.attach(chain.links[0], firm)
    assert states(chain) == ["gap"]
    firm.status = "invested"
    db.session.commit()
    assert states(chain) == ["local"]


def test_a_project_in_talks_without_a_local_investor_marks_the_link_in_talks(app):
    chain = cf.chain(links=("提取",))
    planned = factories.project(investors=[cf.target_firm()], total_investment=Decimal("2000"))
    cf.attach(chain.links[0], planned)
    assert states(chain) == ["gap"]
    talks = factories.project(stage="contact", investors=[cf.target_firm()], total_investment=Decimal("500"))
    cf.attach(chain.links[0], talks)
    (state,) = gaps.link_states(chain.id).values()
    assert state.state == "talks" and state.investment == Decimal("2500")


def test_the_gap_list_orders_by_chain_priority_and_lists_targets_longest_uncalled_first(app):
    low = cf.chain(name="低优先链", priority=3, links=("甲",))
    high = cf.chain(name="高优先链", priority=1, links=("乙", "丙"))
    cf.attach(high.links[1], cf.local_firm())
    called = cf.target_firm(last_interaction_at=datetime(2026, 11, 1, 2))
    never = cf.target_firm()
    recent = cf.target_firm(last_interaction_at=datetime(2026, 11, 20, 2))
    cf.attach(high.links[0], recent, called, never)
    investor = cf.target_firm()
    cf.attach(low.links[0], factories.project(investors=[investor]))

    found = gaps.gaps()
    assert [(g.chain_name, g.link_name) for g in found] == [("高优先链", "乙"), ("低优先链", "甲")]
    assert [t.id for t in found[0].targets] == [never.id, called.id, recent.id]
    assert found[0].last_contact == datetime(2026, 11, 20, 2)
    assert [t.id for t in found[1].targets] == [investor.id]  # the investor of a project on the link is a target too


def test_a_gap_shows_its_first_targets_and_counts_the_rest(app):
    chain = cf.chain(links=("甲",))
    firms = [cf.target_firm(last_interaction_at=datetime(2026, 10, day, 2)) for day in range(1, 9)]
    cf.attach(chain.links[0], *firms)
    (gap,) = gaps.gaps(chain.id)
    assert [t.id for t in gap.targets] == [f.id for f in firms[:gaps.TARGETS_SHOWN]]
    assert (gap.target_count, gap.more) == (8, 8 - gaps.TARGETS_SHOWN)
    assert gap.last_contact == datetime(2026, 10, 8, 2)  # the latest of all eight, not of the five shown


def test_coverage_counts_covered_links_per_chain(app):
    chain = cf.chain()
    cf.attach(chain.links[0], cf.local_firm(source_channel="本地企业", region=None))
    (row,) = gaps.coverage([chain], gaps.link_states(chain.id))
    assert (row.covered, row.total, row.percent) == (1, 3, 33)


def test_gap_list_and_states_run_constant_statements(app, statements):
    def make(n):
        for _ in range(n):
            chain = cf.chain()
            cf.attach(chain.links[0], cf.target_firm(), factories.project(investors=[cf.target_firm()]))
            cf.attach(chain.links[1], cf.local_firm())
    make(1)
    with statements() as few:
        gaps.gaps()
    make(6)
    with statements() as many:
        assert len(gaps.gaps()) == 14
    assert len(many) == len(few) == 4
