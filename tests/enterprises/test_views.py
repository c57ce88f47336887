"""Enterprise pages: create/edit with the credit-code and duplicate rules, escaping, search,
filters, paging, contacts, and a constant number of SQL statements per page."""
import re
from datetime import datetime

import pytest

from crm.extensions import db
from crm.models import Contact, Enterprise
from tests import factories

PAYLOAD = "<script>alert(1)</script>"


def form(**kw):
    return {"name": "绥芬河润宏经贸有限公司", "country": "中国", "status": "prospect", "role": "target",
            "sector_id": "", "owner_id": "", "source_channel": ""} | kw


def errors(resp) -> str:
    return " ".join(re.findall(r'invalid-feedback d-block">(.*?)</div>', resp.get_data(as_text=True)))


@pytest.fixture
def staff(login):
    return login("staff")


def test_create_with_a_valid_credit_code(client, staff):
    code = factories.valid_credit_code()
    resp = client.post("/enterprises/new", data=form(credit_code=code.lower(), tags=["专精特新", "上市公司"]))
    e = Enterprise.query.one()
    assert resp.status_code == 302 and resp.location.endswith(f"/enterprises/{e.id}")
    assert e.credit_code == code and e.tags == ["上市公司", "专精特新"]


@pytest.mark.parametrize("code", ["91231081MA0000001X", "12345", "9123108IMA0000001X", "91231081MA00000011234"])
def test_invalid_credit_codes_are_refused_and_nothing_saved(client, staff, code):
    resp = client.post("/enterprises/new", data=form(credit_code=code))
    assert resp.status_code == 200 and Enterprise.query.count() == 0
    assert "统一社会信用代码" in resp.get_data(as_text=True) and errors(resp)


def test_duplicate_name_is_refused_with_a_link_to_the_existing_record(client, staff):
    existing = factories.enterprise(name="绥芬河测试(有限)公司")
    resp = client.post("/enterprises/new", data=form(name="绥芬河 测试（有限）公司"))
    assert resp.status_code == 200 and Enterprise.query.count() == 1
    assert "已有同名企业" in errors(resp)
    assert f'<a href="/enterprises/{existing.id}">绥芬河测试(有限)公司</a>' in errors(resp)


def test_duplicate_code_is_refused_with_a_link_to_the_existing_record(client, staff):
    code = factories.valid_credit_code()
    existing = factories.enterprise(name="安徽丰原集团有限公司", credit_code=code)
    resp = client.post("/enterprises/new", data=form(credit_code=code))
    assert "已登记" in errors(resp) and f'href="/enterprises/{existing.id}"' in errors(resp)
    assert Enterprise.query.count() == 1


def test_the_duplicate_link_escapes_the_existing_name(client, staff):
    factories.enterprise(name=PAYLOAD)
    resp = client.post("/enterprises/new", data=form(name=PAYLOAD))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</a>" in errors(resp) and PAYLOAD not in resp.get_data(as_text=True)


@pytest.mark.parametrize("field, value", [
    ("name", ""), ("name", "   "), ("name", "企" * 121), ("short_name", "简" * 41), ("credit_code", "9" * 31),
    ("country", ""), ("region", "省" * 61), ("website", "w" * 201), ("address", "址" * 201),
    ("description", "介" * 5001), ("sector_id", "999"), ("owner_id", "abc"), ("status", "x"), ("tags", "x"),
])
def test_empty_overlong_and_unknown_fields_are_refused(client, staff, field, value):
    resp = client.post("/enterprises/new", data=form(**{field: value}))
    assert resp.status_code == 200 and errors(resp) and Enterprise.query.count() == 0


def test_edit_saves_changes(client, staff):
    e = factories.enterprise(name="北京大北农科技集团股份有限公司")
    assert "北京大北农" in client.get(f"/enterprises/{e.id}/edit").get_data(as_text=True)
    resp = client.post(f"/enterprises/{e.id}/edit", data=form(name=e.name, short_name="大北农", region="北京市"))
    assert resp.status_code == 302
    assert (e.short_name, e.region) == ("大北农", "北京市")


