"""The app in a real browser (Debian chromium driven by Playwright), served by a real WSGI server.

What only a browser shows: the vendored Bootstrap and ECharts load and run with no network
beyond the app itself, the quick-log form, the project form's investor picker and the problem
form's project picker find records through their JavaScript lookups, a phone-width screen keeps
the quick-log button and the bell outside the folded menu, and a bad form answers in Chinese with
nothing saved.
CSRF is on, as in production.
"""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise, Interaction, Problem, Project
from tests import factories
from tests.conftest import run_worker

PHONE = {"width": 390, "height": 844}


def test_a_bad_enterprise_form_answers_in_chinese_and_a_good_one_is_saved(visit, users):
    v = visit()
    v.sign_in(users["staff"])
    v.go("/enterprises/new")
    v.page.fill("input[name=name]", "")
    v.page.click("main form button[type=submit]")
    assert v.page.locator(".invalid-feedback, .alert-danger").first.inner_text().strip()
    assert "请填写企业名称。" in v.page.content()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise)) == 0

    v.page.fill("input[name=name]", "哈尔滨北药生物科技有限公司")
    v.page.fill("input[name=credit_code]", factories.valid_credit_code())
    v.page.click("main form button[type=submit]")
    v.page.wait_for_url("**/enterprises/*")
    assert "企业“哈尔滨北药生物科技有限公司”已保存。" in v.page.locator(".alert-success").inner_text()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Enterprise.name)) == "哈尔滨北药生物科技有限公司"
    v.assert_clean()


def _pick_enterprise(v, typed: str, firm) -> None:
    """Type part of the name, wait for the lookup's suggestion, pick it: the hidden id is filled."""
    v.page.fill("input[name=enterprise]", "")
    v.page.locator("input[name=enterprise]").press_sequentially(typed, delay=30)
    # The lookup answers in the datalist; picking the full name fills the hidden id.
    v.page.wait_for_selector(f"#enterprise-options option[value='{firm.name}']", state="attached")
    v.page.fill("input[name=enterprise]", firm.name)
    v.page.wait_for_function(f"() => document.querySelector('[name=enterprise_id]').value === '{firm.id}'")


def test_quick_log_finds_the_enterprise_while_typing_and_preselects_its_project(visit, users):
    firm = factories.enterprise(name="绥芬河市润宏经贸有限公司")
    project = factories.project(name="俄粮油脂化工厂项目")
    other_firm = factories.enterprise(name="东宁华信经贸有限责任公司")
    owned = factories.project(name="木材深加工项目", owner=users["staff"])
    project.investors.append(firm)
    owned.investors.append(other_firm)
    factories.many_projects(30)
    db.session.commit()
    v = visit()
    v.sign_in(users["staff"])
    v.go("/")
    v.page.click("nav >> text=＋记录对接 >> visible=true")
    v.page.wait_for_url("**/interactions/**")
    linked = "[name=project_id] optgroup[label='该企业的关联项目'] option"
    # Not all 32 projects: none, and the one the user owns.
    assert v.page.locator("[name=project_id] option").all_inner_texts() == ["—", "木材深加工项目"]
    _pick_enterprise(v, "东宁", other_firm)
    assert v.page.locator(linked).all_inner_texts() == ["木材深加工项目"]
    assert v.page.input_value("[name=project_id]") == str(owned.id)
    # Another enterprise: its projects replace the first one's, and the first is preselected.
    _pick_enterprise(v, "润宏", firm)
    assert v.page.locator(linked).all_inner_texts() == ["俄粮油脂化工厂项目"]
    assert v.page.input_value("[name=project_id]") == str(project.id)
    assert v.page.locator("[name=project_id] option").all_inner_texts() == ["—", "俄粮油脂化工厂项目", "木材深加工项目"]
    v.page.fill("textarea[name=summary]", "电话沟通二期扩产用地需求")
    v.page.click("#quick-log button[type=submit]")
    v.page.wait_for_selector(".alert-success")
    assert "已记录与“绥芬河市润宏经贸有限公司”的对接。" in v.page.locator(".alert-success").inner_text()
    logged = db.session.scalars(sa.select(Interaction)).one()
    assert (logged.enterprise_id, logged.project_id, logged.summary) == (firm.id, project.id, "电话沟通二期扩产用地需求")
    v.assert_clean()


