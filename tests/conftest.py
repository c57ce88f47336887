"""Shared fixtures: one app per test session on SQLite (or PostgreSQL when
TEST_DATABASE_URL is set), tables emptied after every test, a logged-in client per role,
and a counter of SQL statements.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from crm import create_app
from crm.config import Settings
from crm.extensions import db
from tests import factories


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def settings(instance_dir) -> Settings:
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance_dir / 'test.sqlite'}"
    return Settings.from_env(
        DATABASE_URL=url, SECRET_KEY="test-secret", TESTING=True, instance_path=instance_dir,
        BASE_URL="http://crm.test", REDIS_URL=os.environ.get("TEST_REDIS_URL", ""), SMTP_HOST="")


class Client(FlaskClient):
    """Test client for an app whose context stays pushed for the whole test.

    Flask reuses an active app context for test requests, so `g` (where Flask-Login caches
    the current user and Flask-WTF the CSRF token) would leak from one request to the next;
    empty it before each one, as a real server's fresh context would be.
    """

    def open(self, *args, **kwargs):
        for key in list(g):
            g.pop(key)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(settings):
    app = create_app(settings)
    app.test_client_class = Client
    # Most tests post forms directly; tests of CSRF itself use the `csrf_enabled` fixture.
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Empty every table after a test that used the database, so tests never see each other."""
    yield
    if "app" not in request.fixturenames:
        return
    db.session.rollback()
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def users(app):
    """One user per role (officer in 工信科局)."""
    return factories.role_users()


@pytest.fixture
def login(client, users):
    """login("staff") signs the client in as that role's user and returns the user."""
    def _login(role_or_user):
        user = users[role_or_user] if isinstance(role_or_user, str) else role_or_user
        with client.session_transaction() as sess:
            sess.clear()
        resp = client.post("/auth/login", data={"username": user.username, "password": factories.PASSWORD})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return user
    return _login


def csrf_token(client, url: str) -> str:
    """The CSRF token embedded in a page's form (tests post with CSRF on, like a browser)."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no csrf token on {url}"
    return match.group(1)


class StatementCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements():
    counter = StatementCounter()

    def _before(conn, cursor, statement, parameters, context, executemany):
        counter.statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        yield counter
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)


@pytest.fixture
def statements():
    return count_statements
