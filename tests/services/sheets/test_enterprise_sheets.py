"""Importing the office's Excel list of target enterprises: all rows or none, problems by row."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook

from crm.extensions import db
from crm.models import AuditEvent, Contact, Enterprise
from crm.services.sheets import enterprise_sheets as imp
from crm.services.sheets import reader
from tests import factories

HEADERS = ["序号", "企业名称", "统一社会信用代码", "所属产业", "负责人", "标签", "来源渠道", "状态", "联系人", "联系电话",
           "联系人邮箱"]


def sheet(rows, headers=HEADERS, title="绥芬河市招商目标企业清单（2026年）") -> BytesIO:
    """An .xlsx like the office's: a title row, then the headers, then the rows."""
    book = Workbook()
    ws = book.active
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.fixture
def refs(app, users):
    return {"sector": factories.sector("biomed"), "owner": factories.user("staff", username="liuyang",
                                                                          display_name="刘洋")}


def good_rows(refs):
    code = factories.valid_credit_code()
    return [
        [1, "哈尔滨龙华生物科技有限公司", code, "生物医药", "刘洋", "高新技术企业、专精特新", "以商招商", "洽谈中",
         "王明", "0453-3921234", "wangming@example.cn"],
        [2, "Primorye Agro LLC", None, "Bio biomed", "liuyang", None, "对俄合作", None, None, None, None],
    ]


def run(user, stream):
    result = imp.import_enterprises(user, stream)
    (db.session.rollback if result.errors else db.session.commit)()
    return result


def test_a_clean_sheet_below_a_title_row_is_imported_whole_with_contacts_and_audit(refs, users):
    result = run(users["staff"], sheet(good_rows(refs)))
    assert result.errors == [] and len(result.created) == 2
    first = Enterprise.query.filter_by(name="哈尔滨龙华生物科技有限公司").one()
    assert (first.sector, first.owner, first.status, first.source_channel) == (
        refs["sector"], refs["owner"], "engaged", "以商招商")
    assert first.tags == ["专精特新", "高新技术企业"]
    assert [(c.name, c.phone, c.email) for c in first.contacts] == [("王明", "0453-3921234", "wangming@example.cn")]
    second = Enterprise.query.filter_by(name="Primorye Agro LLC").one()
    assert (second.sector, second.owner, second.status, second.role) == (refs["sector"], refs["owner"],
                                                                         "prospect", "target")
    created = AuditEvent.query.filter_by(object_type="Enterprise", action="create", object_id=first.id).one()
    assert created.actor_id == users["staff"].id and created.note == "Excel 导入第 3 行"


def test_english_headers_and_choice_words_are_read_too(refs, users):
    headers = ["Enterprise name", "Sector", "Owner", "Status", "Tags", "Source channel"]
    with force_locale("en"):
        english = [str(imp.STATUS_LABELS["engaged"]), str(imp.TERMS["龙头企业"]), str(imp.TERMS["展会"])]
    rows = [["Suifenhe Pine Nut Co., Ltd.", "Bio biomed", "刘洋", english[0], english[1], english[2]]]
    result = run(users["staff"], sheet(rows, headers=headers, title=None))
    assert result.errors == []
    firm = Enterprise.query.one()
    assert (firm.status, firm.tags, firm.source_channel) == ("engaged", ["龙头企业"], "展会")


def test_one_bad_row_saves_nothing_and_each_problem_names_its_row_and_column(refs, users):
    rows = good_rows(refs) + [
        [3, "绥芬河市远东木业有限公司", "91231081MA0000001X", "林业", "张三", "百强", "网络", "很好", "李四", "电话待定",
         "not-an-email"],
    ]
    result = run(users["staff"], sheet(rows))
    assert Enterprise.query.count() == 0 and Contact.query.count() == 0
    problems = {(e.row, e.column) for e in result.errors}
    assert {(5, "统一社会信用代码"), (5, "所属产业"), (5, "负责人"), (5, "标签"), (5, "来源渠道"), (5, "状态")} <= problems
    messages = " ".join(e.message for e in result.errors)
    assert "没有这个产业：林业" in messages and "标签无效：百强" in messages and "GB 32100-2015" in messages


def test_a_refused_contact_is_reported_under_its_own_column(refs, users):
    rows = [[1, "绥芬河市远东木业有限公司", None, None, None, None, None, None, "李四", "电话待定", "not-an-email"]]
    result = run(users["staff"], sheet(rows))
    assert {(e.row, e.column) for e in result.errors} == {(3, "联系电话"), (3, "联系人邮箱")}
    assert Enterprise.query.count() == 0