def test_quick_log_opened_from_a_project_keeps_it_when_an_enterprise_is_picked(visit, users):
    project = factories.project(name="俄粮油脂化工厂项目")
    firm = factories.enterprise(name="东宁华信经贸有限责任公司")
    other = factories.project(name="木材深加工项目")
    other.investors.append(firm)
    db.session.commit()
    v = visit()
    v.sign_in(users["staff"])
    v.go(f"/interactions/new?project_id={project.id}")
    _pick_enterprise(v, "东宁", firm)
    assert v.page.locator("[name=project_id] option").all_inner_texts() == ["—", "俄粮油脂化工厂项目", "木材深加工项目"]
    assert v.page.input_value("[name=project_id]") == str(project.id)
    v.assert_clean()


def _search(v, select: str, term: str, expected: int) -> None:
    """Type into a picker's search box and wait for its lookup to list `expected` options."""
    v.page.fill(f"#{select}-search", term)
    v.page.wait_for_function(f"() => document.querySelectorAll('#{select} option').length === {expected}")


def test_the_investor_picker_searches_keeps_what_is_chosen_and_saves_it(visit, users):
    kept = factories.enterprise(name="哈尔滨北药集团有限公司")
    found = factories.enterprise(name="绥芬河市润宏经贸有限公司")
    factories.enterprise(name="东宁华信经贸有限责任公司")
    project = factories.project(name="俄粮油脂化工厂项目", owner=users["staff"])
    project.investors.append(kept)
    db.session.commit()
    v = visit()
    v.sign_in(users["staff"])
    v.go(f"/projects/{project.id}/edit")
    options = "#investor_ids option"
    assert v.page.locator(options).all_inner_texts() == ["哈尔滨北药集团有限公司"]  # not every enterprise
    _search(v, "investor_ids", "经贸", 3)
    v.page.click(f"{options} >> text=绥芬河市润宏经贸有限公司")  # a plain click adds one, keeps the other
    assert v.page.inner_text("#investor_ids-chosen") == "哈尔滨北药集团有限公司、绥芬河市润宏经贸有限公司"
    _search(v, "investor_ids", "北药", 2)  # the unchosen result of the first search goes, the chosen stay
    assert "东宁华信经贸有限责任公司" not in v.page.locator(options).all_inner_texts()
    v.page.click("#project-form button[type=submit]")
    v.page.wait_for_selector(".alert-success")
    db.session.expire_all()
    assert {e.id for e in db.session.get(Project, project.id).investors} == {kept.id, found.id}
    v.assert_clean()


def test_a_problem_raised_from_the_ledger_finds_its_project_by_name(visit, users):
    project = factories.project(name="俄粮油脂化工厂项目", lead_department=users["officer"].department)
    factories.many_projects(20)
    v = visit()
    v.sign_in(users["staff"])
    v.go("/routines/problems/new")
    assert v.page.locator("#project_id option").count() == 0
    _search(v, "project_id", "油脂", 1)
    v.page.select_option("#project_id", str(project.id))
    v.page.fill("textarea[name=description]", "环评批复未下达")
    v.page.fill("input[name=deadline]", "2030-12-31")
    v.page.click("main form button[type=submit]")
    v.page.wait_for_selector(".alert-success")
    assert db.session.scalars(sa.select(Problem.project_id)).one() == project.id
    v.assert_clean()


def test_on_a_phone_the_menu_folds_but_quick_log_and_the_bell_stay(visit, users):
    v = visit(PHONE)
    v.sign_in(users["staff"])
    v.go("/enterprises/")
    nav_link = v.page.locator("#mainnav .nav-link", has_text="项目")
    assert not nav_link.first.is_visible()
    assert v.page.locator("nav .d-lg-none >> text=＋记录对接").is_visible()
    assert v.page.locator("nav .d-lg-none a[href$='/notifications/']").is_visible()
    v.page.click(".navbar-toggler")  # Bootstrap's collapse, from crm/static/vendor
    nav_link.first.wait_for(state="visible")
    v.assert_clean()


