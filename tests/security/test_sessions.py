"""Sessions end when they should: logout (with or without 记住我), a password change, an
administrator's reset or disabling; a copied session or remember cookie dies with them."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from crm.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "Hafen-Birke-Quarz-77"


def sign_in(client, username="staff", remember=False):
    data = {"username": username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    resp = client.post("/auth/login", data=data)
    assert resp.status_code == 302
    return resp


def signed_in(client) -> bool:
    resp = client.get("/")
    if resp.status_code == 302:
        assert "/auth/login" in resp.headers["Location"]
        return False
    assert resp.status_code == 200
    return True


def copy_of(app, client, *names):
    """A second browser holding copies of the given cookies of `client`."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


@pytest.mark.parametrize("remember", [False, True])
def test_after_logout_the_home_page_asks_to_sign_in(client, users, remember):
    sign_in(client, remember=remember)
    assert signed_in(client)
    resp = client.post("/auth/logout")
    assert resp.status_code == 302
    assert not signed_in(client)
    assert client.get_cookie("remember_token") is None


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_stops_working_after_logout(app, client, users, cookie):
    sign_in(client, remember=True)
    thief = copy_of(app, client, cookie)
    assert signed_in(thief)
    client.post("/auth/logout")
    assert not signed_in(thief)


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, users):
    sign_in(client, remember=True)
    other = copy_of(app, client, "session")
    other_remembered = copy_of(app, client, "remember_token")
    resp = client.post("/auth/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    assert signed_in(client)
    assert not signed_in(other) and not signed_in(other_remembered)
    # This browser's new remember cookie works on its own.
    assert signed_in(copy_of(app, client, "remember_token"))
    assert users["staff"].check_password(NEW_PASSWORD)


def test_admin_reset_ends_the_users_sessions(app, client, users, login):
    sign_in(client, remember=True)
    stolen = copy_of(app, client, "session", "remember_token")
    admin = app.test_client()
    sign_in(admin, "admin")
    staff = users["staff"]
    resp = admin.post(f"/admin/users/{staff.id}/edit", data={
        "username": staff.username, "display_name": staff.display_name, "role": "staff",
        "department_id": 0, "is_enabled": "y", "password": NEW_PASSWORD})
    assert resp.status_code == 302
    assert not signed_in(client) and not signed_in(stolen)


def test_disabling_a_user_ends_the_users_sessions(app, client, users):
    sign_in(client, remember=True)
    admin = app.test_client()
    sign_in(admin, "admin")
    staff = users["staff"]
    resp = admin.post(f"/admin/users/{staff.id}/edit", data={
        "username": staff.username, "display_name": staff.display_name, "role": "staff", "department_id": 0})
    assert resp.status_code == 302
    assert not signed_in(client)
    # Enabled again, the old cookies still do not come back to life.
    staff.is_enabled = True
    db.session.commit()
    assert not signed_in(client)


def test_remember_cookie_lasts_at_most_14_days_and_is_secure_with_the_session_cookie(app, client, users,
                                                                                      monkeypatch):
    secure = replace(app.extensions["settings"], SESSION_COOKIE_SECURE=True).flask_config()
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "REMEMBER_COOKIE_DURATION"):
        monkeypatch.setitem(app.config, key, secure[key])
    resp = client.post("/auth/login", base_url="https://localhost",
                       data={"username": "staff", "password": PASSWORD, "remember": "y"})
    assert resp.status_code == 302
    remember = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "Secure" in remember and "HttpOnly" in remember
    expires = parsedate_to_datetime(remember.split("Expires=")[1].split(";")[0])
    assert expires <= datetime.now(UTC) + timedelta(days=14, minutes=1)