def test_the_same_firm_twice_in_the_sheet_or_a_rename_onto_another_firm_is_refused(refs, users):
    existing = factories.enterprise(name="绥芬河市润宏经贸有限公司")
    other = factories.enterprise(name="绥芬河市远东木业有限公司")
    third = factories.enterprise(name="黑河木业有限公司")
    code = factories.valid_credit_code()
    rows = [[1, other.id, "绥芬河市 润宏经贸（有限）公司"], [2, None, "黑龙江新世纪能源有限公司", code],
            [3, None, "黑龙江新世纪能源有限公司"], [4, None, "另一家公司", code.lower()],
            [5, None, "黑河木业有限公司"], [6, third.id, "黑河新木业有限公司"]]
    result = run(users["staff"], sheet(rows, headers=["序号", "编号", "企业名称", "统一社会信用代码"]))
    by_row = {e.row: e for e in result.errors}
    assert by_row[3].link == (existing.id, existing.name) and "已有同名企业" in by_row[3].message
    assert by_row[5].message == "与第 4 行是同一家企业。" and by_row[5].column == "企业名称"
    assert by_row[6].message == "与第 4 行是同一家企业。" and by_row[6].column == "统一社会信用代码"
    assert by_row[8].message == "与第 7 行是同一家企业。"  # by name, then by its 编号
    assert set(by_row) == {3, 5, 6, 8} and Enterprise.query.count() == 3


def test_an_owner_name_two_staff_share_asks_for_the_username(refs, users):
    factories.user("staff", username="liuyang2", display_name="刘洋")
    result = run(users["staff"], sheet([[1, "绥芬河市远东木业有限公司", None, None, "刘洋"]]))
    assert [e.column for e in result.errors] == ["负责人"] and "请填写用户名" in result.errors[0].message
    assert run(users["staff"], sheet([[1, "绥芬河市远东木业有限公司", None, None, "liuyang2"]])).errors == []


def test_a_credit_code_excel_kept_as_a_rounded_number_asks_for_a_text_column(refs, users):
    # Typed into a number cell, Excel keeps 15 digits: 912310810000000004 becomes 9.12310810000000E+17.
    result = run(users["staff"], sheet([[1, "北京数字公司", 9.1231081e17]], headers=["序号", "企业名称", "统一社会信用代码"]))
    assert [(e.row, e.column) for e in result.errors] == [(3, "统一社会信用代码")]
    assert "设为“文本”" in result.errors[0].message and Enterprise.query.count() == 0


@pytest.mark.parametrize("content, message", [
    (b"not a spreadsheet", "无法读取该文件"),
    (None, "没有找到表头：表头须有“企业名称”一列"),
    ("header only", "表头下面没有数据"),
])
def test_a_file_that_is_not_a_list_is_refused_with_a_message(refs, users, content, message):
    if content is None:
        stream = sheet([["一些数据"]], headers=["项目", "金额"])
    elif content == "header only":
        stream = sheet([])
    else:
        stream = BytesIO(content)
    with pytest.raises(reader.SheetError, match=message):
        imp.import_enterprises(users["staff"], stream)


def test_more_rows_than_the_limit_are_refused_before_anything_is_checked(refs, users, monkeypatch):
    monkeypatch.setattr(imp, "MAX_ROWS", 3)
    rows = [[n, f"绥芬河测试公司{n}"] for n in range(1, 5)]
    with pytest.raises(reader.SheetError, match="一次最多导入 3 行"):
        imp.import_enterprises(users["staff"], sheet(rows, headers=["序号", "企业名称"]))


def test_the_template_round_trips_and_offers_drop_down_lists(refs, users):
    book = load_workbook(BytesIO(imp.template()))
    ws = book.worksheets[0]
    headers = [c.value for c in ws[3]]
    assert headers[0] == "企业名称*" and "联系电话" in headers
    assert ws.column_dimensions["E"].number_format == "@"  # the credit code stays text when typed
    lists = {str(rule.sqref).rstrip("0123456789").split(":")[0].rstrip("0123456789")
             for rule in ws.data_validations.dataValidation}
    assert lists == {"H", "I", "J", "K", "L"}  # sector, source channel, owner, status, role
    values = book.worksheets[1]
    assert "生物医药" in [c.value for c in values["A"]] and "刘洋（liuyang）" in [
        c.value for row in values.iter_rows() for c in row]
    ws.append(["绥芬河市远东木业有限公司", None, "Suifenhe Far East Wood Co.", "ООО «Дальневосточный лес»", None, None,
               None, "生物医药", None, "刘洋"])
    out = BytesIO()
    book.save(out)
    out.seek(0)
    result = run(users["staff"], out)
    firm = Enterprise.query.one()
    assert result.errors == [] and firm.sector == refs["sector"] and firm.name_ru == "ООО «Дальневосточный лес»"


