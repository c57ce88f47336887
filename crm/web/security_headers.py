"""The browser-side hardening headers on every response, through Flask-Talisman.

Content-Security-Policy, X-Frame-Options, X-Content-Type-Options and Referrer-Policy come from
the app itself, so they hold behind any proxy (the README's nginx example repeats them).  HTTPS
is forced, with HSTS, exactly when the session cookie is Secure: an installation behind TLS sets
SESSION_COOKIE_SECURE, while `make run` and the tests stay on plain HTTP.
"""
from __future__ import annotations

from functools import wraps

from flask import Flask
from flask_talisman import Talisman

# Scripts only from our own files (crm/static/js, crm/static/vendor): no inline script, no
# handler attribute, no eval.  Data a script needs travels in data-* attributes or in a
# <script type="application/json"> block, which the browser never executes.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Style sheets and <style> elements only from our own files.  Style *attributes* stay
    # allowed (style-src-attr): the templates draw progress bars and markers from data
    # (style="width: 40%"), and ECharts builds its tooltips as HTML with style attributes.
    # A style attribute cannot run script; only these attributes are let through.
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    # data: for the small SVG icons inside Bootstrap's CSS (select arrows, the menu button).
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

# Same-origin only: the full address is sent within the app (the language switch returns to
# the referring page; Flask-WTF checks the Referer of every form posted over HTTPS, so
# "no-referrer" would refuse them all) and nothing at all to another site.
REFERRER_POLICY = "same-origin"

# Views with their own framing rules.  The digest preview is shown in an <iframe> of our own
# admin page and sets its own, stricter CSP (crm/liaison_admin/views.py): keep that one.
FRAMED_BY_OUR_PAGES = {"digest.preview_html"}
# The API reference: Redoc (vendored) injects its styles as <style> elements at run time and
# runs its search in a worker made from a blob: URL.  Scripts stay 'self' only.
REFERENCE_PAGES = {"api.reference"}
REFERENCE_POLICY = {**CONTENT_SECURITY_POLICY, "style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"}
# A load balancer or monitor asks the web process directly over plain HTTP.
PLAIN_HTTP_OK = {"main.health"}


def init_app(app: Flask) -> Talisman:
    """Bind the headers to `app`; call after the blueprints are registered.

    One Talisman per app, kept in app.extensions: a shared instance would hold the options of
    the last app it was bound to (the tests build apps with different settings).
    """
    secure = bool(app.config["SESSION_COOKIE_SECURE"])
    talisman = Talisman()
    talisman.init_app(
        app,
        force_https=secure,
        strict_transport_security=secure,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy=REFERRER_POLICY,
        # Talisman rewrites the session cookie settings; hand it back crm/config.py's own.
        session_cookie_secure=secure,
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
    for endpoint in FRAMED_BY_OUR_PAGES:
        _view_options(app, endpoint, talisman, frame_options="SAMEORIGIN", content_security_policy=None)
    for endpoint in REFERENCE_PAGES:
        _view_options(app, endpoint, talisman, content_security_policy=REFERENCE_POLICY)
    for endpoint in PLAIN_HTTP_OK:
        _view_options(app, endpoint, talisman, force_https=False)
    app.extensions["talisman"] = talisman
    return talisman


def _view_options(app: Flask, endpoint: str, talisman: Talisman, **options) -> None:
    """Give one view of this app its own Talisman options.

    Talisman keeps them on the view function and fills in its defaults there, so the view is
    wrapped per app: another app bound with other settings keeps its own.
    """
    view = app.view_functions[endpoint]

    @wraps(view)
    def per_app(*args, **kwargs):
        return view(*args, **kwargs)

    app.view_functions[endpoint] = talisman(**options)(per_app)
