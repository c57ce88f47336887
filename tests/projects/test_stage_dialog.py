"""The stage endpoint asked by the board's script (Accept: application/json): the form for a
dropped card preselected with its column's stage, a refusal before any form opens, and the
outcome of a post as JSON, under the same rules as the project page's form."""
import re
from datetime import date

from crm.extensions import db
from crm.models import Project, StageEvent
from crm.services.core.clock import local_today
from tests import factories

JSON = {"Accept": "application/json"}


def ask(client, project, to_stage):
    return client.get(f"/projects/{project.id}/stage?to_stage={to_stage}", headers=JSON)


def post(client, project, **data):
    """As the dialog sends it: its 确认变更 button (confirmed=y) and, by default, a contract file."""
    return client.post(f"/projects/{project.id}/stage", data=factories.stage_post(**data), headers=JSON,
                       content_type="multipart/form-data")


def test_a_drop_one_stage_forward_gets_the_project_pages_form_preselected(client, login, app):
    login("staff")
    project = factories.project(stage="contact", contacted_on=date(2025, 1, 1))
    resp = ask(client, project, "signed")
    assert resp.status_code == 200 and resp.json["ok"]
    html = resp.json["html"]
    assert 'id="stage-form"' in html and f'action="/projects/{project.id}/stage"' in html
    assert re.search(r'data-amount="1" data-files="[^"]+" data-reason="0" selected value="signed"', html)
    assert 'name="files"' in html and "确认变更" in html  # the dialog's button is the confirmation
    assert 'name="contract_amount"' in html and 'name="evidence"' in html
    assert f'value="{local_today().isoformat()}"' in html  # 发生日期 defaults to today


def test_a_skip_by_staff_is_refused_with_the_rules_words_before_any_form(client, login, app):
    login("staff")
    project = factories.project()
    resp = ask(client, project, "signed")
    assert resp.status_code == 422 and resp.json == {
        "ok": False, "message": "只能逐级推进一个阶段；跳级或回退须由管理员操作并说明原因。"}
    assert ask(client, project, "planned").json["message"] == "项目已处于该阶段。"
    login("admin")  # an admin may skip: the form opens asking for a reason
    html = ask(client, project, "signed").json["html"]
    assert re.search(r'data-amount="1" data-files="[^"]+" data-reason="1" selected value="signed"', html)


def test_a_browser_navigating_to_the_endpoint_is_sent_to_the_project_page(client, login, app):
    login("staff")
    project = factories.project()
    resp = client.get(f"/projects/{project.id}/stage?to_stage=contact")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/projects/{project.id}")


def test_a_scripted_move_answers_json_and_records_the_event_with_its_evidence(client, login, app):
    login("staff")
    project = factories.project(stage="contact", contacted_on=date(2025, 1, 1))
    resp = post(client, project, to_stage="signed", occurred_on="2025-03-01", contract_amount="8000",
                evidence="合同编号 SFH-2025-017")
    assert resp.status_code == 200
    assert resp.json == {"ok": True, "message": "已记录阶段变更：洽谈 → 签约。", "stage": "signed"}
    event = StageEvent.query.one()
    assert (event.to_stage, event.contract_amount, event.evidence) == ("signed", 8000, "合同编号 SFH-2025-017")
    with client.session_transaction() as sess:  # no flash left for the next page the board loads
        assert not sess.get("_flashes")


def test_a_scripted_move_the_rules_refuse_returns_the_form_with_each_message_in_place(client, login, app):
    login("staff")
    project = factories.project(stage="contact", contacted_on=date(2025, 1, 1))
    resp = post(client, project, to_stage="signed", occurred_on="2025-03-01", contract_amount="abc")
    assert resp.status_code == 422 and not resp.json["ok"]
    assert 'is-invalid' in resp.json["html"] and resp.json["message"] in resp.json["html"]
    resp = post(client, project, to_stage="signed", occurred_on="2024-12-01", contract_amount="100")
    message = resp.json["message"]
    assert resp.status_code == 422 and "不能早于" in message and message in resp.json["html"]
    db.session.expire_all()
    assert StageEvent.query.count() == 0 and db.session.get(Project, project.id).stage == "contact"


def test_officers_get_forms_for_their_departments_projects_only_and_leaders_none(client, login, app):
    officer = login("officer")
    own = factories.project(lead_department_id=officer.department_id)
    assert ask(client, own, "contact").json["ok"]
    assert ask(client, factories.foreign_project(), "contact").status_code == 404
    login("leader")
    assert ask(client, own, "contact").status_code == 403


def test_the_dialogs_form_runs_the_same_statements_for_a_short_and_a_long_history(client, login, statements, app):
    admin_id = login("admin").id
    project = factories.project(stage="contact", contacted_on=date(2025, 1, 1), investors=[factories.enterprise()])
    url = f"/projects/{project.id}/stage?to_stage=signed"

    def count():
        db.session.expunge_all()
        with statements() as counter:
            assert client.get(url, headers=JSON).json["ok"]
        return len(counter)

    few = count()
    firms = [factories.enterprise() for _ in range(3)]
    project = db.session.get(Project, project.id)
    for day in range(2, 12):  # ten more recorded moves and three more investors
        project.stage_events.append(StageEvent(from_stage="planned", to_stage="contact", occurred_on=date(2025, 1, day),
                                               recorded_by_id=admin_id))
    project.investors.extend(firms)
    db.session.commit()
    assert count() == few
