"""Synthetic 领导批示 for the benchmark: each liaison project gets 0–3, addressed to one or two
departments with a deadline, in every state of the loop, most with a reply by an officer of
their first unit.  A generator of its own (SEED-derived), so the rest of the data is unchanged."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from crm.services.core.clock import to_utc_naive

TEXTS = ("请尽快协调项目用地报批。", "请牵头梳理企业诉求，限期答复。", "请协调水电气配套接入。", "请加快环评审批进度。")
STATES = ("todo", "todo", "doing", "done", "done")


def rows(seed: int, projects: list[dict], users: list[dict], today: date):
    """(instruction rows, unit links, reply rows) with explicit ids."""
    rng = random.Random(seed + 26)
    officers: dict[int, list[int]] = {}
    for user in users:
        if user["role"] == "officer":
            officers.setdefault(user["department_id"], []).append(user["id"])
    departments = sorted(officers)
    orders, units, replies = [], [], []
    for project in projects:
        if not project["liaison_leader_id"] or not departments:
            continue
        for _ in range(rng.randrange(0, 4)):
            written = today - timedelta(days=rng.randrange(1, 120))
            at = to_utc_naive(datetime.combine(written, time(9, 30)))
            state = rng.choice(STATES)
            order_id = len(orders) + 1
            orders.append({"id": order_id, "project_id": project["id"], "leader_id": project["liaison_leader_id"],
                           "text": rng.choice(TEXTS), "follow_up_required": False, "state": state,
                           "deadline": written + timedelta(days=rng.choice((10, 20, 30))), "returned_note": None,
                           "created_at": at, "updated_at": at})
            chosen = rng.sample(departments, min(len(departments), rng.choice((1, 1, 2))))
            units += [{"instruction_id": order_id, "department_id": d} for d in chosen]
            if state != "todo":
                replies.append({"id": len(replies) + 1, "instruction_id": order_id,
                                "author_id": rng.choice(officers[chosen[0]]), "department_id": chosen[0],
                                "text": "已按批示要求办理，情况如下：已与企业对接并形成方案。",
                                "created_at": at + timedelta(days=3)})
    return orders, units, replies
