"""Search from anywhere (services/finder.py): each kind by Chinese, pinyin and foreign names, the
groups' limits, and what each role may see."""
import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise
from crm.services import finder
from tests import factories


@pytest.fixture
def world(app, users):
    amur = factories.enterprise(name="阿穆尔农业控股有限公司", name_en="Amur Agro Holding",
                                name_ru="Амурагрохолдинг", country="俄罗斯")
    dongbei = factories.enterprise(name="东北农业科技有限公司", region="黑龙江省绥芬河市")
    mine = factories.project(name="绥芬河大豆精深加工项目", name_en="Suifenhe Soybean Processing",
                             lead_department=users["officer"].department, investors=[amur])
    other = factories.foreign_project(name="东宁黑木耳产业园项目")
    contact = factories.contact(dongbei, name="李建国", phone="13904531234", title="总经理")
    return {"amur": amur, "dongbei": dongbei, "mine": mine, "other": other, "contact": contact}


def titles(user, q, kind, limit=finder.SUGGEST_LIMIT) -> list[str]:
    return [hit.title for hit in finder.find(user, q, limit).groups.get(kind, [])]


def test_chinese_finds_enterprises_projects_and_contacts(world, users):
    staff = users["staff"]
    assert titles(staff, "东北", "enterprises") == ["东北农业科技有限公司"]
    assert titles(staff, "大豆", "projects") == ["绥芬河大豆精深加工项目"]
    assert titles(staff, "李建", "contacts") == ["李建国"]
    assert titles(staff, "1390453", "contacts") == ["李建国"]
    assert finder.find(staff, "李建").groups["contacts"][0].enterprise_id == world["dongbei"].id


@pytest.mark.parametrize("q", ["dbny", "dbn", "DBN", "dongbei", "dong bei", "dongbeinongye"])
def test_pinyin_initials_and_full_pinyin_find_by_prefix(world, users, q):
    assert titles(users["staff"], q, "enterprises") == ["东北农业科技有限公司"]


def test_pinyin_finds_projects_and_not_the_middle_of_a_name(world, users):
    assert titles(users["staff"], "sfh", "projects") == ["绥芬河大豆精深加工项目"]
    assert titles(users["staff"], "suifenhe", "projects") == ["绥芬河大豆精深加工项目"]
    assert titles(users["staff"], "ddjs", "projects") == []  # 大豆精深 is inside the name: not a prefix
    assert titles(users["staff"], "dn", "projects") == ["东宁黑木耳产业园项目"]


def test_a_foreign_partners_name_finds_its_firm_and_its_project(world, users):
    for q in ("Amur", "amur agro", "Амураг"):
        assert titles(users["staff"], q, "enterprises") == ["阿穆尔农业控股有限公司"], q
        assert titles(users["staff"], q, "projects") == ["绥芬河大豆精深加工项目"], q
    assert titles(users["staff"], "Soybean", "projects") == ["绥芬河大豆精深加工项目"]


def test_officers_find_only_their_departments_projects(world, users):
    assert titles(users["officer"], "项目", "projects") == ["绥芬河大豆精深加工项目"]
    assert titles(users["officer"], "黑木耳", "projects") == []
    assert titles(users["officer"], "dnhm", "projects") == []
    assert titles(users["staff"], "项目", "projects") == ["东宁黑木耳产业园项目", "绥芬河大豆精深加工项目"]
    assert titles(users["leader"], "黑木耳", "projects") == ["东宁黑木耳产业园项目"]
    stranger = factories.user("officer")  # no department: no project
    assert titles(stranger, "项目", "projects") == []


def test_only_administrators_find_users(world, users):
    assert titles(users["admin"], "staff", "users") == [users["staff"].display_name]
    assert titles(users["admin"], "stafy", "users") == []
    for role in ("staff", "officer", "leader"):
        assert "users" not in finder.find(users[role], "staff").groups


def test_users_by_display_name_and_its_pinyin(app):
    admin = factories.user("admin", display_name="王海涛")
    assert titles(admin, "王海", "users") == ["王海涛"]
    assert titles(admin, "wht", "users") == ["王海涛"]
    assert titles(admin, "wanghai", "users") == ["王海涛"]


def test_groups_are_cut_at_the_limit_and_say_so(app, users):
    for n in range(5):
        factories.enterprise(name=f"东北农业第{n}分公司")
    found = finder.find(users["staff"], "dbny", limit=3)
    assert len(found.groups["enterprises"]) == 3 and found.more["enterprises"]
    assert not finder.find(users["staff"], "dbny", limit=5).more["enterprises"]


@pytest.mark.parametrize("q", ["", " ", "东", "d", "%", "%%", "_ _", "'", "z" * 200, "\x00李建\x00x", "李\U0010ffff",
                               "李\ud7ff", "\u200b\u200b"])
def test_short_or_odd_terms_find_nothing_and_never_fail(world, users, q):
    found = finder.find(users["admin"], q)
    assert found.empty


def test_control_characters_are_dropped_from_the_term(world, users):
    assert finder.clean("\x00李建\u200b ") == "李建"
    assert titles(users["staff"], "\x00李建", "contacts") == ["李建国"]


def test_the_prefix_range_carries_past_z_and_9():
    assert finder._successor("dbn") == "dbo"
    assert finder._successor("dbz") == "dc"
    assert finder._successor("a9") == "aa"
    assert finder._successor("zz") is None
    assert finder.pinyin_key("Xi'an") == "xian" and finder.pinyin_key("东北") is None


def test_pinyin_keys_are_read_from_the_index(app):
    """EXPLAIN QUERY PLAN: the initials walk is an index range, not a scan of enterprises."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan")
    query = sa.select(Enterprise.id).where(finder.prefix_range(Enterprise.name_initials, "dbn", keys=True))
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = " ".join(row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_enterprises_initials (name_initials>? AND name_initials<?)" in plan, plan
