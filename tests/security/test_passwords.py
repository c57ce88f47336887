"""One password rule (crm/services/accounts/passwords.py) for the admin form, the admin reset, the user's
own change and `flask users create`: at least 10 characters, not common, not guessable."""
import pytest

from crm.models import User
from crm.services.accounts.passwords import password_problem
from tests.factories import PASSWORD

WEAK = ["12345678", "password", "123456789x", "1234567890", "admin12345", "zhaoshang2024", "suifenhe123",
        "qwertyuiop", "staffstaff1"]
GOOD = "Hafen-Birke-Quarz-77"


@pytest.mark.parametrize("weak", WEAK)
def test_short_common_and_guessable_passwords_are_refused(app, weak):
    assert password_problem(weak, username="staff") is not None


def test_the_users_own_names_count_as_guessable(app):
    assert password_problem("wangjianguo1", username="wangjianguo") is not None
    assert password_problem("wangjianguo1", username="other") is None  # weak only as that user's own name
    assert password_problem(GOOD, username="staff") is None


def test_admin_form_refuses_a_weak_password_and_saves_nothing(client, login):
    login("admin")
    resp = client.post("/admin/users/new", data={
        "username": "newbie", "display_name": "新人", "role": "staff", "department_id": 0,
        "is_enabled": "y", "password": "12345678"})
    assert resp.status_code == 200
    assert "密码至少需要 10 个字符" in resp.get_data(as_text=True)
    assert User.query.filter_by(username="newbie").count() == 0
    resp = client.post("/admin/users/new", data={
        "username": "newbie", "display_name": "新人", "role": "staff", "department_id": 0,
        "is_enabled": "y", "password": "newbie123456"})
    assert "太常见或太容易猜到" in resp.get_data(as_text=True)
    assert User.query.filter_by(username="newbie").count() == 0


def test_admin_reset_refuses_a_weak_password(client, login, users):
    login("admin")
    staff = users["staff"]
    resp = client.post(f"/admin/users/{staff.id}/edit", data={
        "username": "staff", "display_name": staff.display_name, "role": "staff", "department_id": 0,
        "is_enabled": "y", "password": "password12"})
    assert resp.status_code == 200 and "太常见或太容易猜到" in resp.get_data(as_text=True)
    assert staff.check_password(PASSWORD)


def test_own_password_change_checks_the_current_password_the_rule_and_the_repeat(client, login, users):
    login("staff")
    assert "当前密码" in client.get("/auth/password").get_data(as_text=True)

    def change(current, new, confirm=None):
        return client.post("/auth/password", data={"current_password": current, "new_password": new,
                                                   "confirm": new if confirm is None else confirm})
    assert "当前密码不正确" in change("wrong", GOOD).get_data(as_text=True)
    assert "太常见或太容易猜到" in change(PASSWORD, "1234567890").get_data(as_text=True)
    assert "不一致" in change(PASSWORD, GOOD, GOOD + "x").get_data(as_text=True)
    assert users["staff"].check_password(PASSWORD)
    assert change(PASSWORD, GOOD).status_code == 302
    assert users["staff"].check_password(GOOD)


def test_own_password_change_speaks_english_in_the_english_ui(client, login):
    login("staff")
    client.get("/lang/en")
    html = client.post("/auth/password", data={"current_password": PASSWORD, "new_password": "short",
                                               "confirm": "short"}).get_data(as_text=True)
    assert "at least 10 characters" in html


def test_the_user_menu_links_to_the_password_change(client, login):
    login("officer")
    assert 'href="/auth/password"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("weak", ["12345678", "123456789x"])
def test_cli_refuses_a_weak_password(app, weak):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--username", "cliuser", "--role", "staff", "--password", weak])
    assert result.exit_code != 0
    assert "密码" in result.output
    assert User.query.filter_by(username="cliuser").count() == 0


def test_cli_accepts_a_strong_password(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--username", "cliuser", "--role", "staff", "--password", GOOD])
    assert result.exit_code == 0, result.output
    assert User.query.filter_by(username="cliuser").one().check_password(GOOD)
