"""Enterprise search: short and long Chinese terms, credit codes, filters, and index sync."""
import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise
from crm.services import search
from crm.services.enterprises import save_enterprise
from tests import factories

CODE = "91230100MA1B2C3D4X"


@pytest.fixture
def firms(app, users):
    biomed = factories.sector("biomed")
    return {
        "runhong": factories.enterprise(name="绥芬河市润宏经贸有限公司", region="黑龙江省牡丹江市",
                                        credit_code=factories.valid_credit_code(), tags=["龙头企业"],
                                        sector=biomed, owner=users["staff"], status="engaged"),
        "dabeinong": factories.enterprise(name="北京大北农科技集团股份有限公司", short_name="大北农",
                                          region="北京市", tags=["上市公司"], owner=users["admin"]),
        "fengyuan": factories.enterprise(name="安徽丰原集团有限公司", region="安徽省蚌埠市",
                                         tags=["龙头企业", "上市公司"], sector=biomed),
    }


def names(q="", **filters) -> list[str]:
    return [e.name for e in db.session.scalars(search.enterprise_select(q, **filters))]


def test_two_character_chinese_terms_match(firms):
    assert names("绥芬") == ["绥芬河市润宏经贸有限公司"]
    assert names("大北") == ["北京大北农科技集团股份有限公司"]


def test_four_character_terms_match_names_and_short_names(firms):
    assert names("丰原集团") == ["安徽丰原集团有限公司"]
    assert names("润宏经贸") == ["绥芬河市润宏经贸有限公司"]
    assert names("大北农") == ["北京大北农科技集团股份有限公司"]


def test_names_match_whatever_the_spacing_and_brackets(app):
    factories.enterprise(name="绥芬河 测试（有限）公司")
    assert names("测试有限") == names("测试(有限") == ["绥芬河 测试（有限）公司"]


def test_credit_codes_match_whole_partial_and_lowercase(firms):
    code = firms["runhong"].credit_code
    for q in (code, code[:8], code[-6:].lower()):
        assert names(q) == ["绥芬河市润宏经贸有限公司"], q


def test_every_word_must_match(firms):
    assert names("集团 安徽") == ["安徽丰原集团有限公司"]
    assert names("集团 绥芬") == []


@pytest.mark.parametrize("q", ["%", "_", "%%%", '"', "\\"])
def test_wildcards_and_quotes_are_literal(firms, q):
    assert names(q) == []


def test_the_index_follows_renames_and_deletes(firms, users):
    save_enterprise(users["staff"], firms["fengyuan"], {"name": "安徽丰原生物化学股份有限公司", "country": "中国"})
    db.session.commit()
    assert names("丰原集团") == [] and names("生物化学") == ["安徽丰原生物化学股份有限公司"]
    db.session.delete(firms["fengyuan"])
    db.session.commit()
    assert names("生物化学") == [] and names("丰原") == []


def test_each_filter_combines_with_the_search(firms, users):
    biomed = firms["runhong"].sector_id
    assert names("有限", region="北京") == ["北京大北农科技集团股份有限公司"]
    assert names("有限公司", tag="龙头企业") == ["安徽丰原集团有限公司", "绥芬河市润宏经贸有限公司"]
    assert names("集团", sector_id=biomed) == ["安徽丰原集团有限公司"]
    assert names("有限", owner_id=users["admin"].id) == ["北京大北农科技集团股份有限公司"]
    assert names("", status="engaged") == ["绥芬河市润宏经贸有限公司"]
    assert names("", tag="上市公司", region="安徽") == ["安徽丰原集团有限公司"]


def test_results_are_ordered_by_the_indexed_normalised_name(firms):
    assert names() == sorted(names(), key=lambda n: db.session.scalar(
        sa.select(Enterprise.name_norm).where(Enterprise.name == n)))


