"""The list pages over HTTP: range and total, sortable headers in pinyin order, saved filter
sets, chosen columns, bulk actions, and a constant number of SQL statements with sorting and
totals whatever the data size."""
import re
from datetime import datetime
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import Enterprise, Project, SavedFilter, User
from tests import factories


@pytest.fixture
def staff(login):
    return login("staff")


def _html(resp) -> str:
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_the_enterprise_list_shows_range_and_total_and_sorts_names_in_pinyin_order(client, staff, app):
    for name in ("中粮集团有限公司", "安徽丰原集团有限公司", "北京大北农科技集团股份有限公司"):
        factories.enterprise(name=name)
    for i in range(21):
        factories.enterprise(name=f"绥芬河测试{i:02d}")
    html = _html(client.get("/enterprises/"))
    assert "第 1–20 条，共 24 条" in html
    assert html.index("安徽丰原") < html.index("北京大北农") < html.index("绥芬河测试00")
    assert 'aria-sort="ascending"><a class="sort-link text-reset" href="/enterprises/?sort=-name"' in html
    second = _html(client.get("/enterprises/?sort=-name&page=2"))
    assert "第 21–24 条，共 24 条" in second and "安徽丰原" in second and "中粮" not in second
    assert 'href="/enterprises/?sort=-name&amp;page=1&amp;before=' in second  # paging keeps the sort


def test_a_filtered_list_counts_up_to_a_cap(client, staff, monkeypatch):
    from crm.enterprises import views
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    for i in range(25):
        factories.enterprise(name=f"计数企业{i:02d}", status="engaged")
    assert "第 1–20 条，共 25 条" in _html(client.get("/enterprises/"))  # the whole list: exact
    assert "第 1–20 条，共 20 多条" in _html(client.get("/enterprises/?status=engaged"))
    assert "第 21–25 条，共 25 条" in _html(client.get("/enterprises/?status=engaged&page=2"))  # the last page knows
    client.get("/lang/en")
    assert "Rows 1–20 of more than 20" in _html(client.get("/enterprises/?status=engaged"))


def test_a_sort_the_list_does_not_know_is_ignored(client, staff):
    factories.enterprise(name="安徽丰原集团有限公司")
    html = _html(client.get("/enterprises/?sort=name_norm;drop"))
    assert "安徽丰原" in html


def test_the_english_ui_says_rows_of_total(client, staff):
    factories.enterprise()
    client.get("/lang/en")
    assert "Rows 1–1 of 1" in _html(client.get("/enterprises/"))


def test_project_problem_and_user_lists_sort_and_count(client, login):
    login("admin")
    factories.project(name="中药项目", total_investment=10)
    factories.project(name="安神项目", total_investment=20)
    html = _html(client.get("/projects/?sort=name"))
    assert "第 1–2 条，共 2 条" in html and html.index("安神项目") < html.index("中药项目")
    html = _html(client.get("/projects/?sort=-investment"))
    assert html.index("安神项目") < html.index("中药项目")
    factories.problem()
    assert "共 1 条" in _html(client.get("/routines/problems?sort=-deadline"))
    assert "第 1–" in _html(client.get("/admin/users?sort=name"))


def test_saving_opening_and_deleting_a_filter(client, staff):
    factories.enterprise(name="洽谈企业", status="engaged")
    resp = client.post("/lists/enterprises/filters", data={"name": "洽谈中", "query": "status=engaged&page=3&x=1"})
    kept = SavedFilter.query.one()
    assert resp.status_code == 302 and resp.location.endswith("/enterprises/?status=engaged")
    assert (kept.user_id, kept.list_key, kept.query_string) == (staff.id, "enterprises", "status=engaged")
    html = _html(client.get("/enterprises/"))
    assert 'href="/enterprises/?status=engaged">洽谈中</a>' in html
    other = factories.saved_filter()
    assert client.post(f"/lists/filters/{other.id}/delete").status_code == 404
    assert client.post(f"/lists/filters/{kept.id}/delete").status_code == 302
    assert [f.id for f in SavedFilter.query] == [other.id]


def test_a_bad_filter_name_is_refused_with_a_message(client, staff):
    resp = client.post("/lists/enterprises/filters", data={"name": " ", "query": "status=engaged"},
                       follow_redirects=True)
    assert "请为筛选条件起一个名字" in _html(resp) and SavedFilter.query.count() == 0
    assert client.post("/lists/users/filters", data={"name": "x", "query": "sort=name"}).status_code == 404


def test_chosen_columns_are_remembered(client, staff):
    factories.enterprise(region="黑龙江省绥芬河市")
    assert ">省市</a></th>" in _html(client.get("/enterprises/"))
    assert client.post("/lists/enterprises/columns", data={"columns": ["owner", "last"]}).status_code == 302
    html = _html(client.get("/enterprises/"))
    assert ">省市</a></th>" not in html and ">负责人</a></th>" in html and "黑龙江省绥芬河市</td>" not in html


