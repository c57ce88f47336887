"""The chain pages: the chain list with coverage, a chain's map, a link's firms and projects, and
the gap list; each runs a constant number of statements whatever the data size."""
import json
import re
from datetime import datetime

import pytest

from crm.extensions import db
from seeds import seeding
from tests import factories
from tests.chains import factories as cf


def map_data(html):
    return json.loads(re.search(r'<script id="chain-map-data" type="application/json">(.*?)</script>', html, re.S)
                      .group(1))


def test_the_seeded_herb_chain_maps_its_links_with_state_colour_and_click_through(client, login):
    seeding.load_plan()
    db.session.commit()
    login("staff")
    index = client.get("/chains/").get_data(as_text=True)
    assert "中医药全产业链" in index and "俄粮加工产业链" in index
    chain_id = re.search(r'href="/chains/(\d+)">中医药全产业链', index).group(1)
    html = client.get(f"/chains/{chain_id}").get_data(as_text=True)
    data = map_data(html)
    nodes = {n["name"]: n for n in data["nodes"]}
    assert list(nodes) == ["种植/进口", "提取加工", "制剂", "销售"]
    assert nodes["种植/进口"]["state"] == "local"  # 域外百草 is local
    assert nodes["制剂"]["state"] == "gap"
    assert [n["x"] for n in data["nodes"]] == [0, 180, 360, 540]
    assert len(data["edges"]) == 3
    page = client.get(nodes["制剂"]["url"]).get_data(as_text=True)
    assert "推动传统药剂向高端制剂领域拓展" in page and "暂无目标企业" in page


def test_the_ash_cluster_branches_on_the_map(client, login):
    seeding.load_plan()
    db.session.commit()
    login("leader")
    index = client.get("/chains/").get_data(as_text=True)
    chain_id = re.search(r'href="/chains/(\d+)">炉灰渣', index).group(1)
    nodes = {n["name"]: n for n in map_data(client.get(f"/chains/{chain_id}").get_data(as_text=True))["nodes"]}
    assert nodes["炉灰渣"]["x"] == nodes["生物质草木灰"]["x"] > nodes["热气电联产"]["x"]
    assert nodes["炉灰渣"]["y"] != nodes["生物质草木灰"]["y"]
    assert nodes["热气电联产"]["symbolSize"] > nodes["地砖"]["symbolSize"]  # 10 亿元 on the CHP link


def test_a_link_page_lists_its_target_firms_with_their_last_contact(client, login):
    chain = cf.chain(links=("萃取",))
    target = cf.target_firm(name="东莞测试萃取有限公司", last_interaction_at=datetime(2026, 11, 20, 2))
    local = cf.local_firm(name="绥芬河本地萃取有限公司")
    cf.attach(chain.links[0], target, local)
    login("officer")
    html = client.get(f"/chains/links/{chain.links[0].id}").get_data(as_text=True)
    targets = html.split('id="target-firms"')[1].split("</ul>")[0]
    locals_ = html.split('id="local-firms"')[1].split("</ul>")[0]
    assert "东莞测试萃取有限公司" in targets and "2026-11-20" in targets and "绥芬河本地萃取" not in targets
    assert "绥芬河本地萃取有限公司" in locals_


def test_the_gap_list_shows_uncovered_links_and_their_targets(client, login):
    chain = cf.chain(name="测试补链", links=("甲环节", "乙环节"))
    cf.attach(chain.links[0], cf.target_firm(name="外地目标企业"))
    cf.attach(chain.links[1], cf.local_firm())
    login("staff")
    html = client.get("/chains/gaps").get_data(as_text=True)
    rows = html.split('id="gaps"')[1]
    assert "甲环节" in rows and "外地目标企业" in rows and "乙环节" not in rows


def test_the_nav_has_one_chain_entry(client, login):
    login("staff")
    html = client.get("/chains/gaps").get_data(as_text=True)
    assert html.count('href="/chains/"') >= 1 and 'aria-current="page" href="/chains/"' in html


def _grow(n):
    for _ in range(n):
        chain = cf.chain()
        cf.attach(chain.links[0], cf.target_firm(), cf.local_firm(),
                  factories.project(investors=[cf.target_firm()]))
        cf.attach(chain.links[1], factories.project(stage="contact"))


@pytest.mark.parametrize("url", ["/chains/", "/chains/{chain}", "/chains/links/{link}", "/chains/gaps"])
def test_chain_pages_run_constant_statements(client, login, statements, url):
    login("leader")
    first = cf.chain(links=("甲", "乙", "丙", "丁"))
    cf.attach(first.links[0], cf.target_firm(), factories.project(investors=[cf.local_firm()]))
    target = url.format(chain=first.id, link=first.links[0].id)
    _grow(1)
    with statements() as few:
        assert client.get(target).status_code == 200
    _grow(8)
    for link in first.links:
        cf.attach(link, cf.target_firm(), cf.target_firm(), factories.project(investors=[cf.target_firm()]))
    with statements() as many:
        assert client.get(target).status_code == 200
    assert len(many) == len(few)