def test_ddl_is_offered_per_dialect_and_built_by_create_all(app):
    sqlite_ddl = " ".join(search.ddl_statements("sqlite"))
    assert "fts5" in sqlite_ddl and "trigram" in sqlite_ddl and "rebuild" in sqlite_ddl
    assert "pg_trgm" in search.ddl_statements("postgresql")[0]
    assert search.ddl_statements("mysql") == [] and search.drop_statements("sqlite")
    if db.engine.dialect.name == "sqlite":
        assert db.session.scalar(sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'enterprise_fts'")) == 1


def ids_in_list_order(q="", **filters) -> list[str]:
    """What the list page shows: enterprise_ids, the query the pages walk."""
    ids = list(db.session.scalars(search.enterprise_ids(q, **filters)))
    by_id = {e.id: e.name for e in db.session.scalars(sa.select(Enterprise).where(Enterprise.id.in_(ids)))}
    return [by_id[i] for i in ids]


@pytest.mark.parametrize("q", ["绥芬", "有限", "集团 有限", "有限 集团", "北农", "有限 大北农"])
def test_list_ids_match_the_search_in_the_same_order(firms, q):
    assert ids_in_list_order(q) == names(q)


def test_the_rarest_two_character_term_drives_the_walk(firms):
    # 有限 is in all three names, 绥芬 in one: whichever is typed first, 绥芬 drives.
    assert search._driving_gram(["有限", "绥芬"]) == "绥芬"
    assert search._driving_gram(["绥芬", "有限"]) == "绥芬"
    assert search._driving_gram(["有限", "生物科技"]) == "有限"  # the only two-character term
    assert ids_in_list_order("有限 绥芬") == ids_in_list_order("绥芬 有限") == ["绥芬河市润宏经贸有限公司"]


def test_counting_stops_at_the_cap_and_ties_keep_the_typed_order(firms, monkeypatch):
    monkeypatch.setattr(search, "GRAM_COUNT_CAP", 1)  # both terms count as 1
    assert search._driving_gram(["有限", "绥芬"]) == "有限"
    assert ids_in_list_order("有限 绥芬") == ["绥芬河市润宏经贸有限公司"]


def test_a_firm_matching_in_name_and_short_name_is_listed_once(app):
    factories.enterprise(name="大北农生物有限公司", short_name="大北农")
    assert ids_in_list_order("北农") == ["大北农生物有限公司"]


def test_two_character_index_follows_short_name_renames_and_deletes(firms, users):
    save_enterprise(users["staff"], firms["dabeinong"], {"name": firms["dabeinong"].name, "short_name": "北农牧",
                                                         "country": "中国"})
    db.session.commit()
    assert ids_in_list_order("农牧") == ["北京大北农科技集团股份有限公司"]
    save_enterprise(users["staff"], firms["dabeinong"], {"name": "北京某某科技集团股份有限公司", "short_name": "",
                                                         "country": "中国"})
    db.session.commit()
    assert ids_in_list_order("农牧") == [] and ids_in_list_order("北农") == []
    assert ids_in_list_order("某某") == ["北京某某科技集团股份有限公司"]
    db.session.delete(firms["dabeinong"])
    db.session.commit()
    assert ids_in_list_order("某某") == []
    # No piece of a deleted firm is left behind (SQLite and PostgreSQL triggers alike).
    assert db.session.scalar(sa.text(f"SELECT count(*) FROM {search.GRAM_TABLE} "
                                     "WHERE enterprise_id = :id"), {"id": firms["dabeinong"].id}) == 0


def test_two_character_terms_combine_with_filters(firms, users):
    assert ids_in_list_order("有限", region="北京") == ["北京大北农科技集团股份有限公司"]
    assert ids_in_list_order("有限", tag="龙头企业", sector_id=firms["runhong"].sector_id) == \
        ["安徽丰原集团有限公司", "绥芬河市润宏经贸有限公司"]


@pytest.mark.parametrize("q", ["有限公司", "集团 有限", "有限公司 绥芬", "润宏经贸", "大北农"])
def test_a_common_long_term_walks_the_list_and_finds_the_same_rows(firms, monkeypatch, q):
    expected = names(q)  # through the trigram index
    monkeypatch.setattr(search, "MANY_MATCHES", 0)  # every term counts as common here
    assert ids_in_list_order(q) == expected


@pytest.mark.sqlite_only
def test_common_long_terms_walk_the_covering_index_rare_ones_use_the_trigram_index(firms, monkeypatch):
    def plan(q):
        sql = search.enterprise_ids(q).limit(21).compile(db.engine, compile_kwargs={"literal_binds": True})
        return " ".join(str(row) for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "enterprise_fts" in plan("有限公司")  # 3 firms: rare
    monkeypatch.setattr(search, "MANY_MATCHES", 2)
    walked = plan("有限公司")
    assert "COVERING INDEX ix_enterprises_search_like" in walked and "enterprise_fts" not in walked
    assert "TEMP B-TREE" not in walked


@pytest.fixture
def partner(firms):
    """A Russian partner known to Chinese staff by its Chinese rendering."""
    return factories.enterprise(name="滨海边疆区农业贸易有限公司", country="俄罗斯",
                                name_en="Primorye Agro Trade LLC", name_ru="ООО «Приморье Агро Трейд»")


@pytest.mark.parametrize("q", ["Primorye", "primorye agro", "ПРИМОРЬЕ", "агро", "ＬＬＣ", "LL", "ооо", "Агро 贸易"])
def test_english_and_russian_names_match_in_any_case(partner, q):
    assert names(q) == ["滨海边疆区农业贸易有限公司"], q
    assert ids_in_list_order(q) == names(q)


def test_a_foreign_term_must_still_match_somewhere_with_the_other_words(partner):
    assert names("Amur") == names("Приморье 绥芬") == names("ООО 大北农") == []
    assert names("LLC%") == []  # wildcards stay literal in foreign names too


def test_a_common_latin_term_walking_the_list_still_finds_foreign_names(partner, monkeypatch):
    monkeypatch.setattr(search, "MANY_MATCHES", 0)
    assert ids_in_list_order("Primorye") == ["滨海边疆区农业贸易有限公司"]


def test_foreign_names_follow_edits(partner, users):
    save_enterprise(users["admin"], partner, {"name": partner.name, "name_en": "Amur Grain LLC", "name_ru": None})
    assert names("amur") == ["滨海边疆区农业贸易有限公司"] and names("Primorye") == names("Приморье") == []


@pytest.mark.sqlite_only
def test_long_foreign_terms_use_the_names_trigram_table_short_ones_the_partial_index(partner):
    def plan(q):
        sql = search.enterprise_ids(q).limit(21).compile(db.engine, compile_kwargs={"literal_binds": True})
        return " ".join(str(row) for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "enterprise_fts_foreign" in plan("Primorye") and "ix_enterprises_foreign_names" not in plan("Primorye")
    assert "ix_enterprises_foreign_names" in plan("LL") and "enterprise_fts_foreign" not in plan("LL")


@pytest.mark.sqlite_only
def test_a_foreign_term_in_many_names_walks_the_list_order(partner, monkeypatch):
    monkeypatch.setattr(search, "MANY_MATCHES", 0)  # the partner's one match is "many" here
    sql = search.enterprise_ids("Приморье").limit(21).compile(db.engine, compile_kwargs={"literal_binds": True})
    walked = " ".join(str(row) for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "COVERING INDEX ix_enterprises_search_like" in walked and "TEMP B-TREE" not in walked
    assert ids_in_list_order("Приморье") == ["滨海边疆区农业贸易有限公司"]


@pytest.mark.parametrize("q, filters", [("绥芬", {}), ("生物科技", {}), ("ооо", {}), ("", {"status": "engaged"}),
                                        ("生物 绥芬", {"region": "黑龙江省"})])
def test_the_lists_count_counts_the_same_rows_as_the_page_reads(app, q, filters):
    """countable() may drop the order (PostgreSQL), never a row: capped or not, the same count."""
    from crm.services.core import listing
    for i in range(7):
        factories.enterprise(name=f"绥芬河生物科技{i}有限公司", region="黑龙江省绥芬河市", status="engaged",
                             name_ru=f"ООО Суйфэньхэ {i}")
    factories.enterprise(name="哈尔滨生物科技有限公司", region="黑龙江省哈尔滨市")
    factories.enterprise(name="北京绥芬贸易有限公司", region="北京市")
    ids = search.enterprise_ids(q, **filters)
    for cap in (None, 3, 7, 50):
        assert listing.count(search.countable(ids), cap) == listing.count(ids, cap), cap
    assert listing.count(search.countable(ids), 50)[0] == len(db.session.scalars(ids).all()) > 0
