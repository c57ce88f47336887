"""Project pages: list and filters, create/edit with validation, the project page, stage moves."""
import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import AuditEvent, Department, Enterprise, Project, StageEvent
from tests import factories

PAYLOAD = '<script>alert("x")</script>'



@pytest.fixture
def refs(app):
    return factories.project_refs()


form_data = factories.project_form


# --- list -----------------------------------------------------------------------------

def test_the_list_runs_the_same_statements_at_10_and_200_projects(client, login, page_statements, refs):
    login("staff")
    investor_ids = [factories.enterprise().id, factories.enterprise().id]
    ids = dict(sector_id=refs["sector"].id, park_id=refs["park"].id, lead_department_id=refs["dept"].id,
               task_force_id=refs["tf"].id, last_interaction_at=datetime(2025, 1, 1))
    other_id = refs["other"].id

    def fill(n):  # fresh instances each time: the counting expunges the session
        factories.many_projects(n, investors=[db.session.get(Enterprise, i) for i in investor_ids],
                                departments=[db.session.get(Department, other_id)], **ids)

    fill(10)
    few = page_statements(client, "/projects/", fresh=True)
    fill(190)
    many = page_statements(client, "/projects/?page=2", fresh=True)
    assert few == many


def test_the_list_filters_by_each_attribute(client, login, refs):
    login("leader")
    factories.project(name="甲项目", sector=refs["sector"], park=refs["park"], task_force=refs["tf"], is_key=True,
                      key_level="province", lead_department=refs["dept"])
    factories.project(name="乙项目", sector=factories.sector("bioenergy"), stage="signed", in_pool=False,
                      departments=[refs["other"]])
    cases = {
        f"sector={refs['sector'].id}": "甲项目", f"park={refs['park'].id}": "甲项目", f"task_force={refs['tf'].id}": "甲项目",
        f"department={refs['dept'].id}": "甲项目", "key=1": "甲项目", "key=province": "甲项目", "pool=1": "甲项目",
        "stage=signed": "乙项目", f"department={refs['other'].id}": "乙项目", "pool=0": "乙项目", "key=0": "乙项目",
        "q=乙": "乙项目",
    }
    for query, only in cases.items():
        html = client.get(f"/projects/?{query}").get_data(as_text=True)
        other = "乙项目" if only == "甲项目" else "甲项目"
        assert only in html and other not in html, query


def test_pages_beyond_the_first_and_junk_page_numbers_work(client, login, refs):
    login("staff")
    factories.many_projects(55, sector=refs["sector"])
    assert "下一页" in client.get("/projects/").get_data(as_text=True)
    assert client.get("/projects/?page=2").status_code == 200
    assert client.get("/projects/?page=abc&sector=zz&stage=<b>").status_code == 200


# --- create / edit --------------------------------------------------------------------

def test_staff_create_a_project_that_starts_planned(client, login, refs):
    login("staff")
    investor = factories.enterprise(name="中大方宏（北京）资产管理有限公司")
    resp = client.post("/projects/new", data=form_data(refs, investor_ids=[str(investor.id)]))
    assert resp.status_code == 302
    project = Project.query.one()
    assert resp.headers["Location"].endswith(f"/projects/{project.id}")
    assert project.stage == "planned" and project.investors == [investor] and project.departments == [refs["other"]]
    assert project.total_investment == Decimal("50000")


def test_the_form_offers_choices_and_hides_the_stage(client, login, refs):
    login("staff")
    html = client.get("/projects/new").get_data(as_text=True)
    assert "生物医药产业推进专班" in html and 'data-lookup-url="/enterprises/lookup"' in html
    assert 'name="stage"' not in html and 'name="to_stage"' not in html


# The investor select lists only the chosen investors; the search box asks enterprises.lookup.

def investor_options(html: str) -> list[tuple[str, bool, str]]:
    """(value, selected, name) of each option of the investor select."""
    select = re.search(r'<select[^>]*name="investor_ids"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [(value, bool(selected), name) for selected, value, name in
            re.findall(r'<option( selected)? value="([^"]*)">(.*?)</option>', select)]


