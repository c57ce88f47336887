"""The timeline service: one stream per project and enterprise, newest first, every kind,
filtered by kind, paged without gaps or repeats, in words."""
from __future__ import annotations

from crm.extensions import db
from crm.services import timeline
from crm.services.timeline import Subject
from tests.services.timeline.busy import SOURCES, busy_project


def _all(subject: Subject, wanted: list[str], per_page: int = 20) -> list:
    entries, number = [], 1
    while True:
        page = timeline.page(subject, wanted, number, lambda n: str(n), per_page=per_page)
        entries += page.items
        if not page.has_next:
            return entries
        number += 1


def test_a_project_timeline_holds_every_kind_newest_first_in_words(app):
    project, _investor = busy_project(3)
    entries = _all(Subject("project", project.id), list(timeline.kinds("project")), per_page=7)
    # Three rounds of seven, and the project's creation (the newest: it was written last).
    assert len(entries) == 3 * SOURCES + 1
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert {e.kind for e in entries} == {"contact", "stage", "instruction", "problem", "report", "edit"}
    titles = [e.title for e in entries]
    assert titles[1:8] == ["修改", "月度调度：2000年3月", "问题销号", "提出问题", "领导批示", "阶段变更：谋划 → 洽谈",
                           "电话 · 绥芬河时间线企业3"]
    assert {e.who for e in entries} >= {"李管理", "王副市长（副市长）"}
    edit = entries[1]
    assert edit.changes == [("备注", "备注1", "备注2")]
    closed = entries[3]
    assert ("整改情况", "已解决2") in closed.lines and ("销号日期", "2025年1月1日") in closed.lines
    assert ("依据", "依据2") in entries[6].lines
    assert all("#" not in str(text) for e in entries for _label, text in e.lines)


def test_pages_follow_each_other_without_gaps_or_repeats(app):
    project, _investor = busy_project(5)
    subject = Subject("project", project.id)
    whole = timeline.page(subject, list(timeline.kinds("project")), 1, str, per_page=100).items
    paged = _all(subject, list(timeline.kinds("project")), per_page=4)
    assert [(e.kind, e.record.id) for e in paged] == [(e.kind, e.record.id) for e in whole]
    assert len(paged) == 5 * SOURCES + 1


def test_the_filter_keeps_only_the_kinds_asked_for(app):
    project, _investor = busy_project(2)
    subject = Subject("project", project.id)
    for kind in timeline.kinds("project"):
        entries = _all(subject, [kind])
        assert entries and {e.kind for e in entries} == {kind}
    assert timeline.chosen_kinds(["stage", "nonsense", "stage"], "project") == ["stage"]
    assert timeline.chosen_kinds([], "project") == list(timeline.kinds("project"))


def test_an_enterprise_timeline_holds_its_contacts_edits_and_its_projects_stage_moves(app):
    _project, investor = busy_project(2)
    investor.website = "https://example.cn"
    db.session.commit()
    entries = _all(Subject("enterprise", investor.id), list(timeline.kinds("enterprise")))
    assert {e.kind for e in entries} == {"contact", "stage", "edit"}
    assert ("网址", "—", "https://example.cn") in next(e for e in entries if e.kind == "edit" and e.changes).changes
    assert sum(e.kind == "contact" for e in entries) == 2


def test_a_logged_contacts_echo_on_the_project_is_no_edit_entry(app):
    project, _investor = busy_project(1)
    project.last_interaction_at = project.created_at
    db.session.commit()
    edits = _all(Subject("project", project.id), ["edit"])
    assert [e.changes for e in edits if e.title == "修改"] == [[("备注", "—", "备注0")]]
