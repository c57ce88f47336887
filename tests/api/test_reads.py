"""The API's other read resources: contacts, contact logs, problems, monthly reports, goals and
the dashboard's figures, each with the web pages' filters and a constant number of statements."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests import factories


@pytest.fixture
def read(client, users):
    secret = factories.api_token(users["leader"], scope="read")[1]

    def _read(url: str):
        resp = client.get(url, headers={"Authorization": f"Bearer {secret}"})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()
    return _read


def test_contacts_and_contact_logs_of_an_enterprise(read):
    enterprise = factories.enterprise()
    factories.contact(enterprise, name="王经理", phone="0453-3921234")
    logs = [factories.interaction(enterprise, summary=f"第{i}次电话") for i in range(3)]
    factories.interaction()  # another firm's
    assert [c["name"] for c in read(f"/api/v1/enterprises/{enterprise.id}/contacts")["items"]] == ["王经理"]
    page = read(f"/api/v1/interactions?enterprise={enterprise.id}&limit=2")
    assert [i["id"] for i in page["items"]] == [logs[2].id, logs[1].id]
    rest = read(f"/api/v1/interactions?enterprise={enterprise.id}&limit=2&cursor={page['next_cursor']}")
    assert [i["id"] for i in rest["items"]] == [logs[0].id] and rest["next_cursor"] is None


def test_problems_and_monthly_reports_with_the_ledger_and_dispatch_filters(read):
    project = factories.foreign_project()
    open_one = factories.problem(project, status="open")
    factories.problem(project, status="resolved", resolved_on=date(2026, 11, 1), resolution="已解决")
    assert [p["id"] for p in read("/api/v1/problems?status=open")["items"]] == [open_one.id]
    report = factories.progress_report(project)
    body = read(f"/api/v1/progress-reports?month={report.month:%Y-%m}")["items"]
    assert [r["id"] for r in body] == [report.id] and body[0]["project"]["id"] == project.id
    assert read("/api/v1/progress-reports?month=2001-01")["items"] == []
    other = factories.progress_report(factories.project(lead_department=factories.department()))
    assert [r["id"] for r in read(f"/api/v1/progress-reports?department={other.department_id}")["items"]] == [other.id]
    both = read(f"/api/v1/progress-reports?month={report.month:%Y-%m}&department={report.department_id}")["items"]
    assert [r["id"] for r in both] == [report.id]


def test_goals_and_dashboard_figures(read):
    factories.goal()
    factories.project(stage="signed", total_investment=Decimal(1200))
    goals = read("/api/v1/goals")["items"]
    assert len(goals) == 1 and goals[0]["target"]
    board = read("/api/v1/dashboard")
    signed = next(row for row in board["funnel"] if row["stage"] == "signed")
    assert signed == {"stage": "signed", "count": 1, "investment": "1200.00"}
    assert len(board["months"]) == 12 and set(board["stage_moves"]) >= {"signed", "started"}


@pytest.mark.parametrize("url", ["/api/v1/interactions", "/api/v1/problems", "/api/v1/progress-reports"])
def test_a_list_reads_a_constant_number_of_statements(read, statements, url):
    def counted() -> int:
        with statements() as c:
            read(url)
        return len(c)

    few = counted()
    for _ in range(3):
        project = factories.foreign_project()
        factories.interaction(project=project)
        factories.problem(project)
        factories.progress_report(project)
    assert counted() == few
