"""Every page, for every role: `python -m bench --sweep`.

The timed pages (bench/__main__.py) are the ones staff live in; a page left out of them can
still grow with the data.  This sweep asks every GET route of the app once per role (admin,
staff, officer, leader), with its path ids taken from the data (the newest project, enterprise,
review …), and reports status, median time, bytes and SQL statements, slowest first.  It found
the project form listing 100,000 enterprises, a leader's home page sorting 1,000,000 contacts
and the dispatch table rendering 10,000 projects.

A 500 is always a failure; routes whose ids the data does not have are listed as skipped.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bench import timing

ROLES = ("admin", "staff", "officer", "leader")
# Routes that are not pages: assets, the language switch (a redirect), the bench's own references.
EXCLUDED = {"static", "main.set_language", "bench_shell", "bench_gate", "auth.logout"}
SLOW_MS = 100.0  # a page above this is listed as slow (downloads built on request are marked)
DOWNLOAD_SUFFIXES = (".xlsx", ".pdf", ".png", "/download")
QUERY = {"interactions.lookup": "?q=绥芬", "enterprises.lookup": "?q=绥芬"}


@dataclass
class SweepRow:
    role: str
    endpoint: str
    url: str
    status: int
    median_ms: float
    bytes: int
    statements: int

    @property
    def download(self) -> bool:
        return self.url.split("?")[0].endswith(DOWNLOAD_SUFFIXES)

    @property
    def server_error(self) -> bool:
        # /healthz answers 503 by design when no worker runs beside the app, as in the bench.
        return self.status >= 500 and not (self.endpoint == "main.health" and self.status == 503)


def _sample_ids() -> dict[str, object]:
    """A value for each path parameter the routes use: the newest row of its table."""
    from crm import models as m
    from crm.extensions import db
    newest = {"project_id": m.Project.id, "enterprise_id": m.Enterprise.id, "user_id": m.User.id,
              "problem_id": m.Problem.id, "report_id": m.ProgressReport.id, "review_id": m.PoolReview.id,
              "build_id": m.CatalogBuild.id, "goal_id": m.Goal.id, "platform_id": m.InnovationPlatform.id}
    values = {name: db.session.scalar(sa.select(sa.func.max(column))) for name, column in newest.items()}
    contact = db.session.execute(sa.select(m.Contact.id, m.Contact.enterprise_id)
                                 .order_by(m.Contact.id.desc()).limit(1)).first()
    report = db.session.execute(sa.select(m.ProgressReport.project_id, m.ProgressReport.month)
                                .order_by(m.ProgressReport.id.desc()).limit(1)).first()
    # Ids that belong together: a contact's own firm, a filed report's own project and month.
    values["contact"] = {"contact_id": contact.id, "enterprise_id": contact.enterprise_id} if contact else None
    values["report"] = {"project_id": report.project_id, "month": f"{report.month:%Y-%m}"} if report else None
    return values


def _url(app, rule, ids: dict) -> str | None:
    from flask import url_for
    values = {name: ids.get(name) for name in rule.arguments}
    for key, paired in (("contact_id", "contact"), ("month", "report")):
        if key in rule.arguments:
            values.update(ids.get(paired) or {key: None})
    if any(value is None for value in values.values()):
        return None
    with app.test_request_context():
        return url_for(rule.endpoint, **values) + QUERY.get(rule.endpoint, "")


def _users() -> dict[str, int]:
    from crm.extensions import db
    from crm.models import User
    return {role: user_id for role in ROLES if (user_id := db.session.scalar(
        sa.select(User.id).where(User.role == role, User.is_enabled).order_by(User.id).limit(1))) is not None}


def routes(app) -> tuple[list[tuple[str, str]], list[str]]:
    """(endpoint, url) of every GET page, and the endpoints skipped for want of an id."""
    with app.app_context():
        ids = _sample_ids()
    pages, skipped = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in EXCLUDED:
            continue
        url = _url(app, rule, ids)
        (pages.append((rule.endpoint, url)) if url else skipped.append(rule.endpoint))
    return pages, skipped


def sweep(app, engine, requests: int = 3) -> tuple[list[SweepRow], list[str]]:
    """Each page once untimed, then `requests` timed times, for each role's first user."""
    pages, skipped = routes(app)
    with app.app_context():
        users = _users()
    rows = []
    with timing.StatementLog(engine) as log:
        for role, user_id in users.items():
            client = timing.signed_in_client(app, user_id)
            for endpoint, url in pages:
                client.get(url)
                times, body, status = [], b"", 0
                for _ in range(requests):
                    log.count = 0
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    body, status = response.get_data(), response.status_code
                rows.append(SweepRow(role, endpoint, url, status, round(statistics.median(times), 1), len(body),
                                     log.count))
    return sorted(rows, key=lambda r: -r.median_ms), skipped


def markdown(rows: list[SweepRow], skipped: list[str], top: int = 25) -> str:
    lines = ["| role | page | status | median ms | KB | SQL |", "|---|---|---:|---:|---:|---:|"]
    for row in rows[:top]:
        mark = " (download)" if row.download else ""
        lines.append(f"| {row.role} | `{row.url}`{mark} | {row.status} | {row.median_ms} | "
                     f"{row.bytes / 1024:.0f} | {row.statements} |")
    slow = [r for r in rows if r.median_ms > SLOW_MS and not r.download]
    errors = [r for r in rows if r.server_error]
    lines += ["", f"{len(rows)} pages × roles; "
              f"over {SLOW_MS:.0f} ms (downloads aside): {len(slow)}; 5xx: {len(errors)}; "
              f"skipped (no id in the data): {', '.join(skipped) or 'none'}"]
    return "\n".join(lines)