def test_the_dashboard_draws_its_charts_offline_and_english_switches_the_ui(visit, users):
    factories.project(stage="signed")
    v = visit()
    v.sign_in(users["admin"])
    v.go("/dashboard")
    v.page.wait_for_selector("#chart-funnel canvas")  # ECharts ran, from the vendored copy
    v.page.click("nav .dropdown-toggle")
    v.page.click("text=English")
    v.page.wait_for_load_state()
    assert v.page.locator("html").get_attribute("lang") == "en"
    assert v.page.locator("#mainnav .nav-link", has_text="Enterprises").count() == 1
    v.assert_clean()


def test_signing_on_the_project_page_asks_for_the_amount_and_records_the_evidence(visit, users):
    project = factories.project(name="俄粮油脂化工厂项目", stage="contact", owner=users["staff"])
    v = visit()
    v.sign_in(users["staff"])
    v.go(f"/projects/{project.id}")
    amount_box = v.page.locator("#stage-form [data-show=amount]")
    # 签约 is staff's one step forward, so it is preselected, and with it the amount it asks for.
    assert v.page.input_value("#stage-form select[name=to_stage]") == "signed" and amount_box.is_visible()
    v.page.select_option("#stage-form select[name=to_stage]", "paused")
    assert amount_box.is_hidden()  # stage_form.js shows it only for a signing
    v.page.select_option("#stage-form select[name=to_stage]", "signed")
    assert amount_box.is_visible()
    assert "签约合同或投资协议" in v.page.locator("#stage-files-needed").inner_text()  # what the stage needs
    v.page.click("#stage-form button[type=submit]")  # the confirm box left unticked: nothing happens
    v.page.wait_for_selector("#stage-form .invalid-feedback")
    assert "请核对后勾选确认" in v.page.locator("#stage-form").inner_text()
    contract = [{"name": "投资合作协议.pdf", "mimeType": "application/pdf",
                 "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}]
    v.page.select_option("#stage-form select[name=to_stage]", "signed")
    v.page.set_input_files("#stage-form input[name=files]", contract)
    v.page.check("#stage-form input[name=confirmed]")
    v.page.click("#stage-form button[type=submit]")  # no amount: refused, in Chinese, nothing saved
    v.page.wait_for_selector(".alert-danger")
    assert "签约需要填写签约日期和大于零的签约金额（万元）。" in v.page.locator(".alert-danger").inner_text()
    assert amount_box.is_visible()  # the choice survives the round trip, and so does its field
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "contact"

    v.page.select_option("#stage-form select[name=to_stage]", "signed")
    v.page.fill("#stage-form input[name=contract_amount]", "8000")
    v.page.fill("#stage-form textarea[name=evidence]", "投资合作协议 JHZX-2026-101")
    v.page.set_input_files("#stage-form input[name=files]", contract)
    v.page.check("#stage-form input[name=confirmed]")
    v.page.click("#stage-form button[type=submit]")
    v.page.wait_for_selector(".alert-success")
    assert "已记录阶段变更：洽谈 → 签约。" in v.page.locator(".alert-success").inner_text()
    assert "投资合作协议 JHZX-2026-101" in v.page.content()  # in the stage history
    db.session.expire_all()
    signed = db.session.get(Project, project.id)
    assert signed.stage == "signed" and signed.signed_amount == 8000
    assert "PDF" in v.page.locator(".evidence-doc").first.inner_text()  # the contract in the stage history
    v.assert_clean()


def test_a_catalog_requested_in_the_browser_is_built_by_a_real_worker_and_downloads(
        visit, users, redis, worker_env):
    factories.foreign_project(name="对俄中药材进口加工产业园项目", sector=factories.sector("biomed", name="生物医药"))
    v = visit()
    v.sign_in(users["staff"])
    v.go("/brochures/catalog")
    v.page.click("main form button[type=submit]")
    v.page.wait_for_url("**/brochures/builds/*")
    download = v.page.locator("#catalog-build [data-role=download]")
    assert download.is_hidden()
    result = run_worker(worker_env)  # catalog_progress.js polls while the worker builds
    assert result.returncode == 0, result.stderr[-2000:]
    download.wait_for(state="visible")
    assert v.page.locator("#catalog-build [role=progressbar]").get_attribute("aria-valuenow") == "100"
    with v.page.expect_download() as pending:
        download.click()
    assert open(pending.value.path(), "rb").read(4) == b"%PDF"
    v.assert_clean()
