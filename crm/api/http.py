"""HTTP details of the JSON API: JSON bodies in and out, ETags and preconditions, cursors.

ETags are a digest of the body, and the body holds stored values only (crm/api/schemas.py), so
a record's ETag changes exactly when its serialized fields do, whether or not the model has a
version column.  A write that names an ETag (If-Match) goes through only if the record still
has it: a stale one gets 412, so nobody overwrites a change they have not seen.
"""
from __future__ import annotations

import base64
import hashlib
import json

from flask import current_app, request
from marshmallow import Schema
from marshmallow import ValidationError as SchemaError

from crm.api.problems import Problem
from crm.i18n import gettext as _

DEFAULT_LIMIT = 20  # the web lists' page size: most clients read the newest few
MAX_LIMIT = 200


def _canonical(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def etag_of(data) -> str:
    return hashlib.sha256(_canonical(data)).hexdigest()[:32]


def json_response(data, status: int = 200, *, etag: bool = True, headers: dict | None = None):
    """`data` as JSON with its ETag; a GET whose If-None-Match names that ETag gets 304."""
    resp = current_app.response_class(_canonical(data), status=status, mimetype="application/json")
    if etag:
        resp.set_etag(etag_of(data))
        if request.method == "GET" and status == 200:
            resp.make_conditional(request)
    resp.headers.update(headers or {})
    return resp


def check_if_match(current, required: bool) -> None:
    """Refuse a write whose If-Match names another version of the record than `current` (its body)."""
    if not request.if_match:
        if required:
            raise Problem(428, _("修改前请先读取该记录，并在 If-Match 请求头中带上它的 ETag。"))
        return
    if not request.if_match.contains(etag_of(current)) and not request.if_match.star_tag:
        raise Problem(412, _("该记录在您读取之后已被他人修改，请重新读取后再提交。"))


def _field_message(messages) -> str:
    """marshmallow's English message for a field, said as the web forms say it."""
    text = " ".join(m if isinstance(m, str) else json.dumps(m, ensure_ascii=False) for m in
                    (messages if isinstance(messages, list) else [messages]))
    if "Missing data for required field" in text:
        return _("此项必填。")
    if "Unknown field" in text:
        return _("不认识的字段。")
    return _("格式不正确。")


def _has_nul(value) -> bool:
    """A NUL character anywhere: PostgreSQL refuses it in text, so it is refused here, as input."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def load_body(schema: Schema) -> dict:
    """The JSON body checked against `schema`; 415 for another media type, 422 with a message per field."""
    if not request.is_json:
        raise Problem(415, _("请求内容须为 JSON（Content-Type: application/json）。"))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Problem(400, _("请求内容须为 JSON 对象。"))
    if _has_nul(data):
        raise Problem(422, _("请求内容含有不允许的字符。"))
    try:
        return schema.load(data)
    except SchemaError as error:
        errors = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise Problem(422, _("请修正以下字段后重试。"),
                      errors={key: _field_message(value) for key, value in errors.items()}) from None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def page_args() -> tuple[int | None, int]:
    """(the id after which the page starts, or None for the first page; rows per page) from ?cursor and ?limit."""
    raw_limit = request.args.get("limit", "")
    if raw_limit and (not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT):
        raise Problem(400, _("limit 须为 1–%(max)s 的整数。", max=MAX_LIMIT))
    limit = int(raw_limit) if raw_limit else DEFAULT_LIMIT
    raw = request.args.get("cursor", "")
    if not raw:
        return None, limit
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        kind, value = text.split(":")
        if kind != "id" or not value.isdigit() or not 0 < int(value) < 2**31:
            raise ValueError
    except ValueError:
        raise Problem(400, _("分页游标无效，请从第一页重新读取。")) from None
    return int(value), limit


def page_of(rows: list, limit: int, dump) -> dict:
    """{"items", "next_cursor"} from rows fetched with limit + 1 (the extra row says there is more)."""
    shown = rows[:limit]
    more = len(rows) > limit
    return {"items": [dump(row) for row in shown], "next_cursor": encode_cursor(shown[-1].id) if more else None}
