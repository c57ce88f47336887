"""Login lockout: per (username, client address) and per address, never per username alone; a try
during a lock does not extend it; unknown names cost a real hash; the client address comes from
the trusted proxies only."""
import time
from dataclasses import replace
from datetime import UTC, timedelta

import sqlalchemy as sa
import time_machine

from crm import create_app
from crm.extensions import db
from crm.models import LoginAttempt
from crm.services.core.clock import utcnow
from tests.factories import PASSWORD

REFUSED = "用户名或密码错误"


def attempt(client, username, password, addr="10.0.0.1", **headers):
    return client.post("/auth/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr}, headers=headers)


def refused(resp) -> bool:
    return resp.status_code == 200 and REFUSED in resp.get_data(as_text=True)


def test_five_wrong_guesses_from_one_address_do_not_lock_the_account_elsewhere(app, client, users):
    for _ in range(5):
        assert refused(attempt(client, "admin", "guess", addr="203.0.113.9"))
    assert refused(attempt(client, "admin", PASSWORD, addr="203.0.113.9"))  # locked there
    assert attempt(app.test_client(), "admin", PASSWORD, addr="10.1.2.3").status_code == 302


def test_one_address_guessing_many_names_is_refused_for_every_name(app, client, users, monkeypatch):
    monkeypatch.setattr(app.extensions["settings"], "LOGIN_IP_MAX_FAILURES", 8)
    for n in range(8):
        assert refused(attempt(client, f"user{n}", "guess", addr="203.0.113.9"))
    assert refused(attempt(client, "staff", PASSWORD, addr="203.0.113.9"))
    assert attempt(app.test_client(), "staff", PASSWORD, addr="10.1.2.3").status_code == 302


def test_the_right_password_during_a_lock_does_not_extend_it(client, users):
    start = utcnow().replace(tzinfo=UTC)  # aware: time-machine then ignores the local zone
    for _ in range(5):
        attempt(client, "staff", "guess")
    for minute in (10, 11, 12, 13, 14):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            assert refused(attempt(client, "staff", PASSWORD))
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert attempt(client, "staff", PASSWORD).status_code == 302


def _fastest(client, username, tries=3) -> float:
    times = []
    for _ in range(tries):
        began = time.perf_counter()
        assert refused(attempt(client, username, "wrong-password", addr=f"10.9.9.{len(times)}"))
        times.append(time.perf_counter() - began)
    return min(times)


def test_an_unknown_username_costs_the_time_of_a_password_check(client, users):
    known = _fastest(client, "staff")
    unknown = _fastest(client, "no-such-user")
    assert unknown > known * 0.5, (known, unknown)


def test_without_trusted_proxies_a_forwarded_header_changes_nothing(client, users):
    for n in range(5):
        attempt(client, "staff", "guess", addr="10.0.0.1", **{"X-Forwarded-For": f"198.51.100.{n}"})
    assert refused(attempt(client, "staff", PASSWORD, addr="10.0.0.1", **{"X-Forwarded-For": "198.51.100.77"}))
    addrs = set(db.session.scalars(sa.select(LoginAttempt.remote_addr)))
    assert addrs == {"10.0.0.1"}


def test_behind_one_trusted_proxy_the_client_address_is_the_one_it_forwards(app, users):
    proxied = create_app(replace(app.extensions["settings"], TRUSTED_PROXIES=1))
    proxied.config["WTF_CSRF_ENABLED"] = False
    with proxied.app_context():
        client = proxied.test_client()
        # The client's own X-Forwarded-For entry (first) is not believed; nginx's (last) is.
        resp = attempt(client, "staff", "guess", addr="127.0.0.1",
                       **{"X-Forwarded-For": "6.6.6.6, 198.51.100.7"})
        assert refused(resp)
        assert db.session.scalar(sa.select(LoginAttempt.remote_addr)) == "198.51.100.7"
