"""The timeline on the project and enterprise pages: filtered by query string (no script
needed), paged, and a constant number of statements however long the history."""
from __future__ import annotations

from tests.services.timeline.busy import busy_project


def test_the_project_page_tells_the_story_and_filters_without_script(client, login):
    login("staff")
    project, _investor = busy_project(2)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    for text in ('id="timeline"', "第1次对接", "依据1", "批示1", "问题1", "已解决1", "2000年2月", "备注1", "data-autosubmit"):
        assert text in html, text
    only = client.get(f"/projects/{project.id}?kind=report&kind=stage").get_data(as_text=True)
    assert "2000年2月" in only and "依据1" in only
    assert "第1次对接" not in only and "已解决1" not in only
    assert 'value="report" checked' in only and 'value="contact">' in only


def test_a_long_history_is_paged_and_the_pager_keeps_the_filter(client, login):
    login("staff")
    project, _investor = busy_project(12)  # 12 contacts and 13 edits: two pages of 20
    first = client.get(f"/projects/{project.id}?kind=contact&kind=edit").get_data(as_text=True)
    assert "tl_page=2" in first and "kind=contact" in first and "kind=edit" in first
    page2 = client.get(f"/projects/{project.id}?kind=contact&kind=edit&tl_page=2").get_data(as_text=True)
    assert "第11次对接" in first and "第0次对接" not in first
    assert "第0次对接" in page2 and "第11次对接" not in page2 and "tl_page=1" in page2


def test_statements_do_not_grow_with_the_history(client, login, page_statements):
    login("staff")
    small, small_firm = busy_project(2)
    large, large_firm = busy_project(43)  # 301 entries
    small, large, small_firm, large_firm = small.id, large.id, small_firm.id, large_firm.id

    def count(url: str) -> int:
        return page_statements(client, url, fresh=True)

    assert count(f"/projects/{small}") == count(f"/projects/{large}")
    kinds = "?kind=contact&kind=stage&kind=instruction&kind=problem&kind=report"
    assert count(f"/projects/{large}{kinds}&tl_page=12") == count(f"/projects/{small}{kinds}")
    assert count(f"/enterprises/{small_firm}") == count(f"/enterprises/{large_firm}")


def test_a_follow_up_marked_done_from_the_timeline_returns_to_it(client, login):
    login("staff")
    _project, investor = busy_project(1)
    html = client.get(f"/enterprises/{investor.id}?kind=contact").get_data(as_text=True)
    assert "标记已跟进" in html
    resp = client.post("/interactions/1/done", data={"next": f"/enterprises/{investor.id}?kind=contact"})
    assert resp.headers["Location"].endswith(f"/enterprises/{investor.id}?kind=contact")
    assert "标记已跟进" not in client.get(f"/enterprises/{investor.id}").get_data(as_text=True)
