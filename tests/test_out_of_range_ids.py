"""A number too large for the database, in any URL, query string or form, is "not found" or a
form error — never a database error.  2**31 is beyond a PostgreSQL INTEGER, 2**64 beyond what
SQLite can bind; both once gave HTTP 500 on every page that loads a record by id.
"""
from __future__ import annotations

import pytest
from flask import url_for

HUGE = (2**31, 2**64)
QUERY_IDS = ("sector", "park", "department", "task_force", "owner", "project", "project_id",
             "enterprise_id", "report_id", "instruction_id", "user_id")


NOT_RECORD_IDS = {"job_id"}  # RQ's job ids are strings kept in Redis, not database ids


def _id_routes(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(name.endswith("_id") and name not in NOT_RECORD_IDS for name in rule.arguments)]


@pytest.mark.parametrize("huge", HUGE)
def test_every_route_answers_404_for_an_id_beyond_the_database(app, client, login, huge):
    login("admin")
    failures = []
    for rule in _id_routes(app):
        args = {name: huge if name.endswith("_id") else "2026-10" for name in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        for method in sorted({"GET", "POST"} & rule.methods):
            status = client.open(url, method=method, data={}).status_code
            if status != 404:
                failures.append(f"{method} {url}: {status}")
    assert not failures


@pytest.mark.parametrize("path", ["/enterprises/", "/projects/", "/pipeline/", "/routines/problems",
                                  "/interactions/new", "/admin/digest/preview"])
def test_list_filters_ignore_an_id_beyond_the_database(client, login, path):
    login("admin")
    query = "&".join(f"{name}={2**64}" for name in QUERY_IDS)
    assert client.get(f"{path}?{query}").status_code in (200, 404)