def test_script_payloads_in_every_text_field_are_rendered_escaped(client, staff):
    fields = ("name", "short_name", "country", "region", "website", "address", "description")
    resp = client.post("/enterprises/new", data=form(**{f: PAYLOAD for f in fields}))
    assert resp.status_code == 302, errors(resp)
    e = Enterprise.query.one()
    contact = {f: PAYLOAD for f in ("name", "title", "wechat", "notes")}
    assert client.post(f"/enterprises/{e.id}/contacts/new", data=contact).status_code == 302
    factories.interaction(e, summary=PAYLOAD, outcome=PAYLOAD, next_step=PAYLOAD, our_participants=PAYLOAD,
                          their_participants=PAYLOAD)
    for url in ("/enterprises/", f"/enterprises/{e.id}", f"/enterprises/{e.id}/edit", f"/enterprises/?q={PAYLOAD}"):
        html = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert PAYLOAD not in html, url


def test_missing_credit_code_badge_only_for_chinese_firms(client, staff):
    factories.enterprise(name="绥芬河润宏经贸有限公司")
    factories.enterprise(name="Primorsky Agro LLC", country="俄罗斯")
    factories.enterprise(name="安徽丰原集团有限公司", credit_code=factories.valid_credit_code())
    assert client.get("/enterprises/").get_data(as_text=True).count("缺信用代码") == 1


@pytest.fixture
def listed(app, users):
    biomed, energy = factories.sector("biomed"), factories.sector("bioenergy")
    factories.enterprise(name="绥芬河市润宏经贸有限公司", region="黑龙江省牡丹江市", sector=biomed,
                         credit_code=factories.valid_credit_code(),
                         tags=["龙头企业"], owner=users["staff"], status="engaged")
    factories.enterprise(name="北京大北农科技集团股份有限公司", short_name="大北农", region="北京市",
                         sector=energy, tags=["上市公司"], owner=users["admin"])
    factories.enterprise(name="安徽丰原集团有限公司", region="安徽省蚌埠市", sector=biomed, tags=["上市公司"])
    return {"biomed": biomed, "energy": energy}


def shown(client, query: str) -> list[str]:
    html = client.get("/enterprises/" + query).get_data(as_text=True)
    return re.findall(r'<a href="/enterprises/\d+">(.*?)</a>', html)


def test_search_by_short_and_long_chinese_terms_and_credit_code(client, staff, listed):
    code = Enterprise.query.filter_by(name="绥芬河市润宏经贸有限公司").one().credit_code
    assert shown(client, "?q=绥芬") == ["绥芬河市润宏经贸有限公司"]
    assert shown(client, "?q=丰原集团") == ["安徽丰原集团有限公司"]
    assert shown(client, f"?q={code}") == ["绥芬河市润宏经贸有限公司"]
    assert shown(client, "?q=不存在的企业") == []


def test_a_partner_is_found_by_its_russian_or_english_name_in_either_ui(client, staff, listed):
    factories.enterprise(name="滨海边疆区农业贸易有限公司", country="俄罗斯", name_en="Primorye Agro LLC",
                         name_ru="ООО «Приморье Агро»")
    assert shown(client, "?q=приморье") == shown(client, "?q=agro llc") == ["滨海边疆区农业贸易有限公司"]
    client.get("/lang/en")
    html = client.get("/enterprises/?q=Primorye").get_data(as_text=True)
    assert re.findall(r'<a href="/enterprises/\d+" title="([^"]*)">(.*?)</a>', html) == [
        ("滨海边疆区农业贸易有限公司", "Primorye Agro LLC")]