# --- export ------------------------------------------------------------------------------

def exported_rows(data: bytes) -> list[list]:
    ws = load_workbook(BytesIO(data)).worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=4)]


def test_the_export_writes_the_filtered_list_in_order_with_labels_contact_and_last_contact(refs, users):
    other = factories.sector("bioenergy")
    firm = factories.enterprise(name="哈尔滨龙华生物科技有限公司", sector=refs["sector"], owner=refs["owner"],
                                status="engaged", tags=["龙头企业", "专精特新"], source_channel="展会",
                                last_interaction_at=datetime(2026, 11, 30, 17, 0))  # 12-01 01:00 in Suifenhe
    factories.contact(firm, name="王明", phone="0453-3921234")
    factories.enterprise(name="阿城生物质能源有限公司", sector=refs["sector"])
    factories.enterprise(name="别的产业公司", sector=other)
    data, count, cut = imp.export({"sector_id": refs["sector"].id}, datetime(2026, 12, 3, 9, 0))
    rows = exported_rows(data)
    # the list page's order: by normalised name, in code-point order
    assert (count, cut) == (2, False) and [r[1] for r in rows] == ["哈尔滨龙华生物科技有限公司", "阿城生物质能源有限公司"]
    row = dict(zip([str(c.label) for c in imp.READ_COLUMNS] + ["最近对接"], rows[0]))
    assert (row["编号"], row["所属产业"], row["负责人"], row["状态"], row["来源渠道"], row["标签"]) == (
        firm.id, "生物医药", "刘洋（liuyang）", "洽谈中", "展会", "专精特新、龙头企业")
    assert (row["联系人姓名"], row["联系电话"]) == ("王明", "0453-3921234")
    assert row["最近对接"].date() == date(2026, 12, 1)


def test_an_export_over_the_limit_says_it_was_cut(refs, users, monkeypatch):
    monkeypatch.setattr(imp, "MAX_EXPORT", 2)
    for n in range(3):
        factories.enterprise(name=f"绥芬河测试公司{n}")
    data, count, cut = imp.export({}, datetime(2026, 12, 3, 9, 0))
    assert (count, cut) == (2, True) and len(exported_rows(data)) == 2
    assert "只导出前 2 家" in load_workbook(BytesIO(data)).worksheets[0]["A2"].value


def test_an_exported_sheet_imports_back_as_the_same_enterprises(refs, users):
    code = factories.valid_credit_code()
    firm = factories.enterprise(name="哈尔滨龙华生物科技有限公司", credit_code=code, sector=refs["sector"],
                                owner=refs["owner"], status="invested", role="investor", tags=["上市公司"],
                                region="黑龙江省哈尔滨市", source_channel="以商招商", name_en="Harbin Longhua Biotech")
    factories.contact(firm, name="王明", title="总经理", phone="13800000000", email="wm@example.cn")
    data, _count, _cut = imp.export({}, datetime(2026, 12, 3, 9, 0))
    db.session.delete(firm)
    db.session.commit()
    book = load_workbook(BytesIO(data))
    book.worksheets[0]["A4"] = None  # its 编号 was the deleted firm's: without it the row is a new firm
    out = BytesIO()
    book.save(out)
    out.seek(0)
    assert run(users["staff"], out).errors == []
    again = Enterprise.query.one()
    assert (again.name, again.credit_code, again.sector, again.owner, again.status, again.role, again.tags,
            again.region, again.source_channel, again.name_en) == (
        "哈尔滨龙华生物科技有限公司", code, refs["sector"], refs["owner"], "invested", "investor", ["上市公司"],
        "黑龙江省哈尔滨市", "以商招商", "Harbin Longhua Biotech")
    assert [(c.name, c.title, c.phone, c.email) for c in again.contacts] == [("王明", "总经理", "13800000000",
                                                                            "wm@example.cn")]
