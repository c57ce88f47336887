"""Simultaneous stage moves of one project, over real HTTP on a threaded server: the row lock
(SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) lets exactly one through; the
others are told the project is already at that stage."""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.models import StageEvent
from crm.services.core.clock import local_today
from tests import factories
from tests.reliability.concurrent_http import Browser, at_once, serving

TRIES = 3
REQUESTS = 4


def test_simultaneous_moves_record_one_stage_event(app, users):
    ids = [factories.project().id for _ in range(TRIES)]  # ids: the threads have no app context
    with serving(app) as base:
        browsers = [Browser(base, "staff") for _ in range(REQUESTS)]
        form = {"to_stage": "contact", "occurred_on": local_today().isoformat(), "evidence": "首次洽谈", "confirmed": "y"}
        answers = [at_once([lambda b=b, i=i: b.post(f"/projects/{i}/stage", form) for b in browsers])
                   for i in ids]
    db.session.rollback()  # read what the server's sessions committed
    written = [db.session.scalars(sa.select(StageEvent).where(StageEvent.project_id == i)).all() for i in ids]
    assert [len(events) for events in written] == [1] * TRIES, f"events written per try: {[len(e) for e in written]}"
    for events, replies in zip(written, answers):
        assert [(e.from_stage, e.to_stage) for e in events] == [("planned", "contact")]
        assert sorted(status for status, _body in replies) == [200] * (REQUESTS - 1) + [302], replies
        assert all("项目已处于该阶段。" in body for status, body in replies if status == 200)
