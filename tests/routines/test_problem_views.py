"""问题台账 pages: filters, raising from a project or a report, 销号, escalation, 批示, access."""
from __future__ import annotations

import re
from datetime import date

from crm.extensions import db
from crm.models import Problem
from tests import factories


def test_filters_by_department_status_and_overdue(client, login, agri, users):
    factories.problem(description="逾期未整改问题", deadline=date(2026, 11, 1))
    factories.problem(description="尚未到期问题", deadline=date(2026, 12, 1))
    own = factories.project(lead_department=users["officer"].department)
    factories.problem(own, description="本部门问题")
    login("leader")
    html = client.get(f"/routines/problems?overdue=1&department={agri.id}").get_data(as_text=True)
    assert "逾期未整改问题" in html and "尚未到期问题" not in html and "本部门问题" not in html
    assert "逾期未销号 1 个" in html
    html = client.get("/routines/problems?status=resolved").get_data(as_text=True)
    assert "没有符合条件的问题" in html


def test_officer_raises_a_problem_from_own_report(client, login, users):
    project = factories.project(lead_department=users["officer"].department)
    report = factories.progress_report(project, problems_text="<b>环评</b>未批复")
    login("officer")
    html = client.get(f"/routines/problems/new?report_id={report.id}").get_data(as_text=True)
    assert "&lt;b&gt;环评&lt;/b&gt;未批复" in html
    resp = client.post(f"/routines/problems/new?report_id={report.id}", data={
        "project_id": project.id, "department_id": users["officer"].department_id,
        "description": "环评未批复", "deadline": "2026-12-15"})
    assert resp.status_code == 302
    problem = db.session.query(Problem).one()
    assert (problem.source, problem.progress_report_id, problem.raised_on) == ("report", report.id, date(2026, 11, 10))


def test_officer_cannot_raise_for_another_department(client, login, agri, users):
    foreign = factories.project(lead_department=agri)
    own = factories.project(lead_department=users["officer"].department)
    login("officer")
    assert client.get(f"/routines/problems/new?project_id={foreign.id}").status_code == 404
    resp = client.post("/routines/problems/new", data={
        "project_id": own.id, "department_id": agri.id, "description": "x", "deadline": "2026-12-15"})
    assert resp.status_code == 200  # not a choice the officer has
    resp = client.post("/routines/problems/new", data={
        "project_id": foreign.id, "department_id": users["officer"].department_id, "description": "x",
        "deadline": "2026-12-15"})
    assert resp.status_code == 200
    assert db.session.query(Problem).count() == 0


def test_officer_cannot_open_another_departments_problem(client, login):
    problem = factories.problem()
    login("officer")
    for url in (f"/routines/problems/{problem.id}/edit", f"/routines/problems/{problem.id}/resolve"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"resolution": "x", "resolved_on": "2026-11-10"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Problem, problem.id).status == "open"


def test_resolving_without_a_resolution_saves_nothing(client, login, users):
    problem = factories.problem(factories.project(lead_department=users["officer"].department))
    login("officer")
    resp = client.post(f"/routines/problems/{problem.id}/resolve",
                       data={"resolution": " ", "resolved_on": "2026-11-10"})
    assert resp.status_code == 200 and "销号必须填写整改结果" in resp.get_data(as_text=True)
    resp = client.post(f"/routines/problems/{problem.id}/resolve",
                       data={"resolution": "已协调解决", "resolved_on": "2026-11-09"})
    assert resp.status_code == 302
    db.session.expire_all()
    resolved = db.session.get(Problem, problem.id)
    assert (resolved.status, resolved.resolved_on) == ("resolved", date(2026, 11, 9))


