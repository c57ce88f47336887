"""The browser tests' shared parts: Debian chromium driven by Playwright, the app on a real
threaded WSGI server (CSRF on, as in production), and a page that records what it requested and
every script error."""
from __future__ import annotations

import shutil
import threading
from urllib.parse import urlsplit

import pytest
from playwright import sync_api
from werkzeug.serving import make_server

from tests import factories

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:  # Debian chromium is not installed (.ci/run installs it): nothing here can run
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, csrf_enabled):
    """The test app on a free localhost port, one thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


class Visit:
    """A browser page on the live server that records every request it makes and every
    script error, so a test can assert that nothing left the machine or broke."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.hosts: set[str] = set()
        self.errors: list[str] = []
        self.statuses: list[tuple[int, str]] = []
        page.on("request", lambda request: self.hosts.add(urlsplit(request.url).netloc))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", lambda response: self.statuses.append((response.status, response.url)))
        page.set_default_timeout(10_000)

    def go(self, path: str):
        return self.page.goto(self.base + path)

    def sign_in(self, user) -> None:
        self.go("/auth/login")
        self.page.fill("input[name=username]", user.username)
        self.page.fill("input[name=password]", factories.PASSWORD)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_url(lambda url: "/auth/login" not in url)

    def assert_clean(self) -> None:
        assert self.hosts == {urlsplit(self.base).netloc}, f"requests left the app: {self.hosts}"
        assert not self.errors, self.errors
        assert not [s for s in self.statuses if s[0] >= 500], self.statuses


@pytest.fixture
def visit(browser, live_server):
    contexts = []

    def _open(viewport=None, **options) -> Visit:
        """options: more of browser.new_context's, e.g. has_touch=True for a phone's touch screen."""
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN", **options)
        contexts.append(context)
        return Visit(context.new_page(), live_server)

    yield _open
    for context in contexts:
        context.close()
