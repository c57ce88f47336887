"""Excel in and out of the enterprise list: the import page, the template, the export."""
from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from crm.models import Enterprise
from tests import factories
from tests import imports as imports_helpers
from tests.services.sheets.test_enterprise_sheets import sheet


def upload(client, stream, name="企业清单.xlsx"):
    return imports_helpers.upload(client, "/enterprises/import", stream, name)


def test_staff_import_a_sheet_and_land_on_the_list_with_a_count(client, login):
    login("staff")
    factories.sector("biomed")
    preview = upload(client, sheet([[1, "哈尔滨龙华生物科技有限公司", "生物医药"], [2, "绥芬河市远东木业有限公司", None]],
                                   headers=["序号", "企业名称", "所属产业"]))
    assert preview.status_code == 200 and Enterprise.query.count() == 0  # nothing written before the confirmation
    resp = imports_helpers.confirm(client, preview)
    assert resp.status_code == 302 and resp.location.endswith("/enterprises/")
    assert "新建 2 家企业" in client.get("/enterprises/").get_data(as_text=True)
    assert Enterprise.query.count() == 2


def test_a_refused_sheet_lists_its_problems_and_saves_nothing(client, login):
    login("staff")
    existing = factories.enterprise(name="绥芬河市润宏经贸有限公司")
    other = factories.enterprise(name="绥芬河市远东木业有限公司")
    resp = upload(client, sheet([[1, None, "新公司甲"], [2, other.id, "绥芬河市润宏经贸有限公司"],
                                 [3, None, "<script>alert(1)</script>", "x"]],
                                headers=["序号", "编号", "企业名称", "统一社会信用代码"]))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "整张表都不能导入" in html
    assert "已有同名企业" in html and f'href="/enterprises/{existing.id}"' in html
    assert "<script>alert(1)" not in html
    assert Enterprise.query.count() == 2


def test_a_missing_or_wrong_kind_of_file_gets_a_message(client, login):
    login("staff")
    html = client.post("/enterprises/import", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert "请选择要导入的 Excel 文件" in html
    html = upload(client, BytesIO(b"a,b\n"), "list.xls").get_data(as_text=True)
    assert "只能导入 .xlsx 文件" in html
    html = upload(client, BytesIO(b"not really excel"), "list.xlsx").get_data(as_text=True)
    assert "无法读取该文件" in html


def test_the_page_and_the_template_speak_english_in_the_english_ui(client, login):
    login("staff")
    client.get("/lang/en")
    assert "Import enterprises from Excel" in client.get("/enterprises/import").get_data(as_text=True)
    resp = client.get("/enterprises/import/template.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    headers = [c.value for c in load_workbook(BytesIO(resp.data)).worksheets[0][3]]
    assert headers[0] == "Enterprise name*"


def test_officers_and_leaders_cannot_import(client, login):
    for role in ("officer", "leader"):
        login(role)
        assert client.get("/enterprises/import").status_code == 403
        assert upload(client, sheet([[1, "新公司甲"]], headers=["序号", "企业名称"])).status_code == 403
    assert Enterprise.query.count() == 0


def test_a_file_over_the_upload_limit_is_refused_with_a_page_not_a_crash(app, client, login):
    login("staff")
    resp = upload(client, BytesIO(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)))
    assert resp.status_code == 413 and "内容过大" in resp.get_data(as_text=True)


def test_the_list_exports_what_its_filters_show(client, login):
    login("staff")
    biomed, energy = factories.sector("biomed"), factories.sector("bioenergy")
    factories.enterprise(name="哈尔滨龙华生物科技有限公司", sector=biomed)
    factories.enterprise(name="阿城生物质能源有限公司", sector=energy)
    html = client.get(f"/enterprises/?sector={biomed.id}").get_data(as_text=True)
    assert f'href="/enterprises/export.xlsx?sector={biomed.id}"' in html
    resp = client.get(f"/enterprises/export.xlsx?sector={biomed.id}")
    assert resp.status_code == 200 and "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    names = [row[1].value for row in load_workbook(BytesIO(resp.data)).worksheets[0].iter_rows(min_row=4)]
    assert names == ["哈尔滨龙华生物科技有限公司"]
