"""Sorting and totals of the list pages (services/core/listing.py, services/lists/sorts.py),
without HTTP: only whitelisted keys reach the SQL, names sort in pinyin order, empty values sort
last both ways, ties keep one order by id, and the total counts the filtered query."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise, Project, User
from crm.services.core import listing
from crm.services.lists import sorts
from tests import factories

pytestmark = pytest.mark.usefixtures("app")  # the app context, and emptied tables after each test


def _names(query, sort_arg, keys=sorts.ENTERPRISES, model=Enterprise):
    ordered = listing.ordered(query, listing.parse_sort(sort_arg, keys), keys, model.id)
    return [db.session.get(model, i).name for i in db.session.scalars(ordered)]


def test_only_whitelisted_sort_keys_are_used():
    keys = sorts.ENTERPRISES
    assert listing.parse_sort("name", keys) == listing.Sort("name", False)
    assert listing.parse_sort("-last", keys) == listing.Sort("last", True)
    for junk in ("name_norm", "-", "", None, "name; DROP TABLE users", "--name", ["name"]):
        assert listing.parse_sort(junk, keys) == listing.Sort()
    assert listing.parse_sort("bogus", keys, listing.Sort("name")) == listing.Sort("name")


def test_header_links_toggle_and_say_their_state():
    sort = listing.Sort("name")
    assert (sort.toggled("name"), sort.toggled("region")) == ("-name", "region")
    assert listing.Sort("name", True).toggled("name") == "name"
    assert (sort.aria("name"), sort.aria("region"), listing.Sort("name", True).aria("name")) == \
        ("ascending", "none", "descending")
    assert (sort.arg, listing.Sort("last", True).arg, listing.Sort().arg) == ("name", "-last", "")


def test_chinese_names_sort_in_pinyin_order_not_by_code_point():
    for name in ("中国生物科技有限公司", "安徽丰原集团有限公司", "北京大北农科技集团股份有限公司", "哈尔滨工业大学"):
        factories.enterprise(name=name)
    query = sa.select(Enterprise.id)
    assert _names(query, "name") == ["安徽丰原集团有限公司", "北京大北农科技集团股份有限公司", "哈尔滨工业大学",
                                     "中国生物科技有限公司"]
    assert _names(query, "-name") == list(reversed(_names(query, "name")))


def test_empty_values_sort_last_both_ways_and_ties_keep_id_order():
    a = factories.enterprise(name="甲公司", region="黑龙江省")
    b = factories.enterprise(name="乙公司", region=None)
    c = factories.enterprise(name="丙公司", region="黑龙江省")
    d = factories.enterprise(name="丁公司", region="北京市")
    query = sa.select(Enterprise.id)
    ids = lambda arg: list(db.session.scalars(listing.ordered(query, listing.parse_sort(arg, sorts.ENTERPRISES),  # noqa: E731
                                                               sorts.ENTERPRISES, Enterprise.id)))
    assert ids("region") == [d.id, a.id, c.id, b.id]  # 北京市 < 黑龙江省 (code order of the text), then empty
    assert ids("-region") == [c.id, a.id, d.id, b.id]  # ties reversed by id, empty still last


def test_references_sort_by_their_own_order():
    wu, an = factories.user("staff", display_name="吴艳"), factories.user("staff", display_name="安宁")
    later = factories.enterprise(name="甲", owner=wu, status="invested", last_interaction_at=datetime(2026, 12, 1))
    first = factories.enterprise(name="乙", owner=an, status="prospect", last_interaction_at=datetime(2026, 11, 1))
    query = sa.select(Enterprise.id)
    assert _names(query, "owner") == [first.name, later.name]  # 安 before 吴 in pinyin
    assert _names(query, "status") == [first.name, later.name]  # 潜在 before 已落地, the lifecycle order
    assert _names(query, "-last") == [later.name, first.name]


def test_project_sorts_stage_in_lifecycle_order_and_investors_by_the_first_in_pinyin():
    zhong, an = factories.enterprise(name="中粮集团"), factories.enterprise(name="安徽丰原")
    factories.project(name="项目甲", stage="signed", investors=[zhong])
    factories.project(name="项目乙", stage="planned", investors=[an])
    query = sa.select(Project.id)
    assert _names(query, "stage", sorts.PROJECTS, Project) == ["项目乙", "项目甲"]
    assert _names(query, "investors", sorts.PROJECTS, Project) == ["项目乙", "项目甲"]
    assert _names(query, "-investment", sorts.PROJECTS, Project)  # every key builds valid SQL
    for key in sorts.PROJECTS:
        assert len(_names(query, key, sorts.PROJECTS, Project)) == 2


def test_every_sort_key_of_every_list_runs():
    factories.problem()
    for keys, model in ((sorts.ENTERPRISES, Enterprise), (sorts.USERS, User)):
        for key in keys:
            for arg in (key, "-" + key):
                db.session.scalars(listing.ordered(sa.select(model.id), listing.parse_sort(arg, keys), keys,
                                                   model.id)).all()
    from crm.models import Problem
    for key in sorts.PROBLEMS:
        db.session.scalars(listing.ordered(sa.select(Problem.id), listing.parse_sort(key, sorts.PROBLEMS),
                                           sorts.PROBLEMS, Problem.id)).all()


def test_the_total_counts_the_filtered_query_whatever_its_order():
    for i in range(5):
        factories.enterprise(name=f"计数企业{i}", status="engaged" if i % 2 else "prospect")
    query = sa.select(Enterprise.id).where(Enterprise.status == "prospect").order_by(Enterprise.name_pinyin)
    assert listing.count(query) == (3, False)
    assert listing.count(sa.select(Enterprise.id).where(sa.false())) == (0, False)


def test_a_capped_count_stops_and_says_there_are_more():
    for i in range(5):
        factories.enterprise(name=f"计数企业{i}")
    query = sa.select(Enterprise.id).order_by(Enterprise.name_pinyin, Enterprise.id)
    assert listing.count(query, cap=3) == (3, True)
    assert listing.count(query, cap=5) == (5, False)
    assert listing.count(query, cap=9) == (5, False)
