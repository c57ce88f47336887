"""The project list as an Excel sheet: the list's filters, its order, amounts and dates Excel can use."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import AuditEvent, Project, StageEvent
from crm.services import pipeline
from crm.services import projects as svc
from crm.services.sheets import project_import, project_sheet, reader
from tests import factories

NOW = datetime(2026, 12, 3, 9, 0)


@pytest.fixture
def refs(app, users):
    return factories.project_refs() | {"leader": users["leader"]}


def rows(data: bytes) -> list[dict]:
    ws = load_workbook(BytesIO(data)).worksheets[0]
    headers = [c.value for c in ws[3]]
    return [dict(zip(headers, (c for c in row))) for row in ws.iter_rows(min_row=4)]


def test_the_sheet_holds_the_filtered_projects_newest_first_with_milestones(refs):
    older = factories.project(name="中药材种植加工项目", stage="signed", sector=refs["sector"], park=refs["park"],
                              lead_department=refs["dept"], departments=[refs["dept"], refs["other"]],
                              task_force=refs["tf"], liaison_leader=refs["leader"], is_key=True, key_level="city",
                              total_investment=Decimal("12000.50"), contacted_on=date(2026, 3, 2),
                              signed_on=date(2026, 6, 18), signed_amount=Decimal("9000"))
    newer = factories.project(name="口腔器材生产基地项目", stage="signed", in_pool=False)
    factories.project(name="谋划中的项目", stage="planned")
    data, count, cut = project_sheet.export(svc.project_filters({"stage": "signed"}), NOW)
    got = rows(data)
    assert (count, cut) == (2, False) and [r["编号"].value for r in got] == [newer.id, older.id]
    row = got[1]
    assert (row["项目名称"].value, row["阶段"].value, row["园区"].value, row["责任部门"].value) == (
        "中药材种植加工项目", "签约", "综保区", "工信科局、农业农村局")
    assert (row["重点级别"].value, row["在储备库"].value, got[0]["在储备库"].value) == ("市级重点", "是", "否")
    assert row["总投资（万元）"].value == 12000.5 and row["总投资（万元）"].number_format == "#,##0.00"
    assert row["签约日期"].value.date() == date(2026, 6, 18) and row["签约日期"].number_format == "yyyy-mm-dd"
    assert row["包联领导"].value == f"{refs['leader'].display_name}（{refs['leader'].username}）"


def test_the_sheet_speaks_the_ui_language_and_keeps_each_language_of_a_name_in_its_column(refs):
    factories.project(name="饲料加工项目", name_en="Feed Processing Project", stage="planned")
    with force_locale("en"):
        data, _count, _cut = project_sheet.export([], NOW)
    row = rows(data)[0]
    assert row["Stage"].value == "Planning"
    assert (row["Project name"].value, row["Project name (English)"].value) == ("饲料加工项目", "Feed Processing Project")


def test_a_sheet_over_the_limit_says_it_was_cut(refs, monkeypatch):
    monkeypatch.setattr(project_sheet, "MAX_EXPORT", 2)
    for _n in range(3):
        factories.project()
    data, count, cut = project_sheet.export([], NOW)
    assert (count, cut) == (2, True) and len(rows(data)) == 2 and Project.query.count() == 3
    assert "只导出前 2 个" in load_workbook(BytesIO(data)).worksheets[0]["A2"].value


# --- import ------------------------------------------------------------------------------

def project_sheet_file(rows, headers) -> BytesIO:
    from tests.services.sheets.test_enterprise_sheets import sheet
    return sheet(rows, headers=headers, title="2026年第四季度新增储备项目")


HEADERS = ["序号", "项目名称", "行业领域", "阶段", "总投资（万元）", "园区", "牵头部门", "责任部门", "专班", "重点级别",
           "投资主体", "建设主要内容"]


def imported(user, stream):
    result = project_import.import_projects(user, stream)
    (db.session.rollback if result.errors else db.session.commit)()
    return result


def test_new_planned_projects_are_imported_whole_into_the_pool(refs, users):
    rows = [[1, "对俄木材深加工项目", "生物医药", "谋划", "12,000.5", "综保区", "工信科局", "工信科局、农业农村局",
             "生物医药产业推进专班", "市级重点", "黑龙江域外百草药业科技有限公司", "年加工木材10万立方米"],
            [2, "冷链物流中心项目", "Bio biomed", None, 8000, None, None, None, None, None, None, None]]
    result = imported(users["staff"], project_sheet_file(rows, HEADERS))
    assert result.errors == [] and len(result.created) == 2
    first = Project.query.filter_by(name="对俄木材深加工项目").one()
    assert (first.stage, first.in_pool, first.total_investment, first.park, first.lead_department) == (
        "planned", True, Decimal("12000.50"), refs["park"], refs["dept"])
    assert first.departments == [refs["dept"], refs["other"]] and first.investors == [refs["investor"]]
    assert (first.is_key, first.key_level, first.task_force) == (True, "city", refs["tf"])
    created = AuditEvent.query.filter_by(object_type="Project", action="create", object_id=first.id).one()
    assert created.actor_id == users["staff"].id and created.note == "Excel 导入第 3 行"


def test_a_refused_row_keeps_the_whole_sheet_out_and_names_each_problem(refs, users):
    existing = factories.project(name="中医药保健医院项目")
    factories.project(name="中医药保健医院项目")  # two of a name: the row must say which by its 编号
    rows = [[1, "新项目甲", "生物医药"],
            [2, "中医药保健医院项目", "生物医药"],
            [3, "新项目乙", "林业", "签约", "-5", "无名园区", "无名局", "工信科局、无名局", None, "国家级", "不存在的公司"],
            [4, "新项目甲", None]]
    result = imported(users["staff"], project_sheet_file(rows, HEADERS))
    assert Project.query.count() == 2
    by_cell = {(e.row, e.column): e for e in result.errors}
    assert by_cell[(4, "项目名称")].link == (existing.id, existing.name)
    assert "请填写编号" in by_cell[(4, "项目名称")].message
    assert "不能为负数" in by_cell[(5, "总投资（万元）")].message
    assert {(5, "首次洽谈日期"), (5, "签约日期"), (5, "签约金额（万元）")} <= set(by_cell)  # 签约 wants its dates
    assert {(5, "行业领域"), (5, "园区"), (5, "牵头部门"), (5, "责任部门"), (5, "重点级别"), (5, "投资主体")} <= set(by_cell)
    assert "无名局" in by_cell[(5, "责任部门")].message and "不存在的公司" in by_cell[(5, "投资主体")].message
    assert by_cell[(6, "项目名称")].message == "与第 3 行是同一个项目。"
    assert "请选择行业领域" in by_cell[(6, "行业领域")].message


def test_the_project_template_offers_the_reference_lists(refs, users):
    book = load_workbook(BytesIO(project_sheet.template()))
    headers = [c.value for c in book.worksheets[0][3]]
    assert headers[:4] == ["项目名称*", "项目名称（英文）", "项目名称（俄文）", "行业领域*"]
    assert {"暂缓/终止日期", "暂缓/终止原因"} <= set(headers)
    choices = [c.value for row in book.worksheets[1].iter_rows() for c in row]
    assert "生物医药产业推进专班" in choices and {"投产", "暂缓", "终止"} <= set(choices)


def test_a_project_owner_name_two_staff_share_asks_for_the_username(refs, users):
    factories.user("staff", username="liuyang", display_name="刘洋")
    factories.user("staff", username="liuyang2", display_name="刘洋")
    headers = ["序号", "项目名称", "行业领域", "负责人（经合中心）"]
    result = imported(users["staff"], project_sheet_file([[1, "冷链物流中心项目", "生物医药", "刘洋"]], headers))
    assert [e.column for e in result.errors] == ["负责人（经合中心）"] and "请填写用户名" in result.errors[0].message
    assert imported(users["staff"], project_sheet_file([[1, "冷链物流中心项目", "生物医药", "liuyang2"]],
                                                       headers)).errors == []
    assert Project.query.one().owner.username == "liuyang2"


STAGE_HEADERS = ["项目名称", "行业领域", "阶段", "首次洽谈日期", "签约日期", "签约金额（万元）", "开工日期", "投产日期"]


def test_a_project_past_planning_is_moved_through_each_dated_milestone(refs, users):
    rows = [["中药材种植加工项目", "生物医药", "开工", datetime(2026, 3, 2), "2026/6/18", "9,000", "2026年9月1日", None]]
    result = imported(users["staff"], project_sheet_file(rows, STAGE_HEADERS))
    assert result.errors == []
    project = Project.query.one()
    assert (project.stage, project.stage_on, project.signed_amount) == ("started", date(2026, 9, 1), Decimal("9000"))
    assert (project.contacted_on, project.signed_on, project.started_on, project.operating_on) == (
        date(2026, 3, 2), date(2026, 6, 18), date(2026, 9, 1), None)
    events = StageEvent.query.filter_by(project_id=project.id).order_by(StageEvent.id).all()
    assert [(e.from_stage, e.to_stage, e.occurred_on) for e in events] == [
        ("planned", "contact", date(2026, 3, 2)), ("contact", "signed", date(2026, 6, 18)),
        ("signed", "started", date(2026, 9, 1))]
    assert {e.evidence for e in events} == {"Excel 导入第 3 行"} and not any(e.is_override for e in events)
    assert events[1].contract_amount == Decimal("9000") and {e.recorded_by_id for e in events} == {users["staff"].id}
    moves = AuditEvent.query.filter_by(object_type="Project", action="update", object_id=project.id).all()
    assert ["contact", "signed", "started"] == [m.changes["stage"][1] for m in moves if "stage" in m.changes]


@pytest.mark.parametrize("row, column, words", [
    (["签约", "2026-03-02", "2026-06-18", None], "签约金额（万元）", "签约金额"),
    (["签约", "2026-03-02", None, "9000"], "签约日期", "请填写此日期"),
    (["洽谈", "2026-03-02", None, "9000"], "签约金额（万元）", "阶段尚未到签约"),
    (["洽谈", "2026-03-02", "2026-06-18", None], "签约日期", "阶段尚未到签约"),
    (["签约", "2026-06-18", "2026-03-02", "9000"], "签约日期", "不能早于洽谈日期"),
    (["洽谈", "2030-01-01", None, None], "首次洽谈日期", "不能晚于今天"),
    (["洽谈", "2026-02-30", None, None], "首次洽谈日期", "无法识别的日期"),
    (["签约", "2026-03-02", "2026-06-18", "abc"], "签约金额（万元）", "请输入数字"),
    (["已落地", None, None, None], "阶段", "没有这个阶段：已落地"),
])
def test_a_stage_the_dates_do_not_bear_out_is_refused(refs, users, row, column, words):
    stage, contacted, signed, amount = row
    rows = [["冷链物流中心项目", "生物医药"], ["中药材种植加工项目", "生物医药", stage, contacted, signed, amount]]
    result = imported(users["staff"], project_sheet_file(rows, STAGE_HEADERS))
    assert Project.query.count() == 0 and StageEvent.query.count() == 0
    assert [(e.row, e.column) for e in result.errors] == [(4, column)] and words in result.errors[0].message


SIDE_HEADERS = STAGE_HEADERS + ["暂缓/终止日期", "暂缓/终止原因"]


def test_a_paused_project_goes_through_its_dated_milestones_then_pauses_with_its_reason(refs, users):
    rows = [["中药材种植加工项目", "生物医药", "暂缓", "2026-03-02", "2026-06-18", "9000", None, None,
             "2026-10-08", " 投资方资金未到位，待明年复议 "],
            ["冷链物流中心项目", "生物医药", "终止", None, None, None, None, None, "2026-04-01", "选址不符合规划"]]
    assert imported(users["staff"], project_sheet_file(rows, SIDE_HEADERS)).errors == []
    paused, dropped = (Project.query.filter_by(name=n).one() for n in ("中药材种植加工项目", "冷链物流中心项目"))
    assert (paused.stage, paused.stage_on, paused.signed_on, paused.signed_amount) == (
        "paused", date(2026, 10, 8), date(2026, 6, 18), Decimal("9000"))
    events = StageEvent.query.filter_by(project_id=paused.id).order_by(StageEvent.id).all()
    assert [(e.from_stage, e.to_stage, e.occurred_on, e.reason) for e in events] == [
        ("planned", "contact", date(2026, 3, 2), None), ("contact", "signed", date(2026, 6, 18), None),
        ("signed", "paused", date(2026, 10, 8), "投资方资金未到位，待明年复议")]
    assert not any(e.is_override for e in events) and pipeline.base_stage(paused) == "signed"
    assert [(e.from_stage, e.to_stage, e.reason) for e in dropped.stage_events] == [("planned", "dropped", "选址不符合规划")]
    assert dropped.contacted_on is None and dropped.stage_on == date(2026, 4, 1)


@pytest.mark.parametrize("row, column, words", [
    (["暂缓", "2026-03-02", None, None, None, "资金未到位"], "暂缓/终止日期", "请填写此日期"),
    (["终止", "2026-03-02", None, None, "2026-05-01", None], "暂缓/终止原因", "必须填写原因"),
    (["暂缓", "2026-03-02", None, None, "2026-02-01", "资金未到位"], "暂缓/终止日期", "不能倒流"),
    (["暂缓", "2026-03-02", None, None, "2030-01-01", "资金未到位"], "暂缓/终止日期", "不能晚于今天"),
    (["暂缓", "2026-03-02", None, None, "下个月", "资金未到位"], "暂缓/终止日期", "无法识别的日期"),
    (["暂缓", None, "2026-06-18", "9000", "2026-10-08", "资金未到位"], "首次洽谈日期", "请填写此日期"),
    (["洽谈", "2026-03-02", None, None, None, "资金未到位"], "暂缓/终止原因", "阶段不是暂缓或终止"),
    (["洽谈", "2026-03-02", None, None, "2026-10-08", None], "暂缓/终止日期", "阶段不是暂缓或终止"),
])
def test_a_pause_or_drop_without_its_date_and_reason_is_refused(refs, users, row, column, words):
    stage, contacted, signed, amount, side_on, reason = row
    rows = [["中药材种植加工项目", "生物医药", stage, contacted, signed, amount, None, None, side_on, reason]]
    result = imported(users["staff"], project_sheet_file(rows, SIDE_HEADERS))
    assert Project.query.count() == 0 and StageEvent.query.count() == 0
    assert [(e.row, e.column) for e in result.errors] == [(3, column)] and words in result.errors[0].message


def test_a_sheet_without_the_pause_columns_asks_for_both_on_a_paused_row(refs, users):
    rows = [["中药材种植加工项目", "生物医药", "暂缓", "2026-03-02"]]
    result = imported(users["staff"], project_sheet_file(rows, STAGE_HEADERS))
    assert [(e.column, e.message) for e in result.errors] == [
        ("暂缓/终止日期", "阶段为暂缓，请填写此日期。"), ("暂缓/终止原因", "暂缓或终止项目必须填写原因。")]
    assert Project.query.count() == 0


def test_rows_after_a_refused_row_still_have_their_dates_checked(refs, users):
    rows = [["冷链物流中心项目", None], ["中药材种植加工项目", "生物医药", "洽谈", "2099-01-01"]]
    result = imported(users["staff"], project_sheet_file(rows, STAGE_HEADERS))
    assert [(e.row, e.column) for e in result.errors] == [(3, "行业领域"), (4, "首次洽谈日期")]


def test_an_exported_project_list_imports_back_with_stages_and_milestones(refs, users):
    factories.project(name="饲料加工项目", sector=refs["sector"], lead_department=refs["dept"],
                      total_investment=Decimal("3000"))
    signed = factories.project(name="口腔器材生产基地项目", sector=refs["sector"])
    svc.record_stage_move(users["staff"], signed, {"to_stage": "contact", "occurred_on": date(2026, 3, 2)})
    svc.record_stage_move(users["staff"], signed, {"to_stage": "signed", "occurred_on": date(2026, 6, 18),
                                                   "contract_amount": "9000.5"})
    paused = factories.project(name="中药材种植加工项目", sector=refs["sector"])
    svc.record_stage_move(users["staff"], paused, {"to_stage": "contact", "occurred_on": date(2026, 4, 1),
                                                   "reason": "不该导出的原因"})
    svc.record_stage_move(users["staff"], paused, {"to_stage": "paused", "occurred_on": date(2026, 9, 30),
                                                   "reason": "投资方资金未到位"})
    db.session.commit()
    data, _count, _cut = project_sheet.export([], NOW)
    sheet_rows = {row["项目名称"].value: row for row in rows(data)}
    assert [sheet_rows["中药材种植加工项目"][h].value for h in ("阶段", "暂缓/终止日期", "暂缓/终止原因")] == [
        "暂缓", datetime(2026, 9, 30), "投资方资金未到位"]
    assert [sheet_rows["口腔器材生产基地项目"][h].value for h in ("暂缓/终止日期", "暂缓/终止原因")] == [None, None]
    Project.query.delete()
    db.session.commit()
    assert [e.column for e in imported(users["staff"], BytesIO(data)).errors] == ["编号"] * 3  # they were deleted
    book = load_workbook(BytesIO(data))
    for row in book.worksheets[0].iter_rows(min_row=4):
        row[0].value = None  # without their 编号 the rows are new projects
    out = BytesIO()
    book.save(out)
    out.seek(0)
    assert imported(users["staff"], out).errors == []
    planned, again = (Project.query.filter_by(name=name).one() for name in ("饲料加工项目", "口腔器材生产基地项目"))
    assert (planned.name, planned.stage, planned.sector, planned.lead_department, planned.total_investment) == (
        "饲料加工项目", "planned", refs["sector"], refs["dept"], Decimal("3000"))
    assert (again.stage, again.contacted_on, again.signed_on, again.signed_amount) == (
        "signed", date(2026, 3, 2), date(2026, 6, 18), Decimal("9000.5"))
    paused = Project.query.filter_by(name="中药材种植加工项目").one()
    assert (paused.stage, paused.stage_on, paused.contacted_on) == ("paused", date(2026, 9, 30), date(2026, 4, 1))
    assert paused.stage_events[-1].reason == "投资方资金未到位"


@pytest.mark.parametrize("text, day", [
    ("2026-06-18", date(2026, 6, 18)), ("2026/6/8", date(2026, 6, 8)), ("2026.06.18", date(2026, 6, 18)),
    ("2026年6月18日", date(2026, 6, 18)), ("２０２６－０６－１８", date(2026, 6, 18)), ("46191", date(2026, 6, 18)),
    (None, None)])
def test_sheet_dates_are_read_as_offices_type_them(text, day):
    assert reader.cell_date(text) == day


@pytest.mark.parametrize("text", ["2026-13-01", "18/06/2026", "明年", "2026-06", "2026", "9000"])
def test_a_date_that_cannot_be_read_says_how_to_write_it(app, text):
    with pytest.raises(ValueError, match="2024-05-01"):
        reader.cell_date(text)
