"""The hardening headers (crm/web/security_headers.py) on real responses, and templates that keep
the Content-Security-Policy possible: no inline script, handler, javascript: URL or <style>.

The browser-side check, that pages really run under the policy, is tests/e2e/test_csp.py.
"""
from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crm import create_app
from tests import factories

TEMPLATES = Path(__file__).resolve().parents[2] / "crm" / "templates"
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
PAGES = {
    "staff": ["/", "/enterprises/", "/projects/", "/pipeline/", "/dashboard", "/routines/ranking"],
    "officer": ["/", "/routines/dispatch", "/routines/problems"],
    "leader": ["/", "/leaders/"],
    "admin": ["/admin/", "/admin/users", "/admin/jobs/", "/admin/mail/", "/dashboard/platforms"],
}


def csp(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def assert_hardened(response) -> None:
    assert csp(response) == EXPECTED_CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_login_page_and_the_redirect_to_it_send_every_header(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert_hardened(page)
    assert "Strict-Transport-Security" not in page.headers  # plain HTTP: no HSTS, no redirect
    gate = client.get("/projects/")
    assert gate.status_code == 302 and "/auth/login" in gate.headers["Location"]
    assert_hardened(gate)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_role_s_pages_send_every_header(client, login, role):
    login(role)
    for path in PAGES[role]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_hardened(response)


def test_a_project_page_an_error_page_and_a_static_file_send_them_too(client, login, users):
    project = factories.project(owner=users["staff"])
    login("staff")
    assert_hardened(client.get(f"/projects/{project.id}"))
    missing = client.get("/projects/999999")
    assert missing.status_code == 404
    assert_hardened(missing)
    script = client.get("/static/js/page_actions.js")
    assert script.status_code == 200
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    script.close()


def test_the_digest_preview_stays_framable_by_our_own_admin_page_with_its_own_policy(client, login, users):
    login("admin")
    response = client.get(f"/admin/digest/preview/{users['staff'].id}/email.html")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    policy = csp(response)
    assert policy["frame-ancestors"] == "'self'" and policy["default-src"] == "'none'"
    assert "script-src" not in policy  # default-src 'none': no script at all in a mail preview
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The page that frames it keeps the strict policy.
    assert_hardened(client.get(f"/admin/digest/preview?user_id={users['staff'].id}"))


def test_local_and_test_setups_keep_plain_http_and_config_s_cookie_settings(app, client, csrf_enabled):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert (app.config["SESSION_COOKIE_HTTPONLY"], app.config["SESSION_COOKIE_SAMESITE"]) == (True, "Lax")
    response = client.get("/auth/login")  # the CSRF token goes into the session cookie
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.fixture
def tls_app(settings):
    """The app as installed behind TLS: SESSION_COOKIE_SECURE on."""
    secure = create_app(dataclasses.replace(settings, SESSION_COOKIE_SECURE=True))
    return secure  # CSRF on, as in production: the login page writes its token to the session


def test_behind_tls_plain_http_is_redirected_and_https_gets_hsts_and_a_secure_cookie(app, tls_app):
    client = tls_app.test_client()
    plain = client.get("/auth/login?next=%2Fprojects%2F")
    assert plain.status_code == 302
    assert plain.headers["Location"] == "https://localhost/auth/login?next=/projects/"
    assert "Strict-Transport-Security" not in plain.headers

    for response in (client.get("/auth/login", base_url="https://localhost"),
                     client.get("/auth/login", headers={"X-Forwarded-Proto": "https"})):  # nginx's header
        assert response.status_code == 200
        assert_hardened(response)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31556926")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A monitor asks the web process itself over plain HTTP: it gets the health report (503 here,
    # since no worker runs beside the test app), never a redirect to HTTPS.
    assert client.get("/healthz").status_code in (200, 503)
    # The test app beside it (another Talisman, other settings) still serves plain HTTP.
    assert app.test_client().get("/auth/login").status_code == 200
    assert app.test_client().get("/healthz").status_code in (200, 503)


class _InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block, tag by tag."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"<{tag} {name}=…>")
            if value and re.sub(r"\s", "", value).lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=\"{value}\">")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.found.append("<script> without src")


def inline_code(source: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(re.sub(r"\{#.*?#\}", "", source, flags=re.S))  # Jinja comments are never sent
    return parser.found


def test_the_checker_finds_each_kind_of_inline_code():
    assert inline_code('<button onclick="go()">') == ["<button onclick=…>"]
    assert inline_code("<form\n  onsubmit=\"return confirm('?')\">") == ["<form onsubmit=…>"]
    assert inline_code('<a href=" JavaScript:void(0)">') == ['<a href=" JavaScript:void(0)">']
    assert inline_code("<script>alert(1)</script><style>p{}</style>") == ["<script> without src", "<style>"]
    assert inline_code('<script src="/static/js/a.js"></script><script type="application/json">{}</script>'
                       '<form data-confirm="确定？"> {# <style> in a comment #}') == []


def test_no_template_holds_an_inline_script_handler_or_style_element():
    found = {str(path.relative_to(TEMPLATES)): inline_code(path.read_text(encoding="utf-8"))
             for path in sorted(TEMPLATES.rglob("*.html"))}
    assert len(found) > 50
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_readme_s_nginx_example_gives_static_files_the_app_s_headers():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    static = re.search(r"location /static/ \{(.*?)\n    \}", readme, re.S).group(1)
    headers = dict(re.findall(r'add_header ([\w-]+) "?(.*?)"? always;', static))
    policy = {part.split()[0]: " ".join(part.split()[1:]) for part in headers.pop("Content-Security-Policy").split(";")}
    assert policy == EXPECTED_CSP
    assert headers == {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
