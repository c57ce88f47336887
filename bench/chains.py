"""The bench's industrial chains: on top of the plan's seeded chains, CHAINS generated chains of
LINKS_PER_CHAIN links (one fork each), so a province has ≥ 20 chains and ≥ 200 links, with firms
and projects attached as the office would (a few per link, some links left blank).  Rows for
bench/data.py's bulk insert; deterministic for a seed."""
from __future__ import annotations

import random
from datetime import datetime

import sqlalchemy as sa

from crm.models import Chain, ChainLink

CHAINS, LINKS_PER_CHAIN = 22, 8
STEPS = ("原料种植", "进口贸易", "仓储物流", "初加工", "提取", "精深加工", "制剂", "包装", "品牌销售", "跨境电商")
POSITIONS = ("upstream", "upstream", "midstream", "midstream", "midstream", "downstream", "downstream", "downstream")


def rows(conn, rng: random.Random, enterprise_ids: list[int], project_ids: list[int], now: datetime):
    """(chains, links, link–enterprise rows, link–project rows) with ids after the seeded ones."""
    first_chain = (conn.scalar(sa.select(sa.func.max(Chain.id))) or 0) + 1
    first_link = (conn.scalar(sa.select(sa.func.max(ChainLink.id))) or 0) + 1
    stamp = {"created_at": now, "updated_at": now}
    chains, links, firms, projects = [], [], [], []
    link_id = first_link
    for n in range(CHAINS):
        chain_id = first_chain + n
        chains.append({"id": chain_id, "name": f"测试产业链{n + 1:02d}", "priority": rng.choice((1, 2, 2, 3)),
                       "sort_order": 100 + n, "plan_quote": None, **stamp})
        steps = rng.sample(STEPS, LINKS_PER_CHAIN)
        ids = list(range(link_id, link_id + LINKS_PER_CHAIN))
        for seq, (lid, step) in enumerate(zip(ids, steps)):
            # A straight line with one fork: the last link branches off the third-to-last.
            parent = None if seq == 0 else ids[seq - 2] if seq == LINKS_PER_CHAIN - 1 else ids[seq - 1]
            links.append({"id": lid, "chain_id": chain_id, "parent_id": parent, "name": step,
                          "position": POSITIONS[seq], "seq": seq + 1, "products": f"{step}产品", **stamp})
            if rng.random() < 0.85:  # most links have firms on file; the rest are blank
                for eid in rng.sample(enterprise_ids, rng.randrange(1, 7)):
                    firms.append({"link_id": lid, "enterprise_id": eid})
            for pid in rng.sample(project_ids, min(len(project_ids), rng.randrange(0, 4))):
                projects.append({"link_id": lid, "project_id": pid})
        link_id += LINKS_PER_CHAIN
    return chains, links, firms, projects
