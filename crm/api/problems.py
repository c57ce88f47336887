"""Errors of the JSON API as RFC 9457 problem details (application/problem+json).

One shape for every refusal: `type` (a stable URI naming the kind), `title` and `detail` in the
caller's language (Accept-Language, else the token owner's: crm/i18n.py), `status`, and for
refused input `errors` mapping each field to the same message the web form shows.  A URL under
the API that no route matches, or a method a route does not take, is answered here too
(crm/web/__init__.py hands those over: no blueprint handler sees a request that matched no rule).
"""
from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from crm.extensions import db
from crm.i18n import current_lang
from crm.i18n import gettext as _

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://crm.invalid/problems/"  # names, not pages: clients compare them, nobody opens them


def _titles() -> dict[int, str]:
    return {
        400: _("请求无效"), 401: _("需要接口令牌"), 403: _("没有权限"), 404: _("未找到"), 405: _("方法不允许"),
        406: _("不支持的响应格式"), 409: _("冲突"), 412: _("记录已被修改"), 413: _("内容过大"),
        415: _("不支持的内容格式"), 422: _("内容未通过检查"), 428: _("缺少 If-Match 请求头"),
        429: _("请求过于频繁"), 500: _("服务器内部错误"),
    }


KINDS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
         406: "not-acceptable", 409: "conflict", 412: "precondition-failed", 413: "too-large",
         415: "unsupported-media-type", 422: "validation", 428: "precondition-required", 429: "rate-limited",
         500: "server-error"}


class Problem(Exception):
    """Raised by API views and helpers; answered as problem+json."""

    def __init__(self, status: int, detail: str | None = None, errors: dict | None = None, headers: dict | None = None):
        super().__init__(detail or str(status))
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers or {}


def response(status: int, detail: str | None = None, errors: dict | None = None, headers: dict | None = None):
    body = {"type": TYPE_BASE + KINDS.get(status, "error"), "title": _titles().get(status, str(status)),
            "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = {key: str(message) for key, message in errors.items()}
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = MEDIA_TYPE
    resp.headers.update(headers or {})
    # The texts follow Accept-Language: a cache must not hand one caller's language to another.
    resp.headers["Content-Language"] = "en" if current_lang() == "en" else "zh-CN"
    resp.vary.add("Accept-Language")
    return resp


def _from_problem(error: Problem):
    db.session.rollback()
    return response(error.status, error.detail, error.errors, error.headers)


def from_http(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    headers = {}
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return response(status, headers=headers)


def _from_crash(error: Exception):
    db.session.rollback()
    from flask import current_app
    current_app.logger.exception("API call failed", exc_info=error)
    return response(500)


def register(bp) -> None:
    bp.register_error_handler(Problem, _from_problem)
    # By code as well: Flask looks a handler up by class, blueprint before app, code before
    # class, so the app's HTML page for e.g. 429 would win over a handler for HTTPException.
    for code in KINDS:
        if code != 500:
            bp.register_error_handler(code, from_http)
    bp.register_error_handler(HTTPException, from_http)
    bp.register_error_handler(Exception, _from_crash)
