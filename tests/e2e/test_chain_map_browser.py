"""The chain map in a real browser: ECharts (vendored) draws the chain, and clicking a gap link on
the canvas lands on that link's page with its target firms."""
from __future__ import annotations

from datetime import datetime

from tests.chains import factories as cf


def test_clicking_a_gap_on_the_chain_map_lands_on_its_target_firms(visit, users):
    chain = cf.chain(name="黑木耳产业链（浏览器）", links=("木耳种植", "储藏保鲜", "即食木耳"))
    cf.attach(chain.links[0], cf.local_firm(name="绥芬河木耳种植合作社"))
    cf.attach(chain.links[2], cf.target_firm(name="东莞即食食品有限公司",
                                             last_interaction_at=datetime(2026, 11, 2, 3)))
    v = visit()
    v.sign_in(users["staff"])
    v.go(f"/chains/{chain.id}")
    v.page.wait_for_selector("#chain-map canvas")
    # The gap node's place on the canvas, from the chart itself (the nodes are drawn, not DOM).
    x, y = v.page.evaluate("""(name) => {
        const chart = document.getElementById("chain-map").chainMap;
        const node = chart.getOption().series[0].data.find(n => n.name === name);
        const [px, py] = chart.convertToPixel({seriesIndex: 0}, [node.x, node.y]);
        const box = document.querySelector("#chain-map canvas").getBoundingClientRect();
        return [box.left + px, box.top + py];
    }""", "即食木耳")
    v.page.mouse.click(x, y)
    v.page.wait_for_url(f"**/chains/links/{chain.links[2].id}")
    targets = v.page.locator("#target-firms")
    assert "东莞即食食品有限公司" in targets.inner_text() and "2026-11-02" in targets.inner_text()
    assert "空白" in v.page.locator("h1").inner_text()
    v.page.click("#target-firms a")
    v.page.wait_for_url("**/enterprises/*")
    assert "东莞即食食品有限公司" in v.page.locator("h1").inner_text()
    v.assert_clean()


def test_the_goals_dashboard_draws_chain_coverage_over_time(visit, users):
    from datetime import date

    from crm.extensions import db
    from crm.services.chains import coverage
    chain = cf.chain(name="覆盖率浏览器链")
    coverage.record(date(2026, 10, 1))
    cf.attach(chain.links[0], cf.local_firm())
    db.session.commit()
    v = visit()
    v.sign_in(users["leader"])
    v.go("/dashboard")
    v.page.wait_for_selector("#chart-chains canvas")
    assert "1 / 3" in v.page.locator(f'#chain-coverage tr[data-chain="{chain.id}"]').inner_text()
    v.assert_clean()
