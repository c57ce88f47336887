"""Lost updates: two people edit one record; the second save, made from a form filled before the
first one's, answers 409 with the first person's changes and keeps what the second one typed,
and the first person's save survives.  Over real HTTP on a threaded server."""
from __future__ import annotations

import html
import re

from crm.extensions import db
from crm.models import Project
from tests import factories
from tests.reliability.concurrent_http import Browser, at_once, serving


def version_in(page: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    assert match, "the form carries no version"
    return match.group(1) or match.group(2)


def _project_form(project_id: int, **kw) -> dict:
    refs = factories.project_refs()
    form = factories.project_form(refs, name="对俄中药材进口加工产业园项目", **kw)
    return form


def _stored(project_id: int) -> Project:
    db.session.rollback()
    return db.session.get(Project, project_id, populate_existing=True)


def test_a_stale_project_save_answers_409_and_the_first_save_survives(app, users):
    refs = factories.project_refs()
    project_id = factories.project(name="旧项目名称", lead_department=refs["dept"], sector=refs["sector"]).id
    base_form = factories.project_form(refs, name="旧项目名称")
    with serving(app) as base:
        first, second = Browser(base, "staff"), Browser(base, "admin")
        url = f"/projects/{project_id}/edit"
        v1, v2 = version_in(first.get(url)[1]), version_in(second.get(url)[1])
        assert v1 == v2 == "1"
        status, _body = first.post(url, {**base_form, "version": v1, "name": "甲改的项目名称"})
        assert status == 302
        status, body = second.post(url, {**base_form, "version": v2, "notes": "乙写的备注，不能丢"})
        assert status == 409
        page = html.unescape(body)
        assert "其他人已修改了这条记录" in page
        assert "项目名称" in page and "旧项目名称" in page and "甲改的项目名称" in page  # the other's change, named
        assert users["staff"].display_name in page
        assert "乙写的备注，不能丢" in page  # what this person typed is still in the form
        assert _stored(project_id).name == "甲改的项目名称" and _stored(project_id).notes is None
        # Saving the 409 page's form again is a knowing overwrite, from the version it now carries.
        status, _body = second.post(url, {**base_form, "version": version_in(body), "notes": "乙写的备注，不能丢"})
        assert status == 302
    stored = _stored(project_id)
    assert stored.notes == "乙写的备注，不能丢" and stored.version == 3


def test_two_simultaneous_saves_of_one_version_one_wins_and_one_answers_409(app, users):
    refs = factories.project_refs()
    base_form = factories.project_form(refs, name="同时编辑的项目")
    tries, outcomes = 3, []
    with serving(app) as base:
        first, second = Browser(base, "staff"), Browser(base, "admin")
        for n in range(tries):
            project_id = factories.project(name="同时编辑的项目", lead_department=refs["dept"],
                                           sector=refs["sector"]).id
            url = f"/projects/{project_id}/edit"
            replies = at_once([lambda: first.post(url, {**base_form, "version": "1", "notes": "甲的备注"}),
                               lambda: second.post(url, {**base_form, "version": "1", "notes": "乙的备注"})])
            statuses = [r[0] for r in replies]
            outcomes.append(statuses)
            assert sorted(statuses) == [302, 409], replies
            winner = "甲的备注" if statuses[0] == 302 else "乙的备注"
            stored = _stored(project_id)
            assert stored.notes == winner and stored.version == 2
