"""The 每月调度 table page at any size: filters (牵头部门, 专栏, status) kept in links, pages of
TABLE_PAGE_SIZE rows with the 专栏 header on each, counts for the whole filtered month, the
officers' capped 本部门本月待报 card and junk parameters.  (The statement counts, filters and
pages included, are in test_dispatch_views.py.)"""
from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from crm.services.routines import dispatch
from tests import factories

NOV = date(2026, 11, 1)
URL = "/routines/dispatch?month=2026-11"


def _numbers(html: str) -> list[int]:
    """The 序号 of the table's rows, in order."""
    body = html.split('id="dispatch-table"')[1].split("</table>")[0]
    return [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", body)]


def _badge(html: str, status: str) -> str:
    return re.search(rf'id="count-{status}"[^>]*>([^<]*)</a>', html).group(1)


@pytest.fixture
def month(agri, users):
    """Six projects in two 专栏 as of 10 November (due the 5th): 1–3 in 专栏1, led by 农业农村局
    (1 on time, 2 late); 4–6 in 专栏2 (4 and 5 owed by 农业农村局, 6 by the officer's 工信科局)."""
    biomed = factories.sector("biomed", column_no=1, column_title="专栏1 生物医药产业项目")
    food = factories.sector("food", column_no=2, column_title="专栏2 生物农业项目")
    rows = [factories.project(name=f"调度项目{n}", lead_department=agri, sector=biomed, column_no=1, column_seq=n)
            for n in (1, 2, 3)]
    rows += [factories.project(name=f"调度项目{n}", lead_department=agri, sector=food, column_no=2, column_seq=n)
             for n in (4, 5)]
    rows.append(factories.project(name="调度项目6", lead_department=users["officer"].department, sector=food,
                                  column_no=2, column_seq=6))
    factories.progress_report(rows[0], month=NOV, submitted_at=datetime(2026, 11, 3, 2, 0))
    factories.progress_report(rows[1], month=NOV, submitted_at=datetime(2026, 11, 7, 2, 0))
    return rows


def test_filtering_by_department_shows_its_rows_numbered_as_in_the_whole_table(client, login, users, month, agri):
    login("admin")
    html = client.get(f"{URL}&department={users['officer'].department_id}").get_data(as_text=True)
    assert _numbers(html) == [6] and "调度项目6" in html and "调度项目4" not in html
    assert "计数范围：工信科局" in html  # the badges count the filtered department's month
    assert [_badge(html, s) for s in ("on_time", "late", "overdue")] == ["按时报送 0", "迟报 0", "逾期未报 1"]
    assert f'value="{users["officer"].department_id}" selected' in html


def test_filtering_by_status_keeps_the_counts_of_every_status(client, login, month):
    login("staff")
    html = client.get(f"{URL}&status=overdue").get_data(as_text=True)
    assert _numbers(html) == [3, 4, 5, 6]
    assert "计数范围：本月全部项目" in html
    assert [_badge(html, s) for s in ("on_time", "late", "overdue")] == ["按时报送 1", "迟报 1", "逾期未报 4"]
    # Each badge filters by its status, keeping the month; 全部 clears the status.
    assert re.search(r'id="count-late"\s+href="/routines/dispatch\?month=2026-11&amp;status=late"', html)
    assert re.search(r'id="count-all"\s+href="/routines/dispatch\?month=2026-11">全部 6<', html)


def test_filtering_by_column_and_department_together(client, login, month, agri):
    login("leader")
    html = client.get(f"{URL}&column=2&department={agri.id}").get_data(as_text=True)
    assert _numbers(html) == [4, 5] and "计数范围：农业农村局 · 专栏2 生物农业项目" in html
    assert _numbers(client.get(f"{URL}&column=other").get_data(as_text=True)) == []


def test_the_second_page_goes_on_with_the_next_rows_under_their_group_header(client, login, month, monkeypatch):
    monkeypatch.setattr(dispatch, "TABLE_PAGE_SIZE", 2)
    login("admin")
    first = client.get(URL).get_data(as_text=True)
    assert _numbers(first) == [1, 2] and "第 1–2 条，共 6 条" in first
    assert 'href="/routines/dispatch?month=2026-11&amp;page=2">下一页' in first
    second = client.get(f"{URL}&page=2").get_data(as_text=True)
    assert _numbers(second) == [3, 4]
    table = second.split('id="dispatch-table"')[1]
    # 专栏1 goes on from page 1: its header opens the page again, before row 3 and then 专栏2's.
    assert table.index(">专栏1 生物医药产业项目</th>") < table.index("调度项目3") < table.index(">专栏2 生物农业项目</th>")
    # The counts are the month's, not the page's.
    assert [_badge(second, s) for s in ("on_time", "late", "overdue")] == ["按时报送 1", "迟报 1", "逾期未报 4"]
    late = client.get(f"{URL}&status=overdue&page=2").get_data(as_text=True)
    assert _numbers(late) == [5, 6]
    assert 'href="/routines/dispatch?month=2026-11&amp;status=overdue&amp;page=1">上一页' in late


def test_month_links_keep_the_filters_and_clearing_drops_them(client, login, month, agri):
    login("admin")
    html = client.get(f"{URL}&department={agri.id}&status=late&page=2").get_data(as_text=True)
    assert f'href="/routines/dispatch?month=2026-10&amp;department={agri.id}&amp;status=late">' in html
    assert 'href="/routines/dispatch?month=2026-11">清除条件' in html


@pytest.mark.parametrize("query", ["department=abc", f"department={2**64}", "department=99999", "status=done",
                                   "status=", "column=9", "column=x", "page=abc", "page=-3", "page=0",
                                   "department=&column=&status=&page="])
def test_junk_parameters_are_ignored(client, login, month, query):
    login("officer")
    resp = client.get(f"{URL}&{query}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert _numbers(html) == [1, 2, 3, 4, 5, 6] and "逾期未报 4" in html


@pytest.mark.parametrize("page", ["5", str(10**30)])
def test_a_page_beyond_the_end_is_empty_with_a_way_back(client, login, month, page):
    login("admin")
    resp = client.get(f"{URL}&page={page}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and _numbers(html) == [] and "没有符合条件的项目。" in html
    assert '">上一页' in html and "逾期未报 4" in html


def test_an_officer_sees_the_whole_table_and_a_capped_owed_card(client, login, users, monkeypatch):
    monkeypatch.setattr(dispatch, "OWED_SHOWN", 2)
    dept = users["officer"].department
    own = [factories.project(name=f"本部门项目{n}", lead_department=dept, column_no=1, column_seq=n) for n in (1, 2, 3)]
    factories.project(name="外部门项目", lead_department=factories.department("农业农村局"))
    login("officer")
    html = client.get(URL).get_data(as_text=True)
    owed = html.split('id="owed"')[1].split("</ul>")[0]
    assert own[0].name in owed and own[1].name in owed and own[2].name not in owed
    assert 'id="owed-total">3<' in html and "另有 1 个待报项目" in owed
    assert f'href="/routines/dispatch?month=2026-11&amp;department={dept.id}&amp;status=overdue"' in owed
    assert _numbers(html) == [1, 2, 3, 4] and "外部门项目" in html  # no department is chosen for them
    assert f'href="/routines/dispatch?month=2026-11&amp;department={dept.id}">本部门' in html


def test_the_excel_export_still_holds_every_row_of_the_month(client, login, month, monkeypatch):
    monkeypatch.setattr(dispatch, "TABLE_PAGE_SIZE", 2)
    login("admin")
    ws = load_workbook(BytesIO(client.get("/routines/dispatch.xlsx?month=2026-11&page=2&status=late").data)).active
    names = [row[1].value for row in ws.iter_rows(min_row=4)]
    assert [n for n in names if n.startswith("调度项目")] == [f"调度项目{n}" for n in range(1, 7)]
    assert [row[0].value for row in ws.iter_rows(min_row=4) if row[0].value] == [1, 2, 3, 4, 5, 6]
