"""Saved filter sets and chosen columns (services/lists/saved.py, columns.py), without HTTP."""
import pytest

from crm.extensions import db
from crm.models import AuditEvent, SavedFilter, User
from crm.services.lists import columns, saved
from tests import factories

pytestmark = pytest.mark.usefixtures("app")  # the app context, and emptied tables after each test


def test_a_saved_query_keeps_only_the_lists_own_arguments():
    assert saved.clean_query("enterprises", "page=3&status=engaged&evil=1&q=+绥芬+&sort=-name&owner=") == \
        "q=%E7%BB%A5%E8%8A%AC&status=engaged&sort=-name"
    assert saved.clean_query("projects", "stage=signed&stage=planned&tag=x") == "stage=signed"
    assert saved.clean_query("problems", "overdue=1&department=2") == "department=2&overdue=1"
    assert saved.clean_query("enterprises", "q=" + "长" * 300) == "q=" + "%E9%95%BF" * saved.VALUE_MAX


def test_save_and_replace_under_the_same_name():
    user = factories.user("staff")
    first = saved.save(user, "enterprises", "  潜在 企业 ", "status=prospect&page=2")
    db.session.commit()
    assert (first.name, first.query_string) == ("潜在 企业", "status=prospect")
    again = saved.save(user, "enterprises", "潜在 企业", "status=engaged")
    db.session.commit()
    assert again.id == first.id and again.query_string == "status=engaged"
    assert [f.name for f in saved.saved_filters(user, "enterprises")] == ["潜在 企业"]
    assert saved.saved_filters(user, "projects") == []
    assert AuditEvent.query.filter_by(object_type="SavedFilter", object_id=first.id).count() == 2


@pytest.mark.parametrize("list_key, name, query, message", [
    ("enterprises", "  ", "status=engaged", "请为筛选条件起一个名字"),
    ("enterprises", "名" * 41, "status=engaged", "名称不能超过 40 个字"),
    ("enterprises", "空的", "page=2&evil=1", "当前没有筛选条件"),
    ("users", "用户", "sort=name", "这个列表不能保存筛选条件"),
])
def test_bad_filter_sets_are_refused_and_nothing_saved(list_key, name, query, message):
    with pytest.raises(saved.SavedFilterError) as refused:
        saved.save(factories.user("staff"), list_key, name, query)
    assert message in str(refused.value)
    db.session.rollback()
    assert SavedFilter.query.count() == 0


def test_a_user_keeps_at_most_a_menus_worth_per_list(monkeypatch):
    monkeypatch.setattr(saved, "PER_LIST", 2)
    user = factories.user("staff")
    saved.save(user, "projects", "一", "stage=planned")
    saved.save(user, "projects", "二", "stage=signed")
    with pytest.raises(saved.SavedFilterError, match="最多保存 2 组"):
        saved.save(user, "projects", "三", "stage=started")
    saved.save(user, "projects", "二", "stage=started")  # replacing one is still allowed


def test_another_users_saved_filter_is_as_good_as_missing():
    mine = factories.saved_filter()
    owner = db.session.get(User, mine.user_id)
    assert saved.own_filter(owner, mine.id) is mine
    assert saved.own_filter(factories.user("staff"), mine.id) is None
    saved.delete(mine)
    db.session.commit()
    assert SavedFilter.query.count() == 0


def test_columns_default_to_all_and_remember_the_users_choice():
    user, other = factories.user("staff"), factories.user("staff")
    assert columns.shown(user, "enterprises") == list(columns.OPTIONAL["enterprises"])
    assert columns.choose(user, "enterprises", ["owner", "region", "bogus"]) == ["region", "owner"]
    db.session.commit()
    assert columns.shown(user, "enterprises") == ["region", "owner"]
    assert columns.shown(other, "enterprises") == list(columns.OPTIONAL["enterprises"])
    columns.choose(user, "enterprises", [])
    db.session.commit()
    assert columns.shown(user, "enterprises") == []
