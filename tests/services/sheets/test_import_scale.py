"""Imports at scale: the statements an enterprise or project import issues grow with chunks of
rows, not with rows (10,000 rows once ran two duplicate checks and two flushes each), and rows
saved a chunk at a time keep each row's own audit note and see what earlier rows changed."""
from __future__ import annotations

import pytest

from crm.extensions import db
from crm.models import AuditEvent, Project, User
from crm.services.sheets import enterprise_sheets, project_import
from tests import factories
from tests.services.sheets.test_enterprise_sheets import sheet

SMALL, LARGE = 50, 600  # LARGE crosses a flush chunk (500 rows)


def _selects(statements, run) -> tuple[int, object]:
    """SELECTs of one import, started with an empty session as a new request or job would be."""
    db.session.rollback()
    db.session.expunge_all()
    with statements() as counter:
        result = run()
    return sum(1 for s in counter.statements if s.lstrip().upper().startswith("SELECT")), result


def _admin(users):
    """The administrator, found again in whichever session the import runs."""
    ident = users["admin"].id
    return lambda: db.session.get(User, ident)


def _firms(n: int) -> list[tuple[int, str]]:
    """(id, name) of n new firms: plain values, so the session can be emptied between imports."""
    firms = [factories.enterprise(commit=False, name=f"绥芬河规模测试{i:04d}有限公司") for i in range(n)]
    db.session.commit()
    return [(f.id, f.name) for f in firms]


def _import_firms(actor, firms):
    rows = [[ident, name, f"简称{i}"] for i, (ident, name) in enumerate(firms)]
    return enterprise_sheets.import_enterprises(actor, sheet(rows, headers=["编号", "企业名称", "简称"], title=None))


def test_an_enterprise_import_runs_about_as_many_selects_for_600_rows_as_for_50(app, users, statements):
    admin = _admin(users)
    firms = _firms(LARGE)
    small, result = _selects(statements, lambda: _import_firms(admin(), firms[:SMALL]))
    assert (len(result.updated), result.errors) == (SMALL, [])
    large, result = _selects(statements, lambda: _import_firms(admin(), firms))
    assert (len(result.updated), result.errors) == (LARGE, [])
    assert large <= small + 2 * (LARGE // 500 + 1) * 3, (small, large)  # a few per 500-row chunk, none per row
    db.session.commit()
    notes = dict(db.session.execute(db.select(AuditEvent.object_id, AuditEvent.note).where(
        AuditEvent.object_type == "Enterprise", AuditEvent.action == "update")).all())
    assert notes == {ident: f"Excel 导入第 {i + 2} 行" for i, (ident, _name) in enumerate(firms)}  # each row its own note


def test_a_project_import_runs_about_as_many_selects_for_600_rows_as_for_50(app, users, statements):
    admin = _admin(users)
    sector = factories.sector("biomed")
    projects = [factories.project(commit=False, name=f"规模测试项目{i:04d}", sector=sector) for i in range(LARGE)]
    db.session.commit()
    ids = [p.id for p in projects]

    def run(n):
        rows = [[pid, f"规模测试项目{i:04d}", f"备注{i}"] for i, pid in enumerate(ids[:n])]
        return project_import.import_projects(admin(), sheet(rows, headers=["编号", "项目名称", "备注"], title=None))
    small, result = _selects(statements, lambda: run(SMALL))
    assert (len(result.updated), result.errors) == (SMALL, [])
    large, result = _selects(statements, lambda: run(LARGE))
    assert (len(result.updated), result.errors) == (LARGE, [])
    assert large <= small + 2 * (LARGE // 500 + 1) * 4, (small, large)
    db.session.commit()
    notes = dict(db.session.execute(db.select(AuditEvent.object_id, AuditEvent.note).where(
        AuditEvent.object_type == "Project", AuditEvent.action == "update")).all())
    assert notes == {pid: f"Excel 导入第 {i + 2} 行" for i, pid in enumerate(ids)}
    assert db.session.get(Project, ids[-1]).notes == f"备注{LARGE - 1}"


def test_a_name_an_earlier_row_frees_is_free_for_a_later_row_and_a_taken_one_is_refused(app, users):
    first, second, third = _firms(3)
    rows = [[first[0], "绥芬河新名称有限公司"], [second[0], first[1]], [third[0], second[1]]]
    result = enterprise_sheets.import_enterprises(users["admin"], sheet(rows, headers=["编号", "企业名称"], title=None))
    assert (len(result.updated), result.errors) == (3, [])  # each name freed by the row before
    db.session.rollback()
    rows = [[second[0], first[1]]]
    result = enterprise_sheets.import_enterprises(users["admin"], sheet(rows, headers=["编号", "企业名称"], title=None))
    assert [(e.row, e.link) for e in result.errors] == [(2, first)]
    assert "已有同名企业" in result.errors[0].message


@pytest.mark.parametrize("column", ["统一社会信用代码"])
def test_a_credit_code_another_firm_has_is_refused_with_a_link_to_it(app, users, column):
    code = factories.valid_credit_code()
    holder = factories.enterprise(credit_code=code)
    other = factories.enterprise()
    result = enterprise_sheets.import_enterprises(users["admin"], sheet([[other.id, other.name, code]],
                                                                        headers=["编号", "企业名称", column], title=None))
    assert [(e.row, e.link) for e in result.errors] == [(2, (holder.id, holder.name))]