def test_bulk_assign_three_enterprises_then_export_the_selection(client, staff, users):
    wu = factories.user("staff", display_name="吴艳")
    firms = [factories.enterprise(name=f"批量企业{i}") for i in range(4)]
    ids = [str(e.id) for e in firms[:3]]
    resp = client.post("/enterprises/bulk", data={"ids": ids, "action": "owner", "owner": wu.id,
                                                  "back": "status=&sort=-name&page=2"}, follow_redirects=False)
    assert resp.status_code == 302 and resp.location.endswith("/enterprises/?sort=-name")
    assert "已将 3 家企业的负责人改为 吴艳。" in _html(client.get("/enterprises/"))
    db.session.expire_all()
    assert [e.owner_id for e in Enterprise.query.order_by(Enterprise.id)] == [wu.id] * 3 + [None]
    export = client.post("/enterprises/bulk", data={"ids": ids[:2], "action": "export"})
    sheet = load_workbook(BytesIO(export.data)).active
    names = [c.value for row in sheet.iter_rows() for c in row if str(c.value or "").startswith("批量企业")]
    assert export.status_code == 200 and sorted(names) == ["批量企业0", "批量企业1"]


def test_a_refused_bulk_action_says_why_and_changes_nothing(client, login, users):
    login("staff")
    firm = factories.enterprise()
    resp = client.post("/enterprises/bulk", data={"ids": [firm.id], "action": "owner", "owner": users["leader"].id},
                       follow_redirects=True)
    assert "请选择一位经合中心工作人员作为负责人" in _html(resp) and firm.owner_id is None
    resp = client.post("/enterprises/bulk", data={"ids": ["1", "junk"], "action": "owner"}, follow_redirects=True)
    assert "所选的记录无效" in _html(resp)
    login("officer")
    foreign = factories.foreign_project()
    resp = client.post("/projects/bulk", data={"ids": [foreign.id], "action": "pool_out"}, follow_redirects=True)
    assert "你无权修改项目" in _html(resp)
    db.session.expire_all()
    assert foreign.in_pool


def _fill(n: int, staff_id: int) -> None:
    sector = factories.sector("biomed")
    for i in range(n):
        owner = factories.user("staff", commit=False)
        factories.enterprise(commit=False, name=f"计数企业{n}-{i:03d}", region="黑龙江省", sector=sector, owner=owner,
                             tags=["龙头企业"], last_interaction_at=datetime(2026, 1, 1))
        e = Enterprise(name=f"投资方{n}-{i}", name_norm=f"投资方{n}-{i}")
        factories.project(commit=False, name=f"计数项目{n}-{i:03d}", lead_department=factories.department(),
                          owner_id=staff_id, investors=[e])
    db.session.commit()
    factories.saved_filter(db.session.get(User, staff_id), name=f"筛选{n}")


@pytest.mark.parametrize("url", [
    "/enterprises/?sort=owner", "/enterprises/?sort=-sector&tag=龙头企业", "/enterprises/?sort=-last&q=计数",
    "/projects/?sort=investors", "/projects/?sort=-stage&pool=1", "/routines/problems?sort=project",
])
def test_sorted_lists_with_totals_run_the_same_statements_for_few_and_many_rows(client, staff, users, url,
                                                                              page_statements):
    counts, staff_id = [], staff.id
    for n in (3, 30):
        _fill(n, staff_id)
        for _ in range(n // 3):
            factories.problem()
        counts.append(page_statements(client, url, fresh=True))
    assert counts[0] == counts[1], counts


def test_the_user_list_runs_the_same_statements_for_few_and_many_users(client, login, page_statements):
    login("admin")
    counts = []
    for n in (3, 30):
        for _ in range(n):
            factories.user("officer", department_obj=factories.department(), commit=False)
        db.session.commit()
        counts.append(page_statements(client, "/admin/users?sort=-department", fresh=True))
    assert counts[0] == counts[1], counts


def test_next_page_links_run_the_same_statements_for_few_and_many_rows(client, staff, users, page_statements):
    counts, staff_id = [], staff.id
    for n in (3, 30):
        _fill(n, staff_id)
        firm = db.session.scalar(sa.select(Enterprise.id).where(Enterprise.name == "计数企业3-001"))
        project = db.session.scalar(sa.select(Project.id).where(Project.name == "计数项目3-001"))
        counts.append([page_statements(client, url, fresh=True) for url in (
            f"/enterprises/?sort=-owner&page=2&after={firm}", f"/enterprises/?sort=status&page=2&after={firm}",
            f"/enterprises/?page=2&after={firm}", f"/projects/?sort=stage&page=2&after={project}")])
    assert counts[0] == counts[1], counts


def test_next_and_previous_links_carry_the_row_they_continue_from(client, staff):
    _fill(30, staff.id)
    first = _html(client.get("/enterprises/?sort=-owner"))
    link = re.search(r'href="(/enterprises/\?sort=-owner&amp;page=2&amp;after=\d+)"', first).group(1)
    second = _html(client.get(link.replace("&amp;", "&")))
    assert "第 21–40 条" in second
    back = re.search(r'href="(/enterprises/\?sort=-owner&amp;page=1&amp;before=\d+)"', second).group(1)
    assert _rows(_html(client.get(back.replace("&amp;", "&")))) == _rows(first)


def _rows(html: str) -> list[str]:
    return re.findall(r'href="/enterprises/(\d+)"', html)
