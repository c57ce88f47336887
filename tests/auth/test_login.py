"""Login, lockout, CSRF, session cookies and logout."""
from datetime import timedelta

import time_machine

from crm.services.core.clock import utcnow
from tests.conftest import csrf_token
from tests.factories import PASSWORD

REFUSED = "用户名或密码错误"


def post_login(client, username, password):
    return client.post("/auth/login", data={"username": username, "password": password})


def test_right_password_logs_in_and_sets_safe_cookies(client, users):
    resp = post_login(client, "staff", PASSWORD)
    assert resp.status_code == 302
    cookie = resp.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_message(client, users):
    wrong = post_login(client, "staff", "nope").get_data(as_text=True)
    unknown = post_login(client, "nobody", "nope").get_data(as_text=True)
    assert REFUSED in wrong and REFUSED in unknown


def test_five_failures_in_fifteen_minutes_lock_the_account_even_for_the_right_password(client, users):
    for _ in range(5):
        post_login(client, "staff", "wrong")
    resp = post_login(client, "staff", PASSWORD)
    assert resp.status_code == 200 and REFUSED in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous


def test_lock_expires_after_the_window(client, users):
    for _ in range(5):
        post_login(client, "staff", "wrong")
    with time_machine.travel(utcnow() + timedelta(minutes=16, hours=8), tick=False):
        # utcnow() is naive UTC; time-machine takes it as local time, hence the +8 h.
        assert post_login(client, "staff", PASSWORD).status_code == 302


def test_disabled_account_cannot_log_in(client, users, app):
    users["staff"].is_enabled = False
    from crm.extensions import db
    db.session.commit()
    assert REFUSED in post_login(client, "staff", PASSWORD).get_data(as_text=True)


def test_logout_ends_the_session(client, login):
    login("staff")
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_logout_by_get_is_not_allowed(client, login):
    login("staff")
    assert client.get("/auth/logout").status_code == 405


def test_post_without_csrf_token_is_refused(client, users, csrf_enabled):
    resp = post_login(client, "staff", PASSWORD)
    assert resp.status_code == 400
    assert "安全令牌" in resp.get_data(as_text=True)


def test_post_with_csrf_token_is_accepted(client, users, csrf_enabled):
    token = csrf_token(client, "/auth/login")
    resp = client.post("/auth/login", data={"username": "staff", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302


def test_next_parameter_only_redirects_inside_the_site(client, users):
    resp = client.post("/auth/login?next=https://evil.example/", data={"username": "staff", "password": PASSWORD})
    assert resp.headers["Location"] == "/"
