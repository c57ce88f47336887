"""The timeline box of a record page (project, enterprise): the kinds ticked in the query
string (?kind=…, all when none), its page (?tl_page=), and links that keep both."""
from __future__ import annotations

from flask import request, url_for

from crm.services import timeline


def box(subject_type: str, subject_id: int, endpoint: str, **url_args) -> dict:
    """What templates/_timeline.html reads: page, kinds (kind → label), wanted, subject, filter url."""
    offered = timeline.kinds(subject_type)
    wanted = timeline.chosen_kinds(request.args.getlist("kind"), subject_type)
    kept = wanted if len(wanted) < len(offered) else []  # all ticked: a clean URL

    def url(number: int) -> str:
        return url_for(endpoint, **url_args, kind=kept, tl_page=number, _anchor="timeline")

    subject = timeline.Subject(subject_type, subject_id)
    return {"page": timeline.page(subject, wanted, request.args.get("tl_page"), url), "kinds": offered,
            "wanted": wanted, "subject": subject, "action": url_for(endpoint, **url_args, _anchor="timeline")}
