"""The Excel round trip the office relies on (issue 27): every project and enterprise of the demo
data exported, imported back unchanged (nothing written), ten cells and a stage edited in Excel,
imported again (exactly those changes made, each audited with its row), and exported again
(the same sheet as the edited one)."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import AuditEvent, Department, Enterprise, Project, StageEvent, User
from crm.services.core import queries
from crm.services.core.clock import local_today
from crm.services.sheets import enterprise_sheets, project_import, project_sheet, reader
from seeds import seeding

NOW = datetime(2026, 12, 7, 9, 0)


@pytest.fixture
def demo(app):
    seeding.first_run(local_today(), demo=True)
    db.session.commit()
    return db.session.scalars(sa.select(User).where(User.username == "admin")).one()


def load(data: bytes):
    return load_workbook(BytesIO(data))


def saved(book) -> BytesIO:
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def by_id(data: bytes) -> dict:
    """编号 → the row's values (title and note rows aside: the note says when it was exported)."""
    ws = load(data).worksheets[0]
    return {row[0]: list(row) for row in ws.iter_rows(min_row=4, values_only=True)}


def imported(run, actor, stream) -> reader.Result:
    result = run(actor, stream)
    assert result.errors == []
    db.session.commit()
    return result


def counts(result) -> tuple:
    return len(result.created), len(result.updated), result.unchanged, result.refused_rows


class Sheet:
    """An exported sheet to edit cell by cell: rows by 编号, columns by header."""

    def __init__(self, data: bytes):
        self.book = load(data)
        self.ws = self.book.worksheets[0]
        self.columns = {c.value: c.column for c in self.ws[3]}
        self.rows = {self.ws.cell(row=r, column=1).value: r for r in range(4, self.ws.max_row + 1)}

    def __getitem__(self, where):
        ident, header = where
        return self.ws.cell(row=self.rows[ident], column=self.columns[header]).value

    def __setitem__(self, where, value):
        ident, header = where
        self.ws.cell(row=self.rows[ident], column=self.columns[header]).value = value


def firm_list_owner(index: int) -> int | None:
    return db.session.scalars(sa.select(Enterprise).order_by(Enterprise.id)).all()[index].owner_id


def test_export_import_unchanged_edit_ten_cells_and_a_stage_import_and_export_again(demo):
    projects, _n, _cut = project_sheet.export([], NOW)
    firms, _n, _cut = enterprise_sheets.export({}, NOW)
    project_count, firm_count = Project.query.count(), Enterprise.query.count()
    audit_before = AuditEvent.query.count()

    # 1. unchanged: 0 created, 0 updated, N unchanged, 0 refused, nothing written
    assert counts(imported(project_import.import_projects, demo, BytesIO(projects))) == (0, 0, project_count, 0)
    assert counts(imported(enterprise_sheets.import_enterprises, demo, BytesIO(firms))) == (0, 0, firm_count, 0)
    assert AuditEvent.query.count() == audit_before

    # 2. ten cells and a stage, edited as in Excel
    plist = db.session.scalars(sa.select(Project).order_by(Project.id)).all()
    planned = next(p for p in plist if p.stage == "planned")
    others = [p for p in plist if p is not planned][:7]
    owners = queries.file_owners()
    staff = next(u for u in owners if u.id != others[5].owner_id)
    firm_owner = next(u for u in owners if u.id != firm_list_owner(2))
    dept = db.session.scalars(sa.select(Department).order_by(Department.id.desc())).first()
    firm_list = db.session.scalars(sa.select(Enterprise).order_by(Enterprise.id)).all()
    investor = firm_list[-1]
    sheet = Sheet(projects)
    p = sheet
    p[others[0].id, "总投资（万元）"] = 123456.78
    p[others[1].id, "项目名称（英文）"] = "Round Trip Project"
    p[others[2].id, "备注"] = "导入时改的备注"
    p[others[3].id, "责任部门"] = "、".join(filter(None, [p[others[3].id, "责任部门"], dept.label()]))
    p[others[4].id, "投资主体"] = "\n".join(filter(None, [p[others[4].id, "投资主体"], investor.name]))
    p[others[5].id, "负责人（经合中心）"] = f"{staff.display_name}（{staff.username}）"
    p[others[6].id, "用地（亩）"] = 88.5
    contacted = local_today() - timedelta(days=1)
    p[planned.id, "阶段"] = "洽谈"
    p[planned.id, "首次洽谈日期"] = datetime(contacted.year, contacted.month, contacted.day)
    e = Sheet(firms)
    firm_a, firm_b, firm_c = firm_list[0], firm_list[1], firm_list[2]
    e[firm_a.id, "简称"] = "改后简称"
    e[firm_b.id, "联系电话"] = "0453-3920000"
    e[firm_c.id, "负责人"] = f"{firm_owner.display_name}（{firm_owner.username}）"
    if others[4].investors and investor in others[4].investors:
        pytest.fail("the demo's investor is already on the project: pick another")
    edited_projects, edited_firms = saved(p.book).getvalue(), saved(e.book).getvalue()

    # 3. exactly those changes applied and audited
    result = imported(project_import.import_projects, demo, BytesIO(edited_projects))
    assert counts(result) == (0, 8, project_count - 8, 0)
    assert {c.record_id for c in result.updated} == {planned.id, *(o.id for o in others)}
    assert [f[0] for c in result.updated if c.record_id == others[0].id for f in c.fields] == ["总投资（万元）"]
    result = imported(enterprise_sheets.import_enterprises, demo, BytesIO(edited_firms))
    assert counts(result) == (0, 3, firm_count - 3, 0)
    db.session.expire_all()
    get = db.session.get
    assert get(Project, others[0].id).total_investment == Decimal("123456.78")
    assert get(Project, others[1].id).name_en == "Round Trip Project"
    assert get(Project, others[2].id).notes == "导入时改的备注"
    assert dept in get(Project, others[3].id).departments
    assert investor in get(Project, others[4].id).investors
    assert get(Project, others[5].id).owner_id == staff.id
    assert get(Project, others[6].id).land_mu == Decimal("88.5")
    moved = get(Project, planned.id)
    assert (moved.stage, moved.contacted_on) == ("contact", contacted)
    event = moved.stage_events[-1]
    assert (event.to_stage, event.occurred_on, event.recorded_by_id) == ("contact", contacted, demo.id)
    assert event.evidence.startswith("Excel 导入第 ")
    assert get(Enterprise, firm_a.id).short_name == "改后简称"
    assert get(Enterprise, firm_b.id).contacts[0].phone == "0453-3920000"
    assert get(Enterprise, firm_c.id).owner_id == firm_owner.id
    changes = AuditEvent.query.filter(AuditEvent.id > 0).order_by(AuditEvent.id).all()[audit_before:]
    touched = {(a.object_type, a.object_id) for a in changes}
    assert touched == ({("Project", o.id) for o in [planned, *others]} | {("StageEvent", event.id)}
                       | {("Enterprise", firm_a.id), ("Enterprise", firm_c.id),
                          ("Contact", get(Enterprise, firm_b.id).contacts[0].id)})
    assert all(a.actor_id == demo.id and a.note.startswith("Excel 导入第 ") for a in changes)
    assert StageEvent.query.filter_by(project_id=planned.id).count() == 1

    # 4. the second export is the edited sheet
    again_projects, _n, _cut = project_sheet.export([], NOW)
    again_firms, _n, _cut = enterprise_sheets.export({}, NOW)
    assert by_id(again_projects) == by_id(edited_projects)
    assert by_id(again_firms) == by_id(edited_firms)