def enterprises_named(prefix: str, n: int) -> None:
    for i in range(n):
        factories.enterprise(commit=False, name=f"{prefix}{i:03d}有限公司")
    db.session.commit()


def test_the_new_form_lists_no_enterprise_however_many_there_are(client, login, refs):
    login("staff")
    enterprises_named("绥芬河市甲经贸", 3)
    few = client.get("/projects/new").get_data(as_text=True)
    enterprises_named("绥芬河市乙经贸", 60)
    many = client.get("/projects/new").get_data(as_text=True)
    assert investor_options(many) == [] and "经贸" not in many and refs["investor"].name not in many
    assert len(many) == len(few)


def test_the_edit_form_lists_exactly_the_projects_investors_chosen(client, login, refs, page_statements):
    login("staff")
    enterprises_named("绥芬河市丙经贸", 40)
    firms = [factories.enterprise(name="安徽丰原集团有限公司"), factories.enterprise(name="北京大北农科技集团股份有限公司")]
    project = factories.project(sector=refs["sector"], investors=firms)
    html = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert sorted(investor_options(html)) == sorted((str(f.id), True, f.name) for f in firms)
    assert "丙经贸" not in html
    # One query for the chosen investors whatever their number.
    few = page_statements(client, f"/projects/{project.id}/edit", fresh=True)
    project = db.session.get(Project, project.id)
    project.investors = Enterprise.query.all()
    db.session.commit()
    assert page_statements(client, f"/projects/{project.id}/edit", fresh=True) == few


def test_a_refused_post_keeps_the_chosen_investors_chosen_and_drops_unknown_ids(client, login, refs):
    login("staff")
    enterprises_named("绥芬河市丁经贸", 5)
    chosen = factories.enterprise(name="黑龙江省维多宝绿色植物有限公司")
    data = form_data(refs, name="", investor_ids=[str(chosen.id), str(refs["investor"].id), "424242", "junk"])
    html = client.post("/projects/new", data=data).get_data(as_text=True)
    assert "请填写项目名称" in html and "所选项不存在" in html and Project.query.count() == 0
    assert sorted(investor_options(html)) == sorted([(str(refs["investor"].id), True, refs["investor"].name),
                                                     (str(chosen.id), True, chosen.name)])
    assert "丁经贸" not in html


def test_editing_replaces_the_investors_with_those_posted(client, login, refs):
    login("staff")
    old, new = factories.enterprise(name="安徽丰原集团有限公司"), factories.enterprise(name="绥芬河市润宏经贸有限公司")
    project = factories.project(sector=refs["sector"], investors=[old])
    resp = client.post(f"/projects/{project.id}/edit",
                       data=form_data(refs, investor_ids=[str(new.id), str(refs["investor"].id)]))
    assert resp.status_code == 302
    db.session.expire_all()
    assert {e.id for e in db.session.get(Project, project.id).investors} == {new.id, refs["investor"].id}
    resp = client.post(f"/projects/{project.id}/edit", data=form_data(refs, investor_ids=[]))
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).investors == []


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "请填写项目名称"),
    ("name", "项" * 161, "不能超过 160 个字符"),
    ("total_investment", "-100", "不能为负数"),
    ("total_investment", "abc", "请输入数字"),
    ("fixed_investment", "60000", "固定资产投资不能大于总投资"),
    ("sector_id", "99999", "所选项不存在"),
    ("sector_id", "bogus", "请选择行业领域"),
    ("investor_ids", ["424242"], "所选项不存在"),
    ("sector_id", str(2**31), "所选项不存在"),  # beyond a PostgreSQL INTEGER
    ("investor_ids", [str(2**64)], "所选项不存在"),  # beyond what SQLite can bind
    ("jobs", "-1", "之间"),
])
def test_bad_input_shows_a_form_error_and_saves_nothing(client, login, refs, field, value, message):
    login("staff")
    resp = client.post("/projects/new", data=form_data(refs, **{field: value}))
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert Project.query.count() == 0


