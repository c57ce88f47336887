"""Updating projects from a sheet: which project a row is, what it may change, and how a stage
or a liaison leader changes (by the same rules as on the project and liaison pages)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import AuditEvent, Project, StageEvent
from crm.services import projects as svc
from crm.services.sheets import project_import
from tests import factories
from tests.services.sheets.test_enterprise_sheets import sheet


@pytest.fixture
def refs(app, users):
    return factories.project_refs() | {"leader": users["leader"]}


def run(user, rows, headers):
    result = project_import.import_projects(user, sheet(rows, headers=headers, title=None))
    (db.session.rollback if result.errors else db.session.commit)()
    return result


def errors(result) -> dict:
    return {e.column: e.message for e in result.errors}


def test_a_sheet_without_some_columns_changes_only_the_columns_it_has(refs, users):
    project = factories.project(name="饲料加工项目", sector=refs["sector"], total_investment=Decimal("3000"),
                                notes="原备注", lead_department=refs["dept"])
    result = run(users["staff"], [[project.id, "饲料加工项目", "5000"]], ["编号", "项目名称", "总投资（万元）"])
    assert (len(result.updated), result.unchanged, result.errors) == (1, 0, [])
    assert [f[0] for f in result.updated[0].fields] == ["总投资（万元）"]
    db.session.expire_all()
    again = db.session.get(Project, project.id)
    assert (again.total_investment, again.notes, again.lead_department_id) == (Decimal("5000"), "原备注", refs["dept"].id)
    audit = AuditEvent.query.filter_by(object_type="Project", object_id=project.id, action="update").one()
    old, new = audit.changes["total_investment"]
    assert (Decimal(old), Decimal(new), audit.note) == (Decimal("3000"), Decimal("5000"), "Excel 导入第 2 行")


def test_an_unknown_id_and_two_rows_for_one_project_are_refused(refs, users):
    project = factories.project(name="饲料加工项目", sector=refs["sector"])
    result = run(users["staff"], [[999999, "新名字"], [project.id, "甲"], [None, "饲料加工项目"]], ["编号", "项目名称"])
    assert "没有编号为 999999 的项目" in result.errors[0].message
    assert [(e.row, e.message) for e in result.errors[1:]] == [(4, "与第 3 行是同一个项目。")]
    assert db.session.get(Project, project.id).name == "饲料加工项目"


def test_a_stage_moved_forward_goes_through_each_milestone_with_the_row_as_evidence(refs, users):
    project = factories.project(name="饲料加工项目", sector=refs["sector"])
    svc.record_stage_move(users["staff"], project, {"to_stage": "contact", "occurred_on": date(2026, 3, 2)})
    db.session.commit()
    headers = ["编号", "项目名称", "阶段", "首次洽谈日期", "签约日期", "签约金额（万元）", "开工日期"]
    result = run(users["staff"], [[project.id, "饲料加工项目", "开工", "2026-03-02", "2026-06-18", "9000", "2026-09-01"]],
                 headers)
    assert result.errors == [] and len(result.updated) == 1
    moves = StageEvent.query.filter_by(project_id=project.id).order_by(StageEvent.id).all()
    assert [(m.to_stage, m.occurred_on, m.evidence) for m in moves[1:]] == [
        ("signed", date(2026, 6, 18), "Excel 导入第 2 行"), ("started", date(2026, 9, 1), "Excel 导入第 2 行")]
    assert db.session.get(Project, project.id).signed_amount == Decimal("9000")


@pytest.mark.parametrize("row, column, words", [
    (["谋划", "2026-03-02"], "阶段", "须在项目页面办理"),  # moving back
    (["洽谈", "2026-03-05"], "首次洽谈日期", "只随阶段变更记录"),  # a recorded date edited
    (["签约", "2026-03-02", None, "9000"], "签约日期", "请填写此日期"),
    (["签约", "2026-03-02", "2026-01-01", "9000"], "签约日期", "不能早于"),
    (["暂缓", "2026-03-02", None, None, "2026-05-01"], "暂缓/终止原因", "必须填写原因"),
])
def test_a_stage_change_the_rules_refuse_is_refused_on_its_column(refs, users, row, column, words):
    project = factories.project(name="饲料加工项目", sector=refs["sector"])
    svc.record_stage_move(users["staff"], project, {"to_stage": "contact", "occurred_on": date(2026, 3, 2)})
    db.session.commit()
    headers = ["编号", "项目名称", "阶段", "首次洽谈日期", "签约日期", "签约金额（万元）", "暂缓/终止日期", "暂缓/终止原因"]
    cells = row + [None] * (6 - len(row))
    result = run(users["staff"], [[project.id, "饲料加工项目", *cells]], headers)
    assert column in errors(result) and words in errors(result)[column], result.errors
    assert db.session.get(Project, project.id).stage == "contact" and StageEvent.query.count() == 1


def test_only_an_admin_changes_the_liaison_leader_and_people_read_back_by_username(refs, users):
    project = factories.project(name="饲料加工项目", sector=refs["sector"])
    leader = refs["leader"]
    written = f"{leader.display_name}（{leader.username}）"
    result = run(users["staff"], [[project.id, "饲料加工项目", written]], ["编号", "项目名称", "包联领导"])
    assert errors(result) == {"包联领导": "只有管理员可以更改包联领导。"}
    result = run(users["admin"], [[project.id, "饲料加工项目", written]], ["编号", "项目名称", "包联领导"])
    assert result.errors == [] and db.session.get(Project, project.id).liaison_leader_id == leader.id
    assert run(users["staff"], [[project.id, "饲料加工项目", written]], ["编号", "项目名称", "包联领导"]).unchanged == 1


def test_two_staff_of_one_name_read_back_apart_by_the_username_in_brackets(refs, users):
    first = factories.user("staff", username="liuyang", display_name="刘洋")
    second = factories.user("staff", username="liuyang2", display_name="刘洋")
    project = factories.project(name="饲料加工项目", sector=refs["sector"], owner=first)
    result = run(users["staff"], [[project.id, "饲料加工项目", "刘洋（liuyang2）"]], ["编号", "项目名称", "负责人（经合中心）"])
    assert result.errors == [] and db.session.get(Project, project.id).owner_id == second.id
