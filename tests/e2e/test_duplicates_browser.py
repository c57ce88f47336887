"""疑似重复企业 in a browser: an administrator opens the list from the enterprise list, merges two
records through the form (keeping the other's region), sees the record, then undoes it; the list
and the form fit a phone screen.  CSRF is on, as for a user."""
from __future__ import annotations

from crm.extensions import db
from crm.models import Contact, Enterprise
from tests import factories
from tests.e2e.test_phone_tables import PHONE


def _twins():
    a = factories.enterprise(name="东北农业集团有限公司", short_name="东北农业", region="黑龙江省哈尔滨市")
    b = factories.enterprise(name="东北农业（集团）股份公司", short_name="东北农业", region="黑龙江省绥芬河市",
                             credit_code=factories.valid_credit_code())
    contact = factories.contact(b, name="李经理")
    db.session.commit()
    return a.id, b.id, contact.id


def test_an_administrator_merges_two_firms_through_the_form_and_undoes_it(visit, users):
    a_id, b_id, contact_id = _twins()
    v = visit({"width": 1366, "height": 900})
    v.sign_in(users["admin"])
    v.go("/enterprises/")
    v.page.click("text=疑似重复企业")
    group = v.page.locator("section.duplicate-group").first
    assert "名称相同（去掉后缀）" in group.inner_text() and "简称相同" in group.inner_text()
    group.locator("text=与第一家合并").click()
    v.page.wait_for_url("**/duplicates/merge*")
    v.page.check(f"input[name=keep_region][value='{b_id}']")
    v.page.check(f"input[name=keep_credit_code][value='{b_id}']")
    v.page.click("#merge-form button[type=submit]")  # without the confirmation: refused, nothing merged
    assert "请勾选确认后再合并" in v.page.locator(".alert-danger").inner_text()
    v.page.check("#merge-confirm")
    v.page.click("#merge-form button[type=submit]")
    v.page.wait_for_url("**/duplicates/merges/*")
    assert "已合并" in v.page.locator(".alert-success").inner_text()
    assert "联系人: 1" in v.page.locator("#merge-moved").inner_text().replace("：", ": ")
    db.session.expire_all()
    assert db.session.get(Enterprise, b_id) is None
    assert db.session.get(Enterprise, a_id).region == "黑龙江省绥芬河市"
    assert db.session.get(Contact, contact_id).enterprise_id == a_id
    v.page.once("dialog", lambda dialog: dialog.accept())
    v.page.click("main form button:has-text('撤销合并')")
    v.page.wait_for_url(f"**/enterprises/{b_id}")
    assert "已撤销合并" in v.page.locator(".alert-success").inner_text()
    assert "李经理" in v.page.locator("main").inner_text()
    db.session.expire_all()
    assert db.session.get(Enterprise, a_id).region == "黑龙江省哈尔滨市"
    v.assert_clean()


def test_the_duplicates_list_and_merge_form_fit_a_phone(visit, users):
    a_id, b_id, _contact = _twins()
    v = visit(PHONE)
    v.sign_in(users["admin"])
    for path in ("/enterprises/duplicates/", f"/enterprises/duplicates/merge?a={a_id}&b={b_id}"):
        v.go(path)
        assert v.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    v.assert_clean()
