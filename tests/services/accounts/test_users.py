"""Account rules (services/accounts/users.py): one set of refusals for the admin pages and the CLI,
each a RuleError with its field and code, and nothing changed when refused."""
import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from crm.extensions import db
from crm.models import User
from crm.services.accounts import users
from crm.services.core.errors import RuleError
from crm.web import attach
from tests import factories


def _values(**kw):
    return {"username": "wang", "display_name": "王", "role": "staff", "department_id": None, **kw}


@pytest.mark.parametrize("values, password, field, code", [
    (_values(username="taken"), "long-enough-1", "username", "username_taken"),
    (_values(role="officer"), "long-enough-1", "department_id", "department_required"),
    (_values(), None, "password", "password_required"),
])
def test_a_refusal_names_its_field_and_code_and_saves_nothing(app, values, password, field, code):
    factories.user(username="taken")
    with pytest.raises(users.AccountError) as refused:
        users.save(User(), values, password=password)
    assert isinstance(refused.value, RuleError)
    assert (refused.value.field, refused.value.code) == (field, code) and refused.value.message
    db.session.rollback()
    assert User.query.filter_by(username=values["username"]).count() == (values["username"] == "taken")


def test_an_edit_keeps_its_own_username_and_needs_no_new_password(app):
    user = factories.user(username="keep", role="staff")
    users.save(user, {"display_name": "新名字"})
    db.session.commit()
    assert db.session.get(User, user.id).display_name == "新名字"


def test_the_cli_refuses_with_the_rules_words(app):
    factories.user(username="taken")
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--username", "taken", "--role", "staff", "--password", "cli-password-1"])
    assert result.exit_code != 0 and "用户名已被使用" in result.output


def test_attach_puts_each_message_under_its_field_or_flashes_it(app):
    class Form(FlaskForm):
        username = StringField()

    with app.test_request_context("/"):
        form = Form(meta={"csrf": False})
        attach(form, RuleError(errors={"username": "用户名已被使用。", None: "整体不通过。"}))
        assert form.username.errors == ["用户名已被使用。"]
        assert get_flashed_messages(with_categories=True) == [("danger", "整体不通过。")]
