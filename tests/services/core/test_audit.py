"""The audit listener records who, when and old → new for every change of an audited model."""
from decimal import Decimal

from crm.extensions import db
from crm.models import AuditEvent
from crm.services.core import audit
from tests import factories
from tests.test_i18n import fresh_request


def events(obj, action=None):
    q = AuditEvent.query.filter_by(object_type=type(obj).__name__, object_id=obj.id)
    return q.filter_by(action=action).all() if action else q.all()


def test_create_records_the_initial_values(app, users):
    with audit.acting_as(users["staff"]):
        project = factories.project(name="海产品加工项目", total_investment=Decimal("2000"))
    (event,) = events(project, "create")
    assert event.changes["name"] == [None, "海产品加工项目"]
    assert event.changes["total_investment"] == [None, "2000"]
    assert event.actor_id == users["staff"].id


def test_update_records_only_changed_fields_old_to_new(app, users):
    project = factories.project(total_investment=Decimal("2000"))
    with audit.acting_as(users["admin"], note="核实投资额"):
        project.total_investment = Decimal("2500")
        project.name = project.name  # unchanged value: not recorded
        db.session.commit()
    (event,) = events(project, "update")
    assert list(event.changes) == ["total_investment"]
    assert event.changes["total_investment"][1] == "2500"
    assert event.note == "核实投资额" and event.actor_id == users["admin"].id


def test_many_to_many_changes_are_recorded(app, users):
    project = factories.project()
    investor = factories.enterprise(name="黑龙江域外百草药业科技有限公司")
    project.investors.append(investor)
    db.session.commit()
    (event,) = events(project, "update")
    assert event.changes["investors"] == [[], ["黑龙江域外百草药业科技有限公司"]]


def test_changes_made_in_the_english_ui_record_chinese_names(app, users):
    project = factories.project()
    dept = factories.department("商务局", name_en="Commerce Bureau")
    with fresh_request(app, "en"), audit.acting_as(users["staff"]):
        project.departments.append(dept)
        db.session.commit()
    (event,) = events(project, "update")
    assert event.changes["departments"] == [[], ["商务局"]]


def test_delete_is_recorded_with_the_last_values(app, users):
    contact = factories.contact(name="王经理")
    contact_id = contact.id
    db.session.delete(contact)
    db.session.commit()
    event = AuditEvent.query.filter_by(object_type="Contact", object_id=contact_id, action="delete").one()
    assert event.changes["name"] == ["王经理", None]


def test_changes_outside_a_request_are_attributed_to_system(app):
    project = factories.project()
    assert events(project, "create")[0].actor_label == "system"


def test_bulk_loads_can_skip_the_audit(app):
    with audit.disabled(db.session):
        factories.project()
    assert AuditEvent.query.count() == 0


def test_old_value_is_recorded_even_after_a_commit_expired_the_object(app, users):
    project = factories.project(total_investment=Decimal("2000"))
    db.session.commit()  # expires every attribute
    project.total_investment = Decimal("3000")
    db.session.commit()
    (event,) = events(project, "update")
    assert event.changes["total_investment"] == ["2000.00", "3000"]


def test_tag_changes_of_an_enterprise_are_recorded(app, users):
    enterprise = factories.enterprise(tags=["龙头企业"])
    enterprise.tags = ["龙头企业", "专精特新"]
    db.session.commit()
    (event,) = events(enterprise, "update")
    assert event.changes["tag_rows"] == [["龙头企业"], ["龙头企业", "专精特新"]]


def test_reference_labels_name_the_ids_an_event_mentions(app, users):
    from crm.models import Department
    with audit.acting_as(users["staff"]):
        problem = factories.problem()
    (event,) = events(problem, "create")
    labels = audit.reference_labels([event], {"department_id": Department, "created_by_id": type(users["staff"])})
    assert labels["department_id"] == {problem.department_id: str(problem.department)}
    assert "id" in audit.UNSHOWN and "created_at" in audit.UNSHOWN
