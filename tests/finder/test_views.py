"""The top bar's search over HTTP: the suggestions (JSON), the results page without JavaScript,
what each role gets, the box on every signed-in page, and a constant number of statements."""
import re

import pytest

from tests import factories


@pytest.fixture
def world(app, users):
    amur = factories.enterprise(name="阿穆尔农业控股有限公司", name_en="Amur Agro Holding", country="俄罗斯")
    dongbei = factories.enterprise(name="东北农业科技有限公司", region="黑龙江省绥芬河市")
    mine = factories.project(name="绥芬河大豆精深加工项目", lead_department=users["officer"].department,
                             investors=[amur])
    other = factories.foreign_project(name="东宁黑木耳产业园项目")
    contact = factories.contact(dongbei, name="李建国", phone="13904531234")
    return {"amur": amur, "dongbei": dongbei, "mine": mine, "other": other, "contact": contact}


def suggest(client, q: str) -> dict:
    response = client.get("/search/suggest", query_string={"q": q})
    assert response.status_code == 200
    return {g["kind"]: g for g in response.get_json()["groups"]}


def test_suggestions_are_grouped_and_link_to_each_page(client, login, world):
    login("staff")
    groups = suggest(client, "dbn")
    assert groups["enterprises"]["label"] == "企业"
    assert groups["enterprises"]["items"] == [{"title": "东北农业科技有限公司", "detail": "黑龙江省绥芬河市",
                                               "url": f"/enterprises/{world['dongbei'].id}"}]
    assert suggest(client, "Amur")["projects"]["items"][0]["url"] == f"/projects/{world['mine'].id}"
    contact = suggest(client, "李建国")["contacts"]["items"][0]
    assert contact["url"] == f"/enterprises/{world['dongbei'].id}#contact-{world['contact'].id}"
    assert f'id="contact-{world["contact"].id}"' in client.get(contact["url"]).get_data(as_text=True)
    assert client.get("/search/suggest?q=dbn").get_json()["all_url"] == "/search?q=dbn"


def test_empty_groups_are_left_out_and_short_terms_ask_nothing(client, login, world):
    login("staff")
    assert set(suggest(client, "黑木耳")) == {"projects"}
    assert suggest(client, "黑") == {}
    assert suggest(client, "") == {}


def test_an_officer_of_another_department_does_not_find_the_project(client, login, world):
    login("officer")
    assert "projects" not in suggest(client, "黑木耳")
    assert "东宁黑木耳" not in client.get("/search?q=黑木耳").get_data(as_text=True)
    assert [i["title"] for i in suggest(client, "sfh")["projects"]["items"]] == ["绥芬河大豆精深加工项目"]


@pytest.mark.parametrize("role", ["staff", "officer", "leader"])
def test_only_administrators_find_users(client, login, world, users, role):
    login(role)
    assert "users" not in suggest(client, "staff")


def test_administrators_find_users_and_open_their_edit_page(client, login, world, users):
    login("admin")
    assert suggest(client, "staff")["users"]["items"][0]["url"] == f"/admin/users/{users['staff'].id}/edit"


def test_the_results_page_works_without_javascript(client, login, world):
    login("staff")
    page = client.get("/search?q=东北").get_data(as_text=True)
    assert "东北农业科技有限公司" in page and f'href="/enterprises/{world["dongbei"].id}"' in page
    assert "没有找到匹配“不存在的名字”的结果" in client.get("/search?q=不存在的名字").get_data(as_text=True)
    assert "请输入至少 2 个字或字母" in client.get("/search?q=东").get_data(as_text=True)


def test_the_results_page_offers_the_list_when_a_group_is_cut(client, login, app):
    login("staff")
    for n in range(22):
        factories.enterprise(name=f"东北农业第{n:02d}分公司")
    page = client.get("/search?q=dbny").get_data(as_text=True)
    assert len(re.findall(r'href="/enterprises/\d+"', page)) == 20
    assert "仅显示前 20 条" in page and 'href="/enterprises/?q=dbny"' in page


def test_english_ui_labels(client, login, world):
    login("staff")
    client.get("/lang/en")
    assert suggest(client, "dbn")["enterprises"]["label"] == "Enterprises"
    page = client.get("/search?q=zzzz").get_data(as_text=True)
    assert "Nothing matches “zzzz”." in page


def test_every_signed_in_page_has_the_box(client, login, world):
    login("leader")
    for url in ("/", "/projects/", f"/enterprises/{world['dongbei'].id}"):
        page = client.get(url).get_data(as_text=True)
        assert 'id="app-search-q"' in page and 'role="combobox"' in page and "js/finder.js" in page, url
    client.post("/auth/logout")
    assert 'id="app-search-q"' not in client.get("/auth/login").get_data(as_text=True)


@pytest.mark.parametrize("q", ["东北", "dbn", "Amur", "李建", "1390453"])
def test_suggest_runs_the_same_statements_whatever_the_data_size(client, login, world, page_statements, q):
    login("admin")
    department_id = world["mine"].lead_department_id
    factories.project(name="东北农业园项目", lead_department_id=department_id)  # each group: hits in both states
    urls = (f"/search/suggest?q={q}", f"/search?q={q}")
    few = [page_statements(client, url, fresh=True) for url in urls]
    for n in range(30):
        firm = factories.enterprise(name=f"东北农业第{n:02d}分公司", name_en=f"Amur Agro {n}")
        factories.project(name=f"东北农业园{n}", investors=[firm], lead_department_id=department_id)
        factories.contact(firm, name=f"李建{n}", phone=f"139045300{n:02d}")
        factories.user("staff", display_name=f"东北{n}")
    assert [page_statements(client, url, fresh=True) for url in urls] == few
