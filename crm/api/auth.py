"""Who calls the JSON API: a personal access token, and nothing else.

A session cookie does not authenticate here (so there is no CSRF surface): the blueprint sets
Flask-Login's user from the Bearer token before any view runs.  Each token has its own rate
limit, counted by Flask-Limiter's strategy in the app's Redis once the token is known (a call
without a valid token is answered 401 and counts against nobody), and each authenticated call
leaves an audit row naming the token.
"""
from __future__ import annotations

import time

from flask import current_app, g, request
from flask_login import AnonymousUserMixin
from limits import parse

from crm.api import problems
from crm.api.problems import Problem
from crm.extensions import db, limiter
from crm.i18n import gettext as _
from crm.services.api import tokens
from crm.services.core.clock import utcnow

# Endpoints anyone may read without a token: the API's own description.
OPEN_ENDPOINTS: set[str] = set()


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def _check_rate(token) -> None:
    """Count the call against its token; past API_RATE_LIMIT: 429 with Retry-After.  Redis down:
    the call goes through (the limit is a guard, not a rule)."""
    item = parse(current_app.extensions["settings"].API_RATE_LIMIT)
    try:
        if limiter.limiter.hit(item, "api-token", str(token.id)):
            return
        reset_at = limiter.limiter.get_window_stats(item, "api-token", str(token.id)).reset_time
    except Exception:  # any storage failure
        current_app.logger.warning("API rate limit not checked", exc_info=True)
        return
    raise Problem(429, _("调用次数超过限额，请稍后再试。"),
                  headers={"Retry-After": str(max(1, int(reset_at - time.time()) + 1))})


def _authenticate():
    g._login_user = AnonymousUserMixin()  # never the session's user
    g.api_token = None
    if request.endpoint in OPEN_ENDPOINTS:
        return
    token = tokens.authenticate(_bearer())
    if token is None:
        raise Problem(401, _("请在 Authorization 请求头中提供有效的接口令牌（Bearer）。"),
                      headers={"WWW-Authenticate": 'Bearer realm="crm-api"'})
    g.api_token, g._login_user = token, token.user
    _check_rate(token)
    if not tokens.allows(token, request.method):
        raise Problem(403, _("该令牌为只读，不能修改数据。"))
    return


def _audit(response):
    token = g.get("api_token")
    if token is not None:
        try:
            tokens.record_call(token, request.method, request.full_path.rstrip("?"), response.status_code, utcnow())
            db.session.commit()
        except Exception:  # the call's own work is committed already; its audit row must not turn it into a 500
            db.session.rollback()
            current_app.logger.exception("API call audit failed")
    return response


def answer_unrouted(error):
    """An API URL that no route takes (404) or not with this method (405): problem+json like any
    API error, and with a valid token in the owner's language and audited like any call."""
    g.api_token = tokens.authenticate(_bearer())
    return _audit(problems.from_http(error))


def init_blueprint(bp) -> None:
    bp.before_request(_authenticate)
    bp.after_request(_audit)
