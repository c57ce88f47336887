"""疑似重复企业 pages: who sees and who merges, the merge form end to end, refusals in words (never
a 500, nothing half-saved), the undo from the record, and bounded statements."""
import pytest

from crm.extensions import db
from crm.models import Contact, Enterprise, User
from tests import factories
from tests.duplicates import factories as duplicate_factories


def _pair():
    a = factories.enterprise(name="东北农业集团有限公司", short_name="东北农业", region="黑龙江省哈尔滨市")
    b = factories.enterprise(name="东北农业（集团）股份公司", short_name="东北农业", region="黑龙江省绥芬河市")
    factories.contact(b, name="李经理")
    return a, b


def _form(a, b, **kw):
    return {"survivor": a.id, f"version_{a.id}": a.version, f"version_{b.id}": b.version, "confirm": "1"} | kw


def test_staff_see_the_groups_but_no_merge_button(client, login):
    login("staff")
    a, b = _pair()
    html = client.get("/enterprises/duplicates/").get_data(as_text=True)
    assert "东北农业（集团）股份公司" in html and "名称相同（去掉后缀）" in html and "简称相同" in html
    assert "与第一家合并" not in html
    assert client.get(f"/enterprises/duplicates/merge?a={a.id}&b={b.id}").status_code == 403
    assert "疑似重复企业" in client.get("/enterprises/").get_data(as_text=True)


def test_an_admin_merges_keeping_chosen_values_and_lands_on_the_record(client, login):
    login("admin")
    a, b = _pair()
    a_id, b_id, contact_id = a.id, b.id, b.contacts[0].id
    page = client.get("/enterprises/duplicates/").get_data(as_text=True)
    assert f"/enterprises/duplicates/merge?a={a_id}&amp;b={b_id}" in page
    form = client.get(f"/enterprises/duplicates/merge?a={a_id}&b={b_id}").get_data(as_text=True)
    assert 'name="keep_region"' in form and 'name="keep_short_name"' not in form
    resp = client.post(f"/enterprises/duplicates/merge?a={a_id}&b={b_id}", data=_form(a, b, keep_region=b_id))
    assert resp.status_code == 302 and "/enterprises/duplicates/merges/" in resp.location
    survivor = db.session.get(Enterprise, a_id)
    assert db.session.get(Enterprise, b_id) is None and survivor.region == "黑龙江省绥芬河市"
    assert db.session.get(Contact, contact_id).enterprise_id == a_id
    record = client.get(resp.location).get_data(as_text=True)
    assert "撤销合并" in record and "联系人：1" in record and "黑龙江省绥芬河市" in record
    # The survivor's timeline shows the merge and links to its record.
    assert resp.location.split("localhost")[-1] in client.get(f"/enterprises/{a_id}").get_data(as_text=True)


@pytest.mark.parametrize(("query", "data", "words"), [
    ("a={a}&b={a}", {}, "请选择两家不同的企业进行合并"),
    ("a={a}&b=999999", {}, "找不到要合并的企业"),
    ("a=x&b=", {}, "找不到要合并的企业"),
    ("a={a}&b={b}", {"confirm": ""}, "请勾选确认后再合并"),
    ("a={a}&b={b}", {"survivor": "42"}, "请选择要保留的企业"),
    ("a={a}&b={b}", {"version_{b}": "0"}, "在您打开此页后已被修改"),
    ("a={a}&b={b}", {"keep_region": "abc"}, "字段取值的选择无效"),
])
def test_bad_merge_input_is_refused_in_chinese_and_nothing_changes(client, login, query, data, words):
    login("admin")
    a, b = _pair()
    ids = {"a": a.id, "b": b.id}
    data = {key.format(**ids): value for key, value in data.items()}
    if data.get("keep_region") == "abc":
        data["keep_region"] = "999999"
    resp = client.post("/enterprises/duplicates/merge?" + query.format(**ids), data=_form(a, b) | data,
                       follow_redirects=True)
    assert resp.status_code in (200, 400) and words in resp.get_data(as_text=True)
    assert Enterprise.query.count() == 2 and Contact.query.one().enterprise_id == ids["b"]


def test_an_admin_undoes_a_merge_from_its_record_once(client, login, users):
    login("admin")
    event = duplicate_factories.merge_event(users["admin"])
    loser_id = event.changes["merge"]["loser"]["id"]
    url = f"/enterprises/duplicates/merges/{event.id}"
    resp = client.post(url + "/undo")
    assert resp.status_code == 302 and resp.location.endswith(f"/enterprises/{loser_id}")
    assert db.session.get(Enterprise, loser_id).contacts
    again = client.post(url + "/undo", follow_redirects=True).get_data(as_text=True)
    assert "这次合并已经撤销过了" in again and "已撤销" in again
    missing = client.post("/enterprises/duplicates/merges/999999/undo", follow_redirects=True)
    assert missing.status_code == 200 and "找不到这次合并记录" in missing.get_data(as_text=True)


def test_staff_read_a_merge_record_but_cannot_undo(client, login, users):
    event = duplicate_factories.merge_event(users["admin"])
    login("staff")
    url = f"/enterprises/duplicates/merges/{event.id}"
    assert "撤销合并" not in client.get(url).get_data(as_text=True)
    assert client.post(url + "/undo").status_code == 403
    assert client.get("/enterprises/duplicates/merges/999999").status_code == 404


def test_the_pages_run_the_same_statements_for_few_and_many(client, login, users, page_statements):
    admin_id, counts = login("admin").id, []
    for n in (2, 12):
        for _ in range(n):
            factories.enterprise(name=f"重复测试{factories._n()}有限公司", short_name="重复测试",
                                 owner=factories.user("staff"), sector=factories.sector())
        record = f"/enterprises/duplicates/merges/{duplicate_factories.merge_event(db.session.get(User, admin_id)).id}"
        counts.append((page_statements(client, "/enterprises/duplicates/", fresh=True),
                       page_statements(client, record, fresh=True)))
    assert counts[0] == counts[1], counts


def test_the_list_pages_on_with_a_cursor_and_ignores_a_broken_one(client, login, app):
    login("staff")
    size = app.extensions["settings"].PAGE_SIZE
    for n in range(size + 1):
        factories.enterprise(name=f"分页测试{n:02d}有限公司")
        factories.enterprise(name=f"分页测试{n:02d}集团")
    first = client.get("/enterprises/duplicates/").get_data(as_text=True)
    assert first.count("duplicate-group") == size and "after=name" in first
    cursor = first.split("after=")[1].split('"')[0]
    second = client.get(f"/enterprises/duplicates/?after={cursor}").get_data(as_text=True)
    assert second.count("duplicate-group") == 1 and "分页测试" in second and "回到第一页" in second
    for broken in ("x", "name:", "credit:%00", "short:" + "字" * 500):
        assert client.get(f"/enterprises/duplicates/?after={broken}").status_code == 200
