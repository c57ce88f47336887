"""An Excel import's preview and confirmation: nothing is written before the user confirms, then
all rows or none, audited as one import with the uploaded file kept as its evidence."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook

from crm.extensions import db
from crm.models import AuditEvent, Enterprise
from crm.models.imports import SheetImport
from crm.services.sheets import enterprise_sheets, imports
from tests import factories
from tests.imports import confirm, upload
from tests.services.sheets.test_enterprise_sheets import sheet

HEADERS = ["编号", "企业名称", "简称", "联系电话"]


def edited_export(changes: dict) -> BytesIO:
    """The enterprise export with cells changed: {(firm id, header): value}."""
    data, _n, _cut = enterprise_sheets.export({}, datetime(2026, 12, 7, 9, 0))
    book = load_workbook(BytesIO(data))
    ws = book.worksheets[0]
    columns = {c.value: c.column for c in ws[3]}
    rows = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    for (ident, header), value in changes.items():
        ws.cell(row=rows[ident], column=columns[header]).value = value
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_the_preview_lists_each_change_and_writes_nothing_until_confirmed(client, login, users):
    firm = factories.enterprise(name="绥芬河市润宏经贸有限公司", short_name="润宏")
    factories.enterprise(name="绥芬河市远东木业有限公司")
    login("staff")
    preview = upload(client, "/enterprises/import", edited_export({(firm.id, "简称"): "润宏经贸"}), "月报.xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "导入预览：月报.xlsx" in html and "确认导入" in html
    assert "润宏" in html and "润宏经贸" in html and "简称" in html
    record = SheetImport.query.one()
    assert (record.status, record.created_count, record.updated_count, record.unchanged_count,
            record.refused_count) == ("ready", 0, 1, 1, 0)
    db.session.expire_all()
    assert db.session.get(Enterprise, firm.id).short_name == "润宏"  # the preview wrote nothing
    kept = imports.file_path(record)
    assert kept.name == f"{record.file_sha256}.xlsx" and kept.read_bytes()[:2] == b"PK"

    resp = confirm(client, preview)
    assert resp.status_code == 302 and resp.location.endswith("/enterprises/")
    assert "已导入：新建 0 家企业，更新 1 家，1 家没有变化" in client.get(resp.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enterprise, firm.id).short_name == "润宏经贸"
    assert db.session.get(SheetImport, record.id).status == "applied"
    audit = AuditEvent.query.filter_by(object_type="SheetImport", object_id=record.id).order_by(AuditEvent.id).all()
    assert [a.action for a in audit] == ["create", "update"] and audit[-1].actor_id == users["staff"].id
    assert record.file_sha256[:12] in audit[-1].note and audit[-1].changes["status"] == ["ready", "applied"]
    change = AuditEvent.query.filter_by(object_type="Enterprise", object_id=firm.id, action="update").one()
    assert change.changes["short_name"] == ["润宏", "润宏经贸"] and change.note.startswith("Excel 导入第 ")
    again = client.post(f"/imports/{record.id}/apply", follow_redirects=True)
    assert "这张表已经导入过了" in again.get_data(as_text=True)


def test_a_sheet_with_a_refused_row_cannot_be_confirmed(client, login, users):
    login("staff")
    preview = upload(client, "/enterprises/import", sheet([[None, "新公司甲", None, "abc-电话"], [None, "新公司乙"]],
                                                          headers=HEADERS))
    html = preview.get_data(as_text=True)
    assert "整张表都不能导入" in html and "电话只能包含数字" in html and "确认导入" not in html
    record = SheetImport.query.one()
    assert (record.created_count, record.refused_count) == (1, 1)
    assert client.post(f"/imports/{record.id}/apply").status_code == 409
    assert Enterprise.query.count() == 0


def test_data_changed_since_the_preview_writes_nothing_and_renews_the_preview(client, login, users):
    gone = factories.enterprise(name="绥芬河市远东木业有限公司")
    login("staff")
    preview = upload(client, "/enterprises/import", sheet([[None, "新公司甲"], [gone.id, "绥芬河市远东木业有限公司", "远东"]],
                                                          headers=HEADERS))
    db.session.delete(gone)  # someone deletes the firm meanwhile
    db.session.commit()
    resp = confirm(client, preview)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "什么也没有写入" in html and "没有编号为" in html
    assert Enterprise.query.count() == 0
    record = SheetImport.query.one()
    assert (record.status, record.created_count, record.updated_count, record.refused_count) == ("ready", 1, 0, 1)


def test_an_unreadable_upload_gets_a_message_and_keeps_no_import(client, login, users):
    login("staff")
    kept = set(imports.folder().glob("*")) if imports.folder().exists() else set()
    html = upload(client, "/enterprises/import", BytesIO(b"MZ\x90\x00 renamed program"), "list.xlsx").get_data(
        as_text=True)
    assert "无法读取该文件" in html
    html = upload(client, "/enterprises/import", BytesIO(b"a,b\n"), "list.csv").get_data(as_text=True)
    assert "只能导入 .xlsx 文件" in html
    assert SheetImport.query.count() == 0
    assert (set(imports.folder().glob("*")) if imports.folder().exists() else set()) == kept


def test_another_staff_member_cannot_see_or_confirm_an_import(client, login, users):
    record = factories.sheet_import(factories.user("staff", username="other", display_name="别人"))
    login("staff")
    assert client.get(f"/imports/{record.id}").status_code == 404
    assert client.post(f"/imports/{record.id}/apply").status_code == 404
    login("admin")
    assert client.get(f"/imports/{record.id}").status_code == 200


def test_the_preview_page_runs_the_same_statements_for_few_and_many_changes(client, login, users, page_statements):
    firms = [factories.enterprise(name=f"测试企业{n}") for n in range(60)]
    few = factories.sheet_import(users["staff"], rows=[(f.id, f.name, "新简称") for f in firms[:2]],
                                 headers=["编号", "企业名称", "简称"]).id
    many = factories.sheet_import(users["staff"], rows=[(f.id, f.name, "新简称") for f in firms],
                                  headers=["编号", "企业名称", "简称"]).id
    login("staff")
    assert page_statements(client, f"/imports/{few}", fresh=True) == page_statements(
        client, f"/imports/{many}", fresh=True)