def test_each_filter(client, staff, users, listed):
    assert shown(client, f"?sector={listed['energy'].id}") == ["北京大北农科技集团股份有限公司"]
    assert shown(client, "?region=安徽") == ["安徽丰原集团有限公司"]
    assert shown(client, "?tag=龙头企业") == ["绥芬河市润宏经贸有限公司"]
    assert shown(client, f"?owner={users['admin'].id}") == ["北京大北农科技集团股份有限公司"]
    assert shown(client, "?status=engaged") == ["绥芬河市润宏经贸有限公司"]
    assert shown(client, f"?q=有限&tag=上市公司&sector={listed['biomed'].id}") == ["安徽丰原集团有限公司"]
    assert len(shown(client, "?sector=abc&owner=&tag=nonsense&page=-3")) == 3  # junk is ignored, never a 500


def test_the_filter_form_shows_the_chosen_filters(client, staff, users, listed):
    page = client.get(f"/enterprises/?sector={listed['energy'].id}&owner={users['admin'].id}"
                      "&tag=龙头企业&status=engaged&q=有限").get_data(as_text=True)
    chosen = re.findall(r'<option value="([^"]*)" selected>', page)
    assert chosen == [str(listed["energy"].id), "龙头企业", str(users["admin"].id), "engaged"]
    assert 'value="有限"' in page
    assert "selected>" not in client.get("/enterprises/").get_data(as_text=True)


def test_pages_keep_the_filters(client, staff, app, monkeypatch):
    monkeypatch.setattr(app.extensions["settings"], "PAGE_SIZE", 2)
    for n in range(5):
        factories.enterprise(name=f"绥芬河测试{n}有限公司", tags=["专精特新"])
    first = client.get("/enterprises/?q=绥芬&tag=专精特新").get_data(as_text=True)
    assert "?q=%E7%BB%A5%E8%8A%AC&amp;tag=%E4%B8%93%E7%B2%BE%E7%89%B9%E6%96%B0&amp;page=2" in first
    assert shown(client, "?q=绥芬&tag=专精特新&page=3") == ["绥芬河测试4有限公司"]
    assert shown(client, "?q=绥芬&page=99") == []


def _fill(users, n: int) -> None:
    biomed = factories.sector("biomed")
    for i in range(n):
        factories.enterprise(commit=False, name=f"批量企业{n}-{i:03d}", region="广东省东莞市", sector=biomed,
                             owner=users["staff"], tags=["龙头企业", "上市公司"], last_interaction_at=datetime(2026, 1, 1))
    db.session.commit()


def test_the_list_runs_the_same_statements_for_3_and_40_rows(client, staff, users, page_statements):
    counts = []
    for n in (3, 37):
        _fill(users, n)
        counts.append(page_statements(client, "/enterprises/?tag=龙头企业"))
    assert counts[0] == counts[1], counts


def test_the_detail_runs_the_same_statements_whatever_it_shows(client, staff, users, page_statements):
    e = factories.enterprise()
    counts = []
    for n in (1, 10):
        project = factories.project(lead_department=factories.department())
        project.investors.append(e)
        for _ in range(n):
            factories.contact(e)
            factories.interaction(e, project=factories.project(), created_by=factories.user("staff"),
                                  next_follow_up=datetime(2026, 12, 1).date())
        db.session.expire_all()
        counts.append(page_statements(client, f"/enterprises/{e.id}"))
    assert counts[0] == counts[1], counts


def test_contacts_are_added_edited_and_deleted(client, staff):
    e = factories.enterprise()
    resp = client.post(f"/enterprises/{e.id}/contacts/new", data={"name": "王总", "phone": "0453-3922000",
                                                                  "email": "wang@example.cn"})
    c = Contact.query.one()
    assert resp.status_code == 302 and (c.name, c.enterprise_id) == ("王总", e.id)
    edited = client.post(f"/enterprises/{e.id}/contacts/{c.id}/edit", data={"name": "王总", "title": "董事长"})
    assert edited.status_code == 302
    assert c.title == "董事长"
    assert client.post(f"/enterprises/{e.id}/contacts/{c.id}/delete").status_code == 302
    assert Contact.query.count() == 0


