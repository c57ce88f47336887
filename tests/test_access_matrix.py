"""Every route × every role (and anonymous) against the policy table in access_policy.py.

A route without a policy fails the suite, so nobody can add a page and forget who may
open it.  Users are signed in by session id (no password round trip) to keep this fast.
"""
from __future__ import annotations

import pytest
from flask import Flask, url_for

from tests.access_policy import POLICY, PUBLIC, SAMPLES, TOKEN

ROLES = ("anonymous", "admin", "staff", "officer", "leader")


def routes_without_policy(app) -> list[str]:
    missing = []
    for rule in app.url_map.iter_rules():
        entry = POLICY.get(rule.endpoint)
        if entry is None:
            missing.append(f"{rule.endpoint} ({rule.rule})")
            continue
        for method in ("GET", "POST"):
            if method in rule.methods and getattr(entry, method.lower()) is None:
                missing.append(f"{rule.endpoint} {method} ({rule.rule})")
    return sorted(set(missing))


def test_every_route_has_a_policy(app):
    assert routes_without_policy(app) == [], "add these endpoints to tests/access_policy.py"


def test_a_new_route_without_policy_is_caught():
    probe = Flask("probe")
    probe.add_url_rule("/__unlisted", "zz.unlisted", lambda: "")
    assert "zz.unlisted (/__unlisted)" in routes_without_policy(probe)


def _url(app, rule, users) -> str:
    args = {}
    for name in rule.arguments:
        if name not in SAMPLES:
            pytest.fail(f"no SAMPLES entry for URL argument {name!r} of {rule.endpoint}")
        args[name] = SAMPLES[name](users)
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def _expected(allowed, entry, role) -> str:
    if allowed == PUBLIC:
        return "ok"
    if allowed == TOKEN:  # a session never opens the token API
        return "401"
    if role == "anonymous":
        return "login"
    if role in entry.hidden:
        return "404"
    return "ok" if role in allowed else "403"


def _outcome(resp) -> str:
    # 503 is an answer, not a crash: /healthz says so when a part (e.g. the worker) is down.
    if resp.status_code >= 500 and resp.status_code != 503:
        return "500"
    # The login gate redirects with ?next=; a view's own redirect to the login page (logout) does not.
    if resp.status_code in (301, 302, 303) and "/auth/login?next=" in resp.headers.get("Location", ""):
        return "login"
    if resp.status_code in (401, 403, 404):
        return str(resp.status_code)
    return "ok"


def test_every_route_answers_every_role_as_the_policy_says(app, users):
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        entry = POLICY.get(rule.endpoint)
        if entry is None or rule.endpoint == "static":
            continue
        for method in ("GET", "POST"):
            allowed = getattr(entry, method.lower())
            if method not in rule.methods or allowed is None:
                continue
            for role in ROLES:
                client = app.test_client()
                if role != "anonymous":
                    with client.session_transaction() as sess:
                        sess["_user_id"] = users[role].get_id()
                        sess["_fresh"] = True
                url = _url(app, rule, users)  # fresh samples: a POST may delete what it was given
                if method == "GET":
                    resp = client.get(url + entry.query)
                else:
                    resp = client.post(url, data={})
                want, got = _expected(allowed, entry, role), _outcome(resp)
                if want != got:
                    failures.append(f"{method} {rule.endpoint} as {role}: expected {want}, got {got} "
                                    f"({resp.status_code})")
    assert not failures, "\n".join(failures)
