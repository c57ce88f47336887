"""The OpenAPI 3.1 document of the JSON API, generated from the code, and its reference page.

apispec builds it: each view's @operation (summary, query parameters, body and response
schemas) plus the marshmallow schemas of crm/api/schemas.py, so the document cannot drift from
what the views accept and answer.  (apispec rather than APIFlask or flask-smorest: APIFlask
documents only an APIFlask app, not our Flask app factory's; flask-smorest installs JSON error
handlers for the whole app, which would answer the HTML pages' errors in JSON.)

The reference page renders the document with Redoc, served from crm/static/vendor/redoc.
"""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, render_template, request

from crm.api import auth
from crm.api.http import DEFAULT_LIMIT, MAX_LIMIT
from crm.api.schemas import Money, ProblemSchema, UtcDateTime
from crm.models.enterprise import ENTERPRISE_STATUSES, ENTERPRISE_TAGS
from crm.models.project import STAGES
from crm.services.core.ids import ID_MAX

VERSION = "1.0.0"


def q(name: str, description: str, **schema) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


PAGING = [
    q("cursor", "next_cursor of the previous page"),
    q("limit", "rows per page", type="integer", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT),
]
# The list pages' filters, with the same names; values the page would ignore are ignored here too.
PROJECT_FILTERS = [
    q("q", "name contains (Chinese, English or Russian)"),
    q("sector", "sector id"), q("stage", "stage", enum=list(STAGES)), q("park", "park id"),
    q("department", "department id (牵头 or 责任)"), q("task_force", "专班 id"),
    q("key", "1, 0, province or city"), q("pool", "1 in the reserve pool, 0 out"),
    q("pool_review", "the pool as it stood at this quarterly review (id)"),
]
ENTERPRISE_FILTERS = [
    q("q", "name, short name, credit code or foreign name contains"), q("sector", "sector id"),
    q("region", "region starts with"), q("tag", "tag", enum=list(ENTERPRISE_TAGS)),
    q("owner", "owner (user id)"), q("status", "status", enum=list(ENTERPRISE_STATUSES)),
]


def query_dict() -> dict:
    return request.args.to_dict()


def enterprise_filters() -> dict:
    """The enterprise list page's own reading of the query string."""
    from crm.enterprises.views import _filters
    return _filters()


def operation(summary: str, description: str, *, tag: str, response, query=(), body=None, status: int = 200,
              etag: bool = False, if_match: bool | None = None, write: bool = False):
    """Declare a view's OpenAPI operation; crm/api/spec.document() reads it off the view."""
    def decorator(view):
        view.api_operation = {"summary": summary, "description": description, "tag": tag, "response": response,
                              "query": list(query), "body": body, "status": status, "etag": etag,
                              "if_match": if_match, "write": write}
        return view
    return decorator


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {"schema": "Problem"}}}


def _operation(endpoint: str, rule, meta: dict) -> dict:
    params = [{"name": arg, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX}}
              for arg in sorted(rule.arguments)] + meta["query"]
    if meta["if_match"] is not None:
        params.append({"name": "If-Match", "in": "header", "required": meta["if_match"], "schema": {"type": "string"},
                       "description": "the ETag of the version read"})
    headers = {"ETag": {"schema": {"type": "string"}}}
    responses = {str(meta["status"]): {"description": "OK", "headers": headers,
                                       "content": {"application/json": {"schema": meta["response"]}}},
                 "401": _problem("no valid token"), "429": _problem("rate limit: wait Retry-After seconds")}
    if meta["write"]:
        responses["403"] = _problem("a read-only token, or the access rules refuse")
    if rule.arguments:
        responses["404"] = _problem("no such record")
    if meta["query"]:
        responses["400"] = _problem("unusable cursor or limit")
    if "GET" in rule.methods:
        responses["304"] = {"description": "not modified (If-None-Match)"}
    if meta["body"] is not None:
        responses.update({"400": _problem("not a JSON object"), "415": _problem("not JSON"),
                          "422": _problem("input refused: a message per field")})
    if meta["if_match"] is not None:
        responses["412"] = _problem("the record changed since it was read")
        if meta["if_match"]:
            responses["428"] = _problem("If-Match missing")
    op = {"operationId": endpoint.split(".", 1)[1], "summary": meta["summary"], "description": meta["description"],
          "tags": [meta["tag"]], "parameters": params, "responses": responses}
    if meta["body"] is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta["body"]}}}
    return op


def document() -> dict:
    """The OpenAPI 3.1 document of every `api.` view that declares an @operation."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="招商项目管家 API", version=VERSION, openapi_version="3.1.0", plugins=[plugin],
                   info={"description": "Personal access tokens (设置 → 接口令牌) as `Authorization: Bearer …`. "
                                        "Errors are RFC 9457 problem details in the language "
                                        "Accept-Language asks for (zh or en), else the token owner's."},
                   servers=[{"url": request.host_url.rstrip("/")}], security=[{"token": []}])
    plugin.map_to_openapi_type(Money, "string", "decimal")
    plugin.map_to_openapi_type(UtcDateTime, "string", "date-time")
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        meta = getattr(view, "api_operation", None)
        if not rule.endpoint.startswith("api.") or meta is None:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule.endpoint, rule, meta)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def register_document(bp) -> None:
    """/openapi.json and the reference page: open to anyone (they describe, they hold no data)."""
    def openapi():
        from crm.api.http import json_response
        return json_response(document())

    def reference():
        return render_template("api/reference.html")

    bp.add_url_rule("/openapi.json", "openapi", openapi)
    bp.add_url_rule("/docs", "reference", reference)
    auth.OPEN_ENDPOINTS.update({"api.openapi", "api.reference"})