def test_editing_keeps_the_stage_and_records_the_change(client, login, refs):
    login("staff")
    project = factories.project(name="旧名称", sector=refs["sector"], stage="contact")
    resp = client.post(f"/projects/{project.id}/edit", data=form_data(refs, name="新名称", stage="operating"))
    assert resp.status_code == 302
    db.session.refresh(project)
    assert project.name == "新名称" and project.stage == "contact"
    audit = AuditEvent.query.filter_by(object_type="Project", object_id=project.id, action="update").one()
    assert audit.changes["name"] == ["旧名称", "新名称"]
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "项目名称" in html and "旧名称" in html and "新名称" in html  # the audit history, readable


def test_an_officer_edits_own_department_projects_only(client, login, refs):
    login("officer")  # 工信科局
    foreign = factories.foreign_project()
    assert client.get(f"/projects/{foreign.id}/edit").status_code == 404
    assert client.post(f"/projects/{foreign.id}/edit", data=form_data(refs)).status_code == 404
    shared = factories.project(lead_department=refs["other"], departments=[refs["dept"]])
    assert client.get(f"/projects/{shared.id}/edit").status_code == 200
    resp = client.post(f"/projects/{shared.id}/edit", data=form_data(  # who leads it stays the center's call
        refs, name="工信科局参与的项目", lead_department_id=str(refs["other"].id), department_ids=[str(refs["dept"].id)]))
    assert resp.status_code == 302 and db.session.get(Project, shared.id).name == "工信科局参与的项目"


def test_leaders_read_but_do_not_edit(client, login, refs):
    login("leader")
    project = factories.project(lead_department=refs["dept"])
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "stage-form" not in html and f"/projects/{project.id}/edit" not in html
    assert client.get(f"/projects/{project.id}/edit").status_code == 403
    assert client.post("/projects/new", data=form_data(refs)).status_code == 403


def test_unknown_ids_are_404(client, login):
    login("admin")
    for url in ("/projects/987654", "/projects/987654/edit"):
        assert client.get(url).status_code == 404
    assert client.post("/projects/987654/stage", data={"to_stage": "contact"}).status_code == 404


# --- escaping ---------------------------------------------------------------------------

