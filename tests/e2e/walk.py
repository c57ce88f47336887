"""The walk over every page of the app that the browser sweeps share (words, phone width): the
GET routes of app.url_map with the URL arguments of tests/access_policy.py's SAMPLES, so a new
page joins every sweep by itself, and records whose words or widths used to break a page."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import url_for

from crm.extensions import db
from tests import factories
from tests.access_policy import SAMPLES

ROLES = ("admin", "staff", "officer", "leader")
# The JSON API (token only), the language switch (it would turn the walk English) and static files.
SKIPPED = ("static", "main.set_language")


def page_urls(app, users) -> list[str]:
    args = {name: make(users) for name, make in SAMPLES.items()}
    urls = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in SKIPPED or rule.endpoint.startswith("api."):
                continue
            urls.append(url_for(rule.endpoint, **{name: args[name] for name in rule.arguments}))
    return urls


def rich_data(users) -> list[str]:
    """Records whose words used to leak: a 10 亿元 project with history, projects with no amount;
    the pages that show them besides the samples'."""
    big = factories.project(name="十亿元生物医药产业园项目", total_investment=Decimal("100000"),
                            lead_department=users["officer"].department, owner=users["staff"])
    big.total_investment = Decimal("120000")
    for _ in range(3):
        factories.project(total_investment=None)
    factories.problem(factories.project(lead_department=users["officer"].department),
                      deadline=date(2026, 12, 31))
    db.session.commit()
    return [f"/projects/{big.id}", f"/projects/{big.id}/edit"]


def html_pages(visit_page, urls):
    """Open each url that answers 200 with HTML (others are downloads, redirects or refusals)
    and yield it once the page has loaded."""
    for url in urls:
        answer = visit_page.page.request.get(visit_page.base + url, max_redirects=0)
        if answer.status != 200 or not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        visit_page.go(url)
        yield url
