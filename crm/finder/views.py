"""The top bar's search: /search/suggest answers the dropdown as the user types (JSON), /search
is the full results page (Enter without a choice, or no JavaScript).  The rules are in
services/finder.py; here each hit gets its page's address and each group its heading."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_login import current_user

from crm.i18n import lazy_gettext as _l
from crm.i18n import lazy_pgettext as _p
from crm.services import finder

bp = Blueprint("finder", __name__, url_prefix="/search")

KIND_LABELS = {"enterprises": _p("nav", "企业"), "projects": _p("nav", "项目"), "contacts": _l("联系人"),
               "users": _l("用户")}
# Where a group's "more" leads: the kind's own list, filtered by the same term.
LIST_ENDPOINTS = {"enterprises": "enterprises.index", "projects": "projects.index"}


def hit_url(hit: finder.Hit) -> str:
    if hit.kind == "enterprises":
        return url_for("enterprises.detail", enterprise_id=hit.id)
    if hit.kind == "projects":
        return url_for("projects.detail", project_id=hit.id)
    if hit.kind == "contacts":
        return url_for("enterprises.detail", enterprise_id=hit.enterprise_id, _anchor=f"contact-{hit.id}")
    return url_for("admin.user_edit", user_id=hit.id)


def _groups(found: finder.Found) -> list[dict]:
    return [{"kind": kind, "label": str(KIND_LABELS[kind]), "more": found.more.get(kind, False),
             "more_url": url_for(LIST_ENDPOINTS[kind], q=found.q) if kind in LIST_ENDPOINTS else None,
             "items": [{"title": h.title, "detail": h.detail, "url": hit_url(h)} for h in hits]}
            for kind, hits in found.groups.items()]


@bp.route("/suggest")
def suggest():
    found = finder.find(current_user, request.args.get("q"))
    return jsonify(q=found.q, groups=[g for g in _groups(found) if g["items"]],
                   all_url=url_for("finder.results", q=found.q))


@bp.route("")
def results():
    found = finder.find(current_user, request.args.get("q"), limit=finder.PAGE_LIMIT)
    return render_template("finder/results.html", found=found, groups=_groups(found), MIN_CHARS=finder.MIN_CHARS)
