"""Administrators manage accounts; every change is audited; bad input saves nothing."""
from crm.extensions import db
from crm.models import AuditEvent, User


def test_admin_creates_an_officer_with_a_department(client, login, users):
    login("admin")
    dept = users["officer"].department
    resp = client.post("/admin/users/new", data={
        "username": "zhao", "display_name": "赵强", "role": "officer", "department_id": dept.id,
        "password": "long-enough-1", "is_enabled": "y"})
    assert resp.status_code == 302
    user = User.query.filter_by(username="zhao").one()
    assert user.department_id == dept.id and user.check_password("long-enough-1")
    assert AuditEvent.query.filter_by(object_type="User", object_id=user.id, action="create").count() == 1
    assert "password_hash" not in AuditEvent.query.filter_by(object_id=user.id).first().changes


def test_officer_without_department_is_refused_and_nothing_saved(client, login, users):
    login("admin")
    resp = client.post("/admin/users/new", data={
        "username": "nodept", "display_name": "无部门", "role": "officer", "department_id": 0,
        "password": "long-enough-1"})
    assert resp.status_code == 200 and "必须选择所属部门" in resp.get_data(as_text=True)
    assert User.query.filter_by(username="nodept").count() == 0


def test_duplicate_username_and_bad_characters_are_refused(client, login, users):
    login("admin")
    for name in ("staff", "<script>"):
        resp = client.post("/admin/users/new", data={
            "username": name, "display_name": "x", "role": "staff", "department_id": 0, "password": "long-enough-1"})
        assert resp.status_code == 200
    assert User.query.count() == 4


def test_role_change_is_audited_old_to_new(client, login, users):
    login("admin")
    staff = users["staff"]
    resp = client.post(f"/admin/users/{staff.id}/edit", data={
        "username": "staff", "display_name": staff.display_name, "role": "leader", "department_id": 0,
        "is_enabled": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    event = AuditEvent.query.filter_by(object_type="User", object_id=staff.id, action="update").one()
    assert event.changes["role"] == ["staff", "leader"] and event.actor_id == users["admin"].id


def test_the_english_user_pages_name_departments_in_english(client, login, users):
    users["officer"].department.name_en = "Bureau of Industry, Information Technology and Science"
    db.session.commit()
    login("admin")
    client.get("/lang/en")
    assert "<td>Bureau of Industry, Information Technology and Science</td>" in client.get(
        "/admin/users").get_data(as_text=True)
    assert ">Bureau of Industry, Information Technology and Science</option>" in client.get(
        "/admin/users/new").get_data(as_text=True)


def test_users_cli_creates_an_account(app, users):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--username", "li", "--role", "officer", "--department", "工信科局",
        "--password", "cli-password-1"])
    assert result.exit_code == 0, result.output
    assert User.query.filter_by(username="li").one().department.name == "工信科局"


def test_users_cli_refuses_an_unknown_department(app, users):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--username", "li2", "--role", "officer", "--department", "不存在局",
        "--password", "cli-password-1"])
    assert result.exit_code != 0 and "未知部门" in result.output
