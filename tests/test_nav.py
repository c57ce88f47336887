"""The top bar: which item is lit for the page in hand."""
import re

import pytest


def active_items(html: str) -> list[str]:
    return re.findall(r'class="nav-link active"[^>]*>([^<]+)<', html)


@pytest.mark.parametrize("path, item", [
    ("/routines/dispatch", "每月调度"),
    ("/routines/problems", "问题台账"),
    ("/routines/problems/new", "问题台账"),
    ("/routines/ranking", "季度晾晒"),
    ("/enterprises/", "企业"),
    ("/admin/", "管理"),
    ("/admin/jobs/", "管理"),
    ("/pool-reviews", "管理"),
    ("/pool-reviews/new", "管理"),
    ("/dashboard", "目标"),
    ("/dashboard/cohorts", "目标"),
])
def test_exactly_the_items_own_pages_light_it(client, login, path, item):
    login("admin")
    response = client.get(path)
    assert response.status_code == 200, path
    assert active_items(response.get_data(as_text=True)) == [item]
