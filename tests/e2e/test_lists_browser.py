"""The list pages in a real browser (issue 25): a click on the name header sorts the enterprise
list in pinyin order, a filter applies as it is chosen and is saved and reopened from the list's
menu, and three ticked enterprises get one owner in one action.  CSRF is on, as in production."""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, Enterprise
from tests import factories

PHONE = {"width": 390, "height": 844}


def _names(v) -> list[str]:
    return [n.strip() for n in v.page.locator("#enterprise-table tbody td:nth-child(2) > a").all_inner_texts()]


def test_sorting_the_enterprise_list_by_name_follows_pinyin(visit, users):
    for name in ("中粮集团有限公司", "哈尔滨工业大学", "安徽丰原集团有限公司", "北京大北农科技集团股份有限公司"):
        factories.enterprise(name=name, region="黑龙江省")
    v = visit()
    v.sign_in(users["staff"])
    v.go("/enterprises/?sort=-region")
    v.page.click("#enterprise-table thead a:text-is('企业名称')")
    v.page.wait_for_url("**/enterprises/?sort=name")
    assert _names(v) == ["安徽丰原集团有限公司", "北京大北农科技集团股份有限公司", "哈尔滨工业大学", "中粮集团有限公司"]
    header = v.page.locator("#enterprise-table thead th", has_text="企业名称")
    assert header.get_attribute("aria-sort") == "ascending"
    v.page.click("#enterprise-table thead a:text-is('企业名称')")
    v.page.wait_for_url("**/enterprises/?sort=-name")
    assert _names(v)[0] == "中粮集团有限公司" and header.get_attribute("aria-sort") == "descending"
    assert "第 1–4 条，共 4 条" in v.page.locator("#range").inner_text()
    v.assert_clean()


def test_a_filter_applies_on_change_and_is_saved_and_reopened(visit, users):
    factories.enterprise(name="洽谈中的企业", status="engaged")
    factories.enterprise(name="潜在的企业", status="prospect")
    v = visit()
    v.sign_in(users["staff"])
    v.go("/enterprises/")
    v.page.select_option("select[name=status]", "engaged")  # no button pressed: the form submits itself
    v.page.wait_for_url("**status=engaged**")
    assert "潜在的企业" not in v.page.content()
    v.page.click("#saved-filters summary")
    v.page.fill("#saved-filters input[name=name]", "洽谈中")
    v.page.click("#saved-filters button:has-text('保存当前筛选')")
    assert "已保存筛选条件“洽谈中”。" in v.page.locator(".alert-success").inner_text()

    v.go("/enterprises/")
    assert "潜在的企业" in v.page.content()
    v.page.click("#saved-filters summary")
    v.page.click("#saved-filters a:text-is('洽谈中')")
    v.page.wait_for_url("**status=engaged**")
    assert _names(v) == ["洽谈中的企业"]
    assert v.page.locator("select[name=status]").input_value() == "engaged"
    v.assert_clean()


def test_bulk_assigning_an_owner_to_three_enterprises(visit, users):
    wu = factories.user("staff", display_name="吴艳")
    firms = [factories.enterprise(name=f"批量企业{i}") for i in range(4)]
    v = visit(PHONE)  # the checkboxes and the action bar must work on a phone too
    v.sign_in(users["staff"])
    v.go("/enterprises/?sort=name")
    for firm in firms[:3]:
        v.page.check(f"input[name=ids][value='{firm.id}']")
    assert "已选 3 项" in v.page.locator("#bulk-count").inner_text()
    v.page.select_option("#bulk-form select[name=action]", "owner")
    v.page.select_option("#bulk-form select[name=owner]", str(wu.id))
    v.page.click("#bulk-form button:has-text('执行')")
    v.page.wait_for_selector(".alert-success")
    assert "已将 3 家企业的负责人改为 吴艳。" in v.page.locator(".alert-success").inner_text()
    assert v.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    db.session.expire_all()
    owners = dict(db.session.execute(sa.select(Enterprise.id, Enterprise.owner_id)).all())
    assert owners == {firms[0].id: wu.id, firms[1].id: wu.id, firms[2].id: wu.id, firms[3].id: None}
    audited = db.session.scalars(sa.select(AuditEvent.object_id).where(
        AuditEvent.object_type == "Enterprise", AuditEvent.action == "update")).all()
    assert sorted(audited) == sorted(f.id for f in firms[:3])
    v.assert_clean()


def test_select_all_ticks_every_row_on_the_page(visit, users):
    for i in range(3):
        factories.enterprise(name=f"全选企业{i}")
    v = visit()
    v.sign_in(users["staff"])
    v.go("/enterprises/")
    v.page.check("input[data-select-all]")
    assert v.page.locator("input[name=ids]:checked").count() == 3
    v.assert_clean()