def test_bad_contact_input_is_refused(client, staff):
    e = factories.enterprise()
    for data in ({"name": ""}, {"name": "王总", "email": "not-an-email"}, {"name": "王总", "phone": "abc"},
                 {"name": "王" * 41}):
        resp = client.post(f"/enterprises/{e.id}/contacts/new", data=data)
        assert resp.status_code == 200 and errors(resp), data
    assert Contact.query.count() == 0


def test_a_contact_of_another_enterprise_is_not_found(client, staff):
    e, other = factories.enterprise(), factories.enterprise()
    c = factories.contact(other)
    assert client.get(f"/enterprises/{e.id}/contacts/{c.id}/edit").status_code == 404
    assert client.post(f"/enterprises/{e.id}/contacts/{c.id}/delete").status_code == 404
    assert Contact.query.count() == 1


def test_leaders_and_officers_read_but_do_not_edit(client, login):
    e = factories.enterprise()
    for role in ("leader", "officer"):
        login(role)
        html = client.get(f"/enterprises/{e.id}").get_data(as_text=True)
        assert e.name in html and f"/enterprises/{e.id}/edit" not in html
        assert client.post("/enterprises/new", data=form()).status_code == 403
    assert Enterprise.query.count() == 1


def test_forms_refuse_a_post_without_csrf_token(client, staff, csrf_enabled):
    assert client.post("/enterprises/new", data=form()).status_code == 400
    assert Enterprise.query.count() == 0


def test_the_english_list_names_sectors_in_english_and_the_chinese_one_in_chinese(client, staff, listed):
    chinese = client.get("/enterprises/").get_data(as_text=True)
    assert '-table-cell">生物医药</td>' in chinese and "Bio biomed" not in chinese
    client.get("/lang/en")
    english = client.get("/enterprises/").get_data(as_text=True)
    assert '-table-cell">Bio biomed</td>' in english and "生物医药" not in english
    options = english.split('name="sector"')[1].split("</select>")[0]
    assert options.index("Bio biomed") < options.index("Bio bioenergy")  # 专栏 order, as in Chinese


def test_the_english_page_names_the_lead_department_of_its_projects_in_english(client, staff):
    firm = factories.enterprise(sector=factories.sector("biomed"))
    dept = factories.department("发改局", name_en="Development and Reform Bureau")
    factories.project(lead_department=dept, investors=[firm])
    client.get("/lang/en")
    html = client.get(f"/enterprises/{firm.id}").get_data(as_text=True)
    assert "Development and Reform Bureau" in html and "Bio biomed" in html and "发改局" not in html


def test_foreign_names_are_saved_and_shown_in_the_english_ui_beside_the_chinese_name(client, staff):
    resp = client.post("/enterprises/new", data=form(name="俄罗斯远东木业有限公司", country="俄罗斯", name_en="Far East Timber",
                                                     name_ru="ООО «Дальлес»"))
    firm = Enterprise.query.one()
    assert resp.status_code == 302 and (firm.name_en, firm.name_ru) == ("Far East Timber", "ООО «Дальлес»")
    chinese = client.get(f"/enterprises/{firm.id}").get_data(as_text=True)
    assert "<h1 class=\"h4 mb-1\">俄罗斯远东木业有限公司" in chinese and "ООО «Дальлес»" in chinese
    client.get("/lang/en")
    english = client.get(f"/enterprises/{firm.id}").get_data(as_text=True)
    assert "<h1 class=\"h4 mb-1\">Far East Timber" in english and ">俄罗斯远东木业有限公司</div>" in english
    listed = client.get("/enterprises/").get_data(as_text=True)
    assert 'title="俄罗斯远东木业有限公司">Far East Timber</a>' in listed


# --- the lookup behind the project form's investor picker ------------------------------------

