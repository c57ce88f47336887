"""Bulk actions of the enterprise and project lists (services/lists/bulk.py), without HTTP: all
or nothing, each record audited, permission as for single edits, a message that says what was done."""
import pytest

from crm.extensions import db
from crm.models import AuditEvent, Enterprise, Project
from crm.services.core import access
from crm.services.lists import bulk
from tests import factories

pytestmark = pytest.mark.usefixtures("app")  # the app context, and emptied tables after each test


def _owner_audits(model: str, ids) -> dict[int, list]:
    events = AuditEvent.query.filter(AuditEvent.object_type == model, AuditEvent.object_id.in_(ids),
                                     AuditEvent.action == "update").all()
    return {e.object_id: e.changes["owner_id"] for e in events if "owner_id" in e.changes}


def test_selected_ids_are_checked_before_anything_is_read():
    assert bulk.selected_ids(["3", "1", "3"]) == [3, 1]
    for bad, message in (([], "请先勾选"), (["1", "x"], "无效"), ([str(i) for i in range(1, 300)], "最多处理")):
        with pytest.raises(bulk.BulkError, match=message):
            bulk.selected_ids(bad)


def test_assigning_an_owner_to_three_enterprises_audits_each(users):
    wu = factories.user("staff", display_name="吴艳")
    firms = [factories.enterprise(owner=users["staff"]) for _ in range(3)]
    ids = [e.id for e in firms]
    message = bulk.assign_enterprise_owner(users["staff"], ids, str(wu.id))
    db.session.commit()
    assert message == "已将 3 家企业的负责人改为 吴艳。"
    assert {e.owner_id for e in Enterprise.query.filter(Enterprise.id.in_(ids))} == {wu.id}
    assert _owner_audits("Enterprise", ids) == {i: [users["staff"].id, wu.id] for i in ids}


@pytest.mark.parametrize("case", ["missing row", "leader as owner", "disabled owner", "no owner"])
def test_a_refused_enterprise_bulk_assign_changes_nothing(users, case):
    firms = [factories.enterprise(owner=users["staff"]) for _ in range(3)]
    ids = [e.id for e in firms]
    owner_id = factories.user("staff").id
    if case == "missing row":
        ids.append(max(ids) + 1000)
    elif case == "leader as owner":
        owner_id = users["leader"].id
    elif case == "disabled owner":
        owner_id = factories.user("staff", is_enabled=False).id
    else:
        owner_id = ""
    with pytest.raises(bulk.BulkError):
        bulk.assign_enterprise_owner(users["staff"], ids, owner_id)
    db.session.rollback()
    assert {e.owner_id for e in Enterprise.query} == {users["staff"].id}
    assert _owner_audits("Enterprise", ids) == {}


def test_only_editors_assign_enterprise_owners(users):
    firm = factories.enterprise()
    for role in ("officer", "leader"):
        with pytest.raises(access.Denied):
            bulk.assign_enterprise_owner(users[role], [firm.id], users["staff"].id)


def test_an_officer_acts_only_on_their_departments_projects_all_or_nothing(users):
    officer = users["officer"]
    own = factories.project(lead_department=officer.department)
    foreign = factories.foreign_project()
    with pytest.raises(bulk.BulkError, match="你无权修改项目"):
        bulk.assign_project_owner(officer, [own.id, foreign.id], users["staff"].id)
    db.session.rollback()
    assert {p.owner_id for p in Project.query} == {None}
    message = bulk.assign_project_owner(officer, [own.id], users["staff"].id)
    db.session.commit()
    assert message.startswith("已将 1 个项目的负责人改为") and own.owner_id == users["staff"].id
    assert _owner_audits("Project", [own.id]) == {own.id: [None, users["staff"].id]}


def test_pool_moves_go_through_the_pool_rules_and_are_audited(users):
    planned = factories.project(stage="planned", in_pool=False)
    operating = factories.project(stage="operating", in_pool=False)
    with pytest.raises(bulk.BulkError, match="已投产或已终止，不能入库"):
        bulk.set_project_pool(users["staff"], [planned.id, operating.id], True)
    db.session.rollback()
    assert not planned.in_pool and not operating.in_pool
    assert bulk.set_project_pool(users["staff"], [planned.id], True) == "已将 1 个项目加入储备库。"
    db.session.commit()
    assert bulk.set_project_pool(users["staff"], [planned.id, operating.id], False) == "已将 1 个项目移出储备库。"
    db.session.commit()
    events = AuditEvent.query.filter_by(object_type="Project", object_id=planned.id, action="update").all()
    assert [(e.changes["in_pool"], e.note) for e in events] == [([False, True], "加入储备库"),
                                                                ([True, False], "移出储备库")]
