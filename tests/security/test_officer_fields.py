"""Field rules (tests/access_policy.FIELD_RULES) walked as every role that may post the route:
changing a ruled field is refused with a message, and the record stays as it was, for every role
outside the rule; the roles inside it change the field."""
from __future__ import annotations

import pytest

from crm.extensions import db
from crm.models import AuditEvent, Project
from tests import factories
from tests.access_policy import FIELD_RULES, POLICY

REFUSAL = "只有经合中心工作人员和管理员可以更改牵头部门和责任部门。"


def _project_sample():
    """A project the officer's department (工信科局) leads, shared with 农业农村局; the form that
    saves it unchanged; a changed value per ruled field; and how to read a field back."""
    refs = factories.project_refs()
    project = factories.project(lead_department=refs["dept"], departments=[refs["other"]], sector=refs["sector"])
    third = factories.department("商务局")
    form = factories.project_form(refs, name=project.name, investor_ids=[], park_id="", task_force_id="",
                                  total_investment="5000", fixed_investment="", jobs="")
    changed = {"lead_department_id": str(refs["other"].id), "department_ids": [str(refs["other"].id), str(third.id)]}

    def read(field):
        fresh = db.session.get(Project, project.id, populate_existing=True)
        return fresh.lead_department_id if field == "lead_department_id" else sorted(d.id for d in fresh.departments)

    return f"/projects/{project.id}/edit", form, changed, read, project.id


SAMPLES = {"projects.edit": _project_sample}
CASES = [(endpoint, rule, role) for endpoint, rules in FIELD_RULES.items() for rule in rules
         for role in sorted(POLICY[endpoint].post)]


def test_every_field_rule_has_a_sample():
    assert set(FIELD_RULES) <= set(SAMPLES)


@pytest.mark.parametrize("endpoint,rule,role", CASES, ids=[f"{e}-{r.field}-{role}" for e, r, role in CASES])
def test_a_ruled_field_changes_only_for_its_roles(client, login, endpoint, rule, role):
    login(role)
    url, form, changed, read, object_id = SAMPLES[endpoint]()
    before = read(rule.field)
    assert client.post(url, data=form).status_code == 302  # the unchanged form saves for every role
    resp = client.post(url, data={**form, rule.field: changed[rule.field]})
    if role in rule.roles:
        assert resp.status_code == 302 and read(rule.field) != before
        return
    assert resp.status_code == 200 and REFUSAL in resp.get_data(as_text=True)
    assert read(rule.field) == before
    audited = [e.changes for e in AuditEvent.query.filter_by(object_id=object_id, action="update")]
    assert not any(rule.field in c or "departments" in c or "lead_department_id" in c for c in audited)