def looked_up(client, q: str) -> list[str]:
    resp = client.get("/enterprises/lookup", query_string={"q": q})
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return [e["name"] for e in resp.get_json()["enterprises"]]


def test_the_lookup_finds_by_chinese_terms_credit_code_and_foreign_names(client, staff, listed):
    firm = Enterprise.query.filter_by(name="绥芬河市润宏经贸有限公司").one()
    factories.enterprise(name="滨海边疆区农业贸易有限公司", name_en="Primorye Agro LLC", name_ru="ООО «Приморье Агро»")
    assert looked_up(client, "绥芬") == looked_up(client, " 润宏经贸 ") == ["绥芬河市润宏经贸有限公司"]
    assert looked_up(client, "有限公司") == ["北京大北农科技集团股份有限公司", "安徽丰原集团有限公司", "滨海边疆区农业贸易有限公司",
                                         "绥芬河市润宏经贸有限公司"]  # in list order (name_norm)
    assert looked_up(client, firm.credit_code) == [firm.name]
    found = client.get("/enterprises/lookup?q=Приморье").get_json()
    assert found == {"enterprises": [{"id": Enterprise.query.filter_by(name_en="Primorye Agro LLC").one().id,
                                      "name": "滨海边疆区农业贸易有限公司", "credit_code": None,
                                      "foreign_names": ["Primorye Agro LLC", "ООО «Приморье Агро»"]}], "more": False}
    assert looked_up(client, "不存在的企业") == []


def test_an_empty_lookup_lists_nothing(client, staff, listed):
    for q in ("", "   "):
        assert client.get("/enterprises/lookup", query_string={"q": q}).get_json() == {"enterprises": [], "more": False}
    assert client.get("/enterprises/lookup").get_json() == {"enterprises": [], "more": False}


def test_the_lookup_lists_at_most_its_limit_and_says_there_are_more(client, staff):
    from crm.services.search import LOOKUP_LIMIT
    for n in range(LOOKUP_LIMIT + 1):
        factories.enterprise(commit=False, name=f"绥芬河测试{n:02d}有限公司")
    db.session.commit()
    data = client.get("/enterprises/lookup?q=绥芬").get_json()
    assert len(data["enterprises"]) == LOOKUP_LIMIT and data["more"] is True
    assert data["enterprises"][0]["name"] == "绥芬河测试00有限公司"
    assert client.get("/enterprises/lookup?q=测试15").get_json()["more"] is False


def test_the_lookup_returns_names_as_data_not_html(client, staff):
    factories.enterprise(name=PAYLOAD + "绥芬河公司")
    resp = client.get("/enterprises/lookup?q=绥芬")
    # Verbatim, as JSON: picker.js puts it in the page as text, never as HTML.
    assert resp.mimetype == "application/json" and resp.get_json()["enterprises"][0]["name"] == PAYLOAD + "绥芬河公司"


def test_the_lookup_is_for_the_project_forms_editors(client, login, listed):
    for role in ("admin", "staff", "officer"):
        login(role)
        assert looked_up(client, "绥芬") == ["绥芬河市润宏经贸有限公司"], role
    login("leader")
    assert client.get("/enterprises/lookup?q=绥芬").status_code == 403
    client.post("/auth/logout")
    resp = client.get("/enterprises/lookup?q=绥芬")
    assert resp.status_code == 302 and "/auth/login?next=" in resp.headers["Location"]


def test_the_lookup_runs_the_same_statements_for_3_and_300_matches(client, staff, statements):
    counts = []
    for n in (3, 297):
        for i in range(n):
            factories.enterprise(commit=False, name=f"绥芬河批量{n}-{i:03d}有限公司", name_en=f"Suifenhe Batch {n}-{i}")
        db.session.commit()
        db.session.expunge_all()
        for q in ("绥芬", "批量", "绥芬河批量", "Batch"):
            with statements() as counter:
                assert looked_up(client, q)
            counts.append(len(counter))
    assert counts[:4] == counts[4:], counts