def test_script_payloads_render_escaped_on_list_detail_and_board(client, login, refs):
    login("admin")
    investor = factories.enterprise(name=PAYLOAD + "投资方")
    text_fields = ("name", "name_en", "name_ru", "description", "description_en", "description_ru", "site", "site_en",
                   "site_ru", "funding_sources", "capacity", "capacity_en", "capacity_ru", "land_text", "notes")
    resp = client.post("/projects/new", data=form_data(refs, investor_ids=[str(investor.id)],
                                                       **{f: PAYLOAD for f in text_fields}))
    assert resp.status_code == 302
    project = Project.query.one()
    assert project.description == PAYLOAD
    move(client, project, to_stage="contact", occurred_on="2025-01-05", evidence=PAYLOAD, reason=PAYLOAD)
    factories.interaction(investor, project=project, summary=PAYLOAD, outcome=PAYLOAD)
    for url in ("/projects/", f"/projects/{project.id}", "/pipeline/", f"/projects/{project.id}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert" in html, url


# --- project page -------------------------------------------------------------------------

def test_the_project_page_shows_facts_timeline_interactions_and_history(client, login, refs, users):
    login("staff")
    investor = factories.enterprise(name="黑龙江省维多宝绿色植物有限公司")
    project = factories.project(name="维多宝二期", sector=refs["sector"], investors=[investor], land_mu=Decimal("200"),
                                total_investment=Decimal("150000"), lead_department=refs["dept"])
    move(client, project, to_stage="contact", occurred_on="2025-01-05", evidence="来访洽谈纪要")
    factories.interaction(investor, project=project, summary="视频会议确认用地需求")
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    for text in ("维多宝二期", "15 亿元", "200 亩", "黑龙江省维多宝绿色植物有限公司", "来访洽谈纪要", "2025-01-05",
                 "视频会议确认用地需求", "操作日志", "工信科局"):
        assert text in html, text


def test_the_project_page_runs_the_same_statements_with_a_long_history(client, login, page_statements, refs, users):
    login("staff")
    project = factories.project(sector=refs["sector"], investors=[factories.enterprise()],
                                departments=[refs["dept"]], park=refs["park"])
    project_id, staff_id = project.id, users["staff"].id

    def grow(n):
        project = db.session.get(Project, project_id)
        for _ in range(n):
            project.name = f"改名{factories._n()}"
            factories.interaction(project.investors[0], project=project, created_by_id=staff_id, commit=False)
        db.session.commit()

    grow(2)
    few = page_statements(client, f"/projects/{project_id}", fresh=True)
    grow(15)
    assert page_statements(client, f"/projects/{project_id}", fresh=True) == few


def test_the_move_form_offers_only_allowed_targets_with_their_evidence(client, login, refs):
    login("staff")
    project = factories.project(stage="contact", contacted_on=date(2025, 1, 1))
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    # The one step forward staff may take is preselected; 暂缓/终止 stay a deliberate choice.
    assert 'data-amount="1" data-files="签约合同或投资协议" data-reason="0" selected value="signed"' in html
    assert 'data-amount="0" data-files="" data-reason="1" value="paused"' in html
    assert 'value="operating"' not in html and 'value="planned"' not in html
    assert "stage_form.js" in html


def test_the_move_form_preselects_nothing_when_the_main_line_offers_a_choice(client, login, refs):
    login("admin")  # an admin may skip or go back: no stage is the obvious one
    project = factories.project(stage="contact", contacted_on=date(2025, 1, 1))
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'value="signed"' in html and "selected" not in html.split('name="to_stage"')[1].split("</select>")[0]


# --- stage moves --------------------------------------------------------------------------

def move(client, project, **data):
    return client.post(f"/projects/{project.id}/stage", data=factories.stage_post(**data),
                       content_type="multipart/form-data")


def test_staff_cannot_skip_a_stage(client, login, refs):
    login("staff")
    project = factories.project()
    resp = move(client, project, to_stage="signed", occurred_on="2025-02-01", contract_amount="500", reason="跳过洽谈")
    assert "只能逐级推进一个阶段" in resp.get_data(as_text=True)
    db.session.refresh(project)
    assert project.stage == "planned" and StageEvent.query.count() == 0


def test_an_admin_skips_with_a_reason(client, login):
    login("admin")
    project = factories.project()
    assert "必须填写原因" in move(client, project, to_stage="started", occurred_on="2025-03-01").get_data(as_text=True)
    resp = move(client, project, to_stage="started", occurred_on="2025-03-01", reason="补录：项目已开工")
    assert resp.status_code == 302
    event = StageEvent.query.one()
    assert event.is_override and event.reason == "补录：项目已开工" and db.session.get(Project, project.id).stage == "started"


def test_a_signing_needs_a_positive_amount_and_records_it(client, login):
    login("staff")
    project = factories.project(stage="contact", contacted_on=date(2025, 1, 1))
    for amount, message in (("", "签约金额"), ("abc", "请输入数字"), ("-5", "不能为负数")):
        html = move(client, project, to_stage="signed", occurred_on="2025-02-01", contract_amount=amount)
        assert message in html.get_data(as_text=True)
    assert StageEvent.query.count() == 0
    resp = move(client, project, to_stage="signed", occurred_on="2025-02-01", contract_amount="8000.5")
    assert resp.status_code == 302
    project = db.session.get(Project, project.id)
    assert project.signed_amount == Decimal("8000.5") and project.signed_on == date(2025, 2, 1)


def test_reversed_stage_dates_are_refused(client, login):
    login("staff")
    project = factories.project()
    assert move(client, project, to_stage="contact", occurred_on="2025-05-01").status_code == 302
    resp = move(client, project, to_stage="signed", occurred_on="2025-04-30", contract_amount="100")
    assert "倒流" in resp.get_data(as_text=True)
    assert db.session.get(Project, project.id).stage == "contact" and StageEvent.query.count() == 1


def test_bad_dates_and_missing_targets_are_form_errors(client, login):
    login("staff")
    project = factories.project()
    for data in ({"to_stage": "contact", "occurred_on": "2025-13-45"}, {"to_stage": "contact"},
                 {"occurred_on": "2025-01-01"}, {"to_stage": "nonsense", "occurred_on": "2025-01-01"}):
        html = move(client, project, **data).get_data(as_text=True)
        assert "alert-danger" in html or "invalid-feedback" in html, data
    assert StageEvent.query.count() == 0


def test_officers_move_only_their_departments_projects(client, login, refs):
    login("officer")
    foreign = factories.foreign_project()
    assert move(client, foreign, to_stage="contact", occurred_on="2025-01-05").status_code == 404
    own = factories.project(lead_department=refs["dept"])
    assert move(client, own, to_stage="contact", occurred_on="2025-01-05").status_code == 302
    assert db.session.get(Project, own.id).stage == "contact"


def test_the_stage_form_carries_its_csrf_token_and_a_forged_post_changes_nothing(client, login, request):
    from tests.conftest import csrf_token
    login("staff")
    request.getfixturevalue("csrf_enabled")  # after signing in: the login post carries no token
    project = factories.project()
    assert move(client, project, to_stage="contact", occurred_on="2025-01-05").status_code == 400
    assert StageEvent.query.count() == 0
    token = csrf_token(client, f"/projects/{project.id}")
    resp = move(client, project, to_stage="contact", occurred_on="2025-01-05", csrf_token=token)
    assert resp.status_code == 302 and db.session.get(Project, project.id).stage == "contact"


# --- reference names in the UI language -------------------------------------------------------

ENGLISH = {"sector": "Biomedicine", "park": "Suifenhe Comprehensive Bonded Zone",
           "dept": "Bureau of Industry, Information Technology and Science", "tf": "Biomedicine Industry Task Force"}


@pytest.fixture
def named(refs):
    """The references with English names, except 农业农村局 (refs["other"]), which falls back."""
    for key, name_en in ENGLISH.items():
        refs[key].name_en = name_en
    db.session.commit()
    return refs


def _referring_project(refs) -> Project:
    return factories.project(sector=refs["sector"], park=refs["park"], lead_department=refs["dept"],
                             departments=[refs["other"]], task_force=refs["tf"])


def test_the_project_page_names_its_references_in_english_in_the_english_ui(client, login, named):
    login("staff")
    project = _referring_project(named)
    client.get("/lang/en")
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    for name in (*ENGLISH.values(), "农业农村局"):  # a department without an English name shows in Chinese
        assert f"<td>{name}</td>" in html, name
    for chinese in ("生物医药", "综保区", "工信科局", "推进专班"):
        assert chinese not in html, chinese


def test_the_project_page_names_its_references_in_chinese_in_the_chinese_ui(client, login, named):
    login("staff")
    html = client.get(f"/projects/{_referring_project(named).id}").get_data(as_text=True)
    for name in ("生物医药", "综保区", "工信科局", "农业农村局", "生物医药产业推进专班"):
        assert f"<td>{name}</td>" in html, name
    assert "Biomedicine" not in html


def test_the_english_list_and_its_filters_name_references_in_english_in_the_same_order(client, login, named):
    login("staff")
    _referring_project(named)
    client.get("/lang/en")
    html = client.get("/projects/").get_data(as_text=True)
    for name in (ENGLISH["sector"], ENGLISH["park"], ENGLISH["dept"]):
        assert f"-table-cell\">{name}</td>" in html, name
    departments = html.split('name="department"')[1].split("</select>")[0]
    assert departments.index(ENGLISH["dept"]) < departments.index("农业农村局")  # by id, as in Chinese
    assert f">{ENGLISH['tf']}</option>" in html.split('name="task_force"')[1]


def test_the_english_form_offers_english_choices(client, login, named):
    login("staff")
    project = _referring_project(named)
    client.get("/lang/en")
    html = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    for name in ENGLISH.values():
        assert f">{name}</option>" in html, name
    lead = html.split('name="lead_department_id"')[1].split("</select>")[0]
    assert f'<option selected value="{named["dept"].id}">{ENGLISH["dept"]}</option>' in lead


def test_english_project_pages_run_the_statements_of_the_chinese_ones(client, login, page_statements, named):
    login("staff")
    project_id = _referring_project(named).id
    urls = ["/projects/", f"/projects/{project_id}", f"/projects/{project_id}/edit"]
    chinese = [page_statements(client, url, fresh=True) for url in urls]
    client.get("/lang/en")
    assert [page_statements(client, url, fresh=True) for url in urls] == chinese


# --- Excel ------------------------------------------------------------------------------

def test_the_list_exports_what_its_filters_show(client, login, refs):
    login("leader")
    factories.project(name="签约的项目", stage="signed", sector=refs["sector"])
    factories.project(name="谋划的项目", stage="planned", sector=refs["sector"])
    html = client.get("/projects/?stage=signed").get_data(as_text=True)
    assert 'href="/projects/export.xlsx?stage=signed"' in html
    resp = client.get("/projects/export.xlsx?stage=signed")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    names = [row[1].value for row in load_workbook(BytesIO(resp.data)).worksheets[0].iter_rows(min_row=4)]
    assert names == ["签约的项目"]


def test_staff_import_planned_projects_and_officers_cannot(client, login, refs):
    from tests.imports import confirm, upload
    from tests.services.sheets.test_enterprise_sheets import sheet
    rows = [[1, "对俄木材深加工项目", "生物医药"], [2, "冷链物流中心项目", "生物医药"]]
    login("officer")
    assert client.get("/projects/import").status_code == 403
    login("staff")
    html = client.get("/projects/").get_data(as_text=True)
    assert 'href="/projects/import"' in html
    resp = confirm(client, upload(client, "/projects/import", sheet(rows, headers=["序号", "项目名称", "行业领域"])))
    assert resp.status_code == 302 and Project.query.count() == 2
    assert "新建 2 个项目" in client.get("/projects/").get_data(as_text=True)
    html = upload(client, "/projects/import", sheet(rows, headers=["序号", "项目名称", "行业领域"])).get_data(as_text=True)
    assert "没有需要导入的变化" in html and Project.query.count() == 2  # the same sheet again changes nothing
    template = client.get("/projects/import/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")


def test_a_signed_project_imports_with_its_dated_stages_shown_on_its_page(client, login, refs):
    from tests.imports import confirm, upload
    from tests.services.sheets.test_enterprise_sheets import sheet
    headers = ["项目名称", "行业领域", "阶段", "首次洽谈日期", "签约日期", "签约金额（万元）"]
    login("staff")
    resp = confirm(client, upload(client, "/projects/import", sheet([["口腔器材生产基地项目", "生物医药", "签约", "2026-03-02",
                                                                     "2026-06-18", "5000"]], headers=headers)))
    project = Project.query.one()
    assert resp.status_code == 302 and project.stage == "signed"
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert page.count("Excel 导入第 3 行") >= 2 and "2026-06-18" in page


def test_an_import_refused_for_its_stage_dates_says_so_in_english(client, login, refs):
    from tests.imports import upload
    from tests.services.sheets.test_enterprise_sheets import sheet
    headers = ["Project name", "Sector", "Stage", "First negotiation date"]
    login("staff")
    client.get("/lang/en")
    resp = upload(client, "/projects/import", sheet([["Cold chain hub", "生物医药", "Signed", "2026-03-02"]],
                                                    headers=headers))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and Project.query.count() == 0
    assert "The stage has reached Signed: please fill in this date." in html