def test_edit_changes_status_and_deadline(client, login):
    problem = factories.problem(raised_on=date(2026, 10, 10))
    login("staff")
    resp = client.post(f"/routines/problems/{problem.id}/edit", data={
        "department_id": problem.department_id, "description": "用地手续推进中", "deadline": "2026-10-01",
        "status": "in_progress"})
    assert resp.status_code == 200 and "整改时限不能早于提出日期" in resp.get_data(as_text=True)
    resp = client.post(f"/routines/problems/{problem.id}/edit", data={
        "department_id": problem.department_id, "description": "用地手续推进中", "deadline": "2027-01-15",
        "status": "in_progress"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Problem, problem.id).deadline == date(2027, 1, 15)


def test_staff_escalate_and_officers_may_not(client, login, users):
    problem = factories.problem(factories.project(lead_department=users["officer"].department))
    login("officer")
    assert client.post(f"/routines/problems/{problem.id}/escalate").status_code == 403
    login("staff")
    assert client.post(f"/routines/problems/{problem.id}/escalate", data={"note": "提醒后仍未整改"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Problem, problem.id).escalation_level == 1
    assert "提醒后仍未整改" in client.get(f"/routines/problems/{problem.id}/edit").get_data(as_text=True)


def test_a_leader_opens_a_problem_from_own_instruction(client, login, users):
    instruction = factories.foreign_instruction(leader=users["leader"])
    login("leader")
    html = client.get(f"/routines/problems?instruction_id={instruction.id}").get_data(as_text=True)
    assert "根据批示登记问题" in html
    assert client.post(f"/routines/problems/from-instruction/{instruction.id}").status_code == 302
    assert client.post(f"/routines/problems/from-instruction/{instruction.id}").status_code == 302
    problem = db.session.query(Problem).one()
    assert (problem.source, problem.instruction_id, problem.deadline) == ("instruction", instruction.id,
                                                                          date(2026, 12, 10))
    other = factories.foreign_instruction()
    assert "根据批示登记问题" not in client.get(f"/routines/problems?instruction_id={other.id}").get_data(as_text=True)
    assert client.post(f"/routines/problems/from-instruction/{other.id}").status_code == 404


def test_problem_list_runs_a_constant_number_of_statements(client, login, page_statements, agri):
    login("staff")

    def count(n):
        projects = factories.many_projects(n, lead_department=agri)
        for project in projects:
            factories.problem(project, commit=False)
        db.session.commit()
        db.session.expire_all()
        return page_statements(client, f"/routines/problems?department={agri.id}")

    few = count(3)
    assert count(40) == few


def test_the_operation_log_names_fields_and_coded_values(client, login):
    problem = factories.problem(raised_on=date(2026, 10, 10))
    login("staff")
    client.post(f"/routines/problems/{problem.id}/edit", data={
        "department_id": problem.department_id, "description": problem.description, "deadline": "2027-01-15",
        "status": "in_progress"})
    html = client.get(f"/routines/problems/{problem.id}/edit").get_data(as_text=True)
    log = html[html.index('id="history"'):]
    assert "整改时限" in log and "2027-01-15" in log
    assert "状态" in log and "整改中" in log  # the label, not the stored code
    assert "in_progress" not in log and "deadline" not in log


def _project_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="project_id"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_a_new_problem_without_a_project_lists_none_and_searches_instead(client, login):
    factories.many_projects(3)
    login("staff")
    few = client.get("/routines/problems/new").get_data(as_text=True)
    factories.many_projects(40)
    many = client.get("/routines/problems/new").get_data(as_text=True)
    assert _project_options(many) == [] and len(many) == len(few)  # 10,000 at province scale
    assert 'data-lookup-url="/routines/problems/projects"' in many


def test_a_refused_problem_keeps_the_posted_project_chosen_and_drops_one_the_officer_may_not_raise(
        client, login, agri, users):
    own = factories.project(name="本部门项目", lead_department=users["officer"].department)
    foreign = factories.project(name="别的部门项目", lead_department=agri)
    login("officer")
    data = {"department_id": users["officer"].department_id, "description": "", "deadline": "2026-12-15"}
    html = client.post("/routines/problems/new", data=dict(data, project_id=own.id)).get_data(as_text=True)
    assert _project_options(html) == ["本部门项目"] and "请填写问题描述" in html
    html = client.post("/routines/problems/new", data=dict(data, project_id=foreign.id, description="x")
                       ).get_data(as_text=True)
    assert _project_options(html) == [] and "所选项目不存在，或您无权为该项目登记问题。" in html
    assert db.session.query(Problem).count() == 0


def test_the_project_picker_finds_by_name_only_what_the_user_may_raise_and_says_when_it_cut(
        client, login, agri, users, monkeypatch):
    from crm.services import search
    own = factories.project(name="绥芬河木材加工项目", lead_department=users["officer"].department)
    factories.project(name="绥芬河粮油项目", lead_department=agri)
    login("officer")
    assert client.get("/routines/problems/projects?q=绥芬河").get_json() == {
        "projects": [{"id": own.id, "name": "绥芬河木材加工项目"}], "more": False}
    assert client.get("/routines/problems/projects?q=%20").get_json() == {"projects": [], "more": False}
    monkeypatch.setattr(search, "LOOKUP_LIMIT", 1)
    login("staff")
    found = client.get("/routines/problems/projects?q=绥芬河").get_json()
    assert len(found["projects"]) == 1 and found["more"] is True


def test_the_project_picker_runs_one_statement_past_the_login_whatever_it_finds(client, login, page_statements):
    login("staff")

    def measure():
        return page_statements(client, "/routines/problems/projects?q=项目")

    factories.many_projects(2)
    few = measure()
    factories.many_projects(30)
    assert measure() == few
