"""Checks that seeds/plan.json is a faithful, self-consistent transcription of the bio-economy plan.

Only the standard library is used: these tests must run before the app (or its database) exists.
"""
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLAN_JSON = REPO / "seeds" / "plan.json"
# The source text lives beside the repo (/work/shared), not inside it.
PLAN_TEXT = Path(__file__).resolve().parents[3] / "shared/plan/suifenhe-bioeconomy-plan-2022.txt"

SECTOR_CODES = {"biomed", "biomanufacturing", "bioagriculture", "bioenergy", "bioenvironment"}
ENTERPRISE_TAGS = {"龙头企业", "高新技术企业", "专精特新", "上市公司", "世界500强"}
SOURCE_CHANNELS = {"以商招商", "东莞对口合作", "展会", "对俄合作", "日韩", "本地企业", "其他"}
MONEY_FIELDS = ("total_investment_wan", "fixed_investment_wan")
TRANSLATED_PROJECT_FIELDS = ("name_en", "name_ru", "description_en", "description_ru")
# Han ideographs and CJK/fullwidth punctuation: none may be left in an English or Russian text.
CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
NB = "\u00a0"  # Russian thousands separator, as the brochures print figures


@pytest.fixture(scope="module")
def plan():
    return json.loads(PLAN_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan_text():
    if not PLAN_TEXT.exists():
        pytest.skip(f"plan source text not found at {PLAN_TEXT}; verbatim checks need it")
    return PLAN_TEXT.read_text(encoding="utf-8")


def project(plan, name):
    (found,) = [p for p in plan["projects"] if p["name"] == name]
    return found


def names(items):
    return {item["name"] for item in items}


# --- shape -----------------------------------------------------------------------------------------

def test_plan_lists_25_projects_with_6_7_4_3_5_per_column(plan):
    projects = plan["projects"]
    assert len(projects) == 25
    counts = [sum(1 for p in projects if p["column"] == c) for c in range(1, 6)]
    assert counts == [6, 7, 4, 3, 5]


def test_projects_are_in_column_order_and_numbered_from_one_within_each_column(plan):
    keys = [(p["column"], p["seq"]) for p in plan["projects"]]
    assert keys == sorted(keys)
    for column in range(1, 6):
        seqs = [p["seq"] for p in plan["projects"] if p["column"] == column]
        assert seqs == list(range(1, len(seqs) + 1))


def test_every_list_has_unique_names_and_codes(plan):
    for key in ("departments", "task_forces", "sectors", "parks", "enterprises", "projects"):
        items = plan[key]
        assert len(names(items)) == len(items), key
    for key in ("sectors", "parks", "goals"):
        codes = [item["code"] for item in plan[key]]
        assert len(set(codes)) == len(codes), key


def test_sectors_are_the_five_plan_sectors_each_owning_its_column(plan, plan_text):
    sectors = {s["code"]: s for s in plan["sectors"]}
    assert set(sectors) == SECTOR_CODES
    assert sorted(s["column"] for s in sectors.values()) == [1, 2, 3, 4, 5]
    for s in sectors.values():
        assert s["column_title"].startswith(f"专栏{s['column']} ")
        assert s["column_title"] in plan_text
        assert all(s[k] for k in ("name", "name_en", "name_ru"))
    for p in plan["projects"]:
        assert sectors[p["sector"]]["column"] == p["column"], p["name"]
    assert sectors["bioenergy"]["task_force"] is None  # the 生物能源 section names no 专班


def test_source_identifies_the_2022_plan(plan):
    assert plan["source"] == {
        "title": "绥芬河市“十四五”加快推进生物经济发展实施方案",
        "issued": "2022-10-14",
        "issuer": "绥芬河市人民政府",
    }


# --- verbatim transcription ------------------------------------------------------------------------

def test_every_project_name_is_verbatim_in_the_plan(plan, plan_text):
    missing = [p["name"] for p in plan["projects"] if p["name"] not in plan_text]
    assert missing == []


def test_every_project_description_is_verbatim_in_the_plan(plan, plan_text):
    missing = [p["name"] for p in plan["projects"] if p["description"].strip() not in plan_text]
    assert missing == []


def test_quoted_phrases_are_verbatim_in_the_plan(plan, plan_text):
    quotes = [e["plan_quote"] for e in plan["enterprises"]] + [g["plan_quote"] for g in plan["goals"]]
    for p in plan["projects"]:
        quotes += [p[k] for k in ("capacity", "land_text", "funding_sources") if p[k]]
    assert [q for q in quotes if q not in plan_text] == []


def test_every_department_short_name_appears_in_the_plan(plan, plan_text):
    assert [d["name"] for d in plan["departments"] if d["name"] not in plan_text] == []


def test_every_task_force_is_named_in_the_plan(plan, plan_text):
    assert [t["name"] for t in plan["task_forces"] if t["name"] not in plan_text] == []


# --- references ------------------------------------------------------------------------------------

def test_project_references_resolve_to_listed_records(plan):
    departments = names(plan["departments"])
    task_forces = names(plan["task_forces"])
    enterprises = names(plan["enterprises"])
    parks = {p["code"] for p in plan["parks"]}
    sectors = {s["code"] for s in plan["sectors"]}
    for p in plan["projects"]:
        assert p["sector"] in sectors, p["name"]
        assert set(p["lead_departments"]) <= departments, p["name"]
        assert set(p["responsible_departments"]) <= departments, p["name"]
        assert p["lead_departments"], p["name"]
        assert p["task_force"] is None or p["task_force"] in task_forces, p["name"]
        assert set(p["investors"]) <= enterprises, p["name"]
        assert p["park"] is None or p["park"] in parks, p["name"]


def test_task_force_and_sector_references_resolve(plan):
    departments = names(plan["departments"])
    task_forces = names(plan["task_forces"])
    for t in plan["task_forces"]:
        assert t["lead_departments"] and set(t["lead_departments"]) <= departments, t["name"]
        assert set(t["member_departments"]) <= departments, t["name"]
        assert t["sector"] is None or t["sector"] in SECTOR_CODES, t["name"]
    for s in plan["sectors"]:
        assert set(s["lead_departments"]) <= departments, s["code"]
        assert set(s["responsible_departments"]) <= departments, s["code"]
        assert s["task_force"] is None or s["task_force"] in task_forces, s["code"]


def test_a_unit_is_never_both_lead_and_responsible_on_the_same_record(plan):
    for p in plan["projects"]:
        assert not set(p["lead_departments"]) & set(p["responsible_departments"]), p["name"]
    for s in plan["sectors"]:
        assert not set(s["lead_departments"]) & set(s["responsible_departments"]), s["code"]
    for t in plan["task_forces"]:
        assert not set(t["lead_departments"]) & set(t["member_departments"]), t["name"]


def test_exactly_one_leading_group_and_all_named_task_forces_are_present(plan):
    leading = [t["name"] for t in plan["task_forces"] if t["is_leading_group"]]
    assert leading == ["绥芬河市生物经济发展领导小组"]
    assert {
        "生物经济科技创新推进专班", "生物医药产业推进专班", "生物制造产业推进专班",
        "生物农业推进专班", "生物环保产业推进专班", "生物对外开放推进专班",
    } <= names(plan["task_forces"])


def test_enterprise_fields_use_the_allowed_vocabularies(plan):
    for e in plan["enterprises"]:
        assert e["role"] in {"investor", "partner", "target"}, e["name"]
        assert set(e["tags"]) <= ENTERPRISE_TAGS, e["name"]
        assert e["source_channel"] in SOURCE_CHANNELS, e["name"]
        assert e["sector"] is None or e["sector"] in SECTOR_CODES, e["name"]


def test_enterprises_are_deduplicated_by_short_name(plan):
    shorts = [e["short_name"] for e in plan["enterprises"]]
    assert len(set(shorts)) == len(shorts)
    assert "域外百草" in shorts and "域外百草" not in names(plan["enterprises"])


def test_departments_have_a_known_kind_and_full_name(plan):
    kinds = {"bureau", "park_admin", "party_office", "town", "center", "office"}
    for d in plan["departments"]:
        assert d["kind"] in kinds and d["full_name"], d["name"]


# --- translations for the en/ru brochures --------------------------------------------------------

def test_every_project_has_an_english_and_russian_name_and_description(plan):
    missing = [(p["name"], k) for p in plan["projects"] for k in TRANSLATED_PROJECT_FIELDS
               if not isinstance(p.get(k), str) or not p[k].strip()]
    assert missing == []


@pytest.mark.parametrize("field", ["site", "capacity"])
def test_a_project_has_a_translated_field_exactly_when_the_plan_states_it(plan, field):
    for p in plan["projects"]:
        if p[field] is None:
            assert (p[f"{field}_en"], p[f"{field}_ru"]) == (None, None), p["name"]
        else:
            assert p[f"{field}_en"].strip() and p[f"{field}_ru"].strip(), p["name"]


def test_a_translated_capacity_keeps_the_plans_figures(plan):
    # 16.5 吨 → "16.5 t", "16,5 т": a translation that lost its number would mislead an investor.
    for p in plan["projects"]:
        if p["capacity"] is not None:
            assert re.search(r"\d", p["capacity_en"]) and re.search(r"\d", p["capacity_ru"]), p["name"]


def test_every_park_has_an_english_and_russian_name(plan):
    assert len(plan["parks"]) == 9
    for park in plan["parks"]:
        assert park["name_en"].strip() and park["name_ru"].strip(), park["code"]
        assert park["name_en"] != park["name"] and park["name_ru"] != park["name"], park["code"]


def test_every_department_task_force_and_goal_has_a_distinct_english_name_that_fits_a_table_cell(plan):
    for key in ("departments", "task_forces", "goals"):
        english = [row["name_en"] for row in plan[key]]
        assert len(set(english)) == len(english), key
        for name in english:
            assert name == name.strip() and 0 < len(name) <= 60, name
            assert not CJK.search(name) and not re.search("[а-яё]", name, re.I), name


def test_every_department_has_a_distinct_russian_name_for_the_brochures(plan):
    russian = [row["name_ru"] for row in plan["departments"]]
    assert len(set(russian)) == len(russian)
    for name in russian:
        assert name == name.strip() and 0 < len(name) <= 70, name
        assert not CJK.search(name) and re.search("[а-яё]", name, re.I), name


def test_translations_leave_no_chinese_text_behind(plan):
    texts = [(p["name"], k, p[k]) for p in plan["projects"]
             for k in TRANSLATED_PROJECT_FIELDS + ("site_en", "site_ru", "capacity_en", "capacity_ru") if p[k]]
    texts += [(park["code"], k, park[k]) for park in plan["parks"] for k in ("name_en", "name_ru")]
    assert [(owner, k) for owner, k, text in texts if CJK.search(text)] == []


def test_russian_translations_are_cyrillic_and_english_ones_are_not(plan):
    for p in plan["projects"]:
        for k in ("name_ru", "description_ru", "capacity_ru"):
            assert p[k] is None or re.search("[а-яё]", p[k], re.I), (p["name"], k)
        for k in ("name_en", "description_en", "capacity_en"):
            assert p[k] is None or not re.search("[а-яё]", p[k], re.I), (p["name"], k)


def test_translations_keep_the_plans_parks_and_zone_names_consistent(plan):
    """A site that is a park reads exactly like the park's name in the same language."""
    parks = {park["code"]: park for park in plan["parks"]}
    for p in plan["projects"]:
        park = parks.get(p["park"])
        if park and p["site"] in (park["name"], park["short_name"]):
            assert (p["site_en"], p["site_ru"]) == (park["name_en"], park["name_ru"]), p["name"]


@pytest.mark.parametrize("name, en, ru", [
    ("黑龙江域外百草药业科技有限公司中草药进口加工项目", ["16.5 t"], ["16,5 т"]),
    ("黑龙江省绥芬河市工业大麻CBD萃取项目", ["10,000 m²", "5,000 to 10,000 mu"], [f"10{NB}000 м²", f"от 5{NB}000 до 10{NB}000 му"]),
    ("口腔器材生产基地项目", ["1993", "CNY 1 billion", "CNY 800 million", "CNY 300 million", "CNY 700 million"],
     ["1993", "1 млрд юаней", "800 млн юаней", "300 млн юаней", "700 млн юаней"]),
    ("黑龙江省绥芬河市保健食品（俄料）加工项目", ["150 t"], ["150 т"]),
    ("进口蜂蜜提纯分装项目", ["CNY 10 million"], ["10 млн юаней"]),
    ("俄粮油脂化工厂项目", ["CNY 100 million"], ["100 млн юаней"]),
    ("黑龙江省绥芬河市维多宝绿色植物生产加工二期项目", ["200 mu", "150 mu", "30 mu", "20 mu", "500", "CNY 20,000", "5,000 jin"],
     ["200 му", "150 му", "30 му", "20 му", "500", f"20{NB}000 юаней", f"5{NB}000 цзиней"]),
    ("黑龙江省绥芬河市食用菌加工项目", ["CNY 30 million"], ["30 млн юаней"]),
    ("黑龙江省绥芬河市饲料加工项目", ["150,000 t"], [f"150{NB}000 т"]),
    ("黑龙江省绥芬河市油料加工项目", ["150,000 t", "50 t", "CNY 20 million", "4,000 m²"],
     [f"150{NB}000 т", "50 т", "20 млн юаней", f"4{NB}000 м²"]),
    ("绥芬河市热气电联产项目", ["10,000 t", "33,000 GJ", "80,000 t", "15,000 t", "CNY 1 billion", "2 × 300 MW", "30 km",
                          "1 m", "500 jobs"],
     [f"10{NB}000 т", f"33{NB}000 ГДж", f"80{NB}000 т", f"15{NB}000 т", "1 млрд юаней", "2 × 300 МВт", "30 км", "1 м",
      "500 рабочих мест"]),
    ("黑龙江省绥芬河市生物质燃料销售项目", ["400,000 t"], [f"400{NB}000 т"]),
    ("钾肥进口仓储项目", ["16,000 m²", "100,000 t"], [f"16{NB}000 м²", f"100{NB}000 т"]),
    ("黑龙江省绥芬河市自贸区污水处理厂扩建和提标改造工程", ["30,000 t", "1-A", "AAOA", "CAST"],
     [f"30{NB}000 т", "1-A", "AAOA", "CAST"]),
    ("绥芬河市建新村一带地下水资源勘查项目", ["14.7804 km²"], ["14,7804 км²"]),
])
def test_translated_descriptions_keep_the_plans_figures_and_units(plan, name, en, ru):
    p = project(plan, name)
    assert [f for f in en if f not in p["description_en"]] == []
    assert [f for f in ru if f not in p["description_ru"]] == []


def test_dental_translation_keeps_the_funding_sources_paragraph(plan):
    p = project(plan, "口腔器材生产基地项目")
    assert p["description"].count("\n") == p["description_en"].count("\n") == p["description_ru"].count("\n") == 1
    assert p["description_en"].split("\n")[1].startswith("Sources of funding:")
    assert p["description_ru"].split("\n")[1].startswith("Источники финансирования:")


# --- figures ---------------------------------------------------------------------------------------

def _money(value):
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - reported by the assertion below
        amount = None
    return amount


def test_money_fields_are_strings_holding_non_negative_decimals(plan):
    values = []
    for p in plan["projects"]:
        values += [p[k] for k in MONEY_FIELDS if p[k] is not None]
        values += [f["amount_wan"] for f in p["funding"]]
    assert values, "expected some stated amounts"
    for value in values:
        assert isinstance(value, str), value
        amount = _money(value)
        assert amount is not None and amount.is_finite() and amount >= 0, value


def test_projects_without_stated_figures_carry_nulls_not_guesses(plan):
    p = project(plan, "中医药保健医院项目")
    assert p["total_investment_wan"] is None and p["fixed_investment_wan"] is None
    assert p["jobs"] is None and p["land_mu"] is None and p["land_m2"] is None and p["funding"] == []


def test_dental_equipment_base_figures_are_transcribed(plan):
    p = project(plan, "口腔器材生产基地项目")
    assert (p["total_investment_wan"], p["fixed_investment_wan"]) == ("100000", "80000")
    assert p["investors"] == ["佳美口腔"]
    assert p["funding_sources"] == "企业自投资金3亿元，国有基金投资7亿元。"
    assert sum(Decimal(f["amount_wan"]) for f in p["funding"]) == Decimal("100000")
    assert "项目资金来源：" in p["description"]


def test_heat_gas_power_cogeneration_figures_are_transcribed(plan):
    p = project(plan, "绥芬河市热气电联产项目")
    assert p["total_investment_wan"] == "100000"
    assert p["jobs"] == 500
    assert "30公里" in p["notes"]


def test_small_investment_projects_keep_their_amounts_and_sites(plan):
    assert project(plan, "进口蜂蜜提纯分装项目")["total_investment_wan"] == "1000"
    oil_chem = project(plan, "俄粮油脂化工厂项目")
    assert (oil_chem["total_investment_wan"], oil_chem["park"]) == ("10000", "bhq")
    fungi = project(plan, "黑龙江省绥芬河市食用菌加工项目")
    assert fungi["total_investment_wan"] == "3000"
    assert fungi["investors"] == ["绥芬河市润宏经贸有限公司"]


def test_oilseed_project_capacity_land_and_investment_are_transcribed(plan):
    p = project(plan, "黑龙江省绥芬河市油料加工项目")
    assert p["total_investment_wan"] == "2000"
    assert p["land_m2"] == "4000"
    assert p["capacity"] == "年产油料15万吨、脱皮松子50吨"


def test_land_figures_convert_units_correctly(plan):
    assert project(plan, "绥芬河市建新村一带地下水资源勘查项目")["land_m2"] == "14780400"
    assert project(plan, "黑龙江省绥芬河市工业大麻CBD萃取项目")["land_m2"] == "10000"
    assert project(plan, "钾肥进口仓储项目")["land_m2"] == "16000"
    weidobao = project(plan, "黑龙江省绥芬河市维多宝绿色植物生产加工二期项目")
    assert weidobao["land_mu"] == "200" and "500户" in weidobao["notes"]


def test_capacities_stated_in_the_plan_are_present(plan):
    expected = {
        "黑龙江域外百草药业科技有限公司中草药进口加工项目": "16.5吨",
        "黑龙江省绥芬河市保健食品（俄料）加工项目": "150吨胶原蛋白肽",
        "黑龙江省绥芬河市饲料加工项目": "15万吨",
        "黑龙江省绥芬河市生物质燃料销售项目": "40万吨",
        "钾肥进口仓储项目": "10万吨",
        "黑龙江省绥芬河市自贸区污水处理厂扩建和提标改造工程": "3万吨",
        "黑龙江省绥芬河市阜宁镇国泰生物有机肥项目": "10万吨",
    }
    for name, fragment in expected.items():
        assert fragment in (project(plan, name)["capacity"] or ""), name


def test_all_projects_start_as_planned_and_not_key(plan):
    assert {p["stage"] for p in plan["projects"]} == {"planned"}
    assert not any(p["is_key"] for p in plan["projects"])


# --- goals -----------------------------------------------------------------------------------------

EXPECTED_GOALS = {
    # name: (target, unit, measure)
    "生物经济总产值": ("10", "亿元", "manual"),
    "生物经济增加值占地区生产总值比重": ("5", "%", "manual"),
    "省级生物经济各类创新平台": ("1", "家", "computed:innovation_platforms"),
    "生物产业高新技术企业": ("2", "家", "computed:high_tech_enterprises"),
    "重点推进生物领域产业项目": ("5", "个", "computed:key_projects_count"),
    "重点推进生物领域产业项目总投资": ("15", "亿元", "computed:key_projects_investment"),
    "“专精特新”企业": ("2", "家", "computed:specialized_enterprises"),
}


def test_goals_include_the_seven_2025_targets_with_their_values(plan):
    goals = {g["name"]: g for g in plan["goals"]}
    for name, (target, unit, measure) in EXPECTED_GOALS.items():
        g = goals[name]
        assert (g["target"], g["unit"], g["measure"]) == (target, unit, measure), name
        assert (g["comparator"], g["year"]) == (">=", 2025), name


def test_goal_targets_are_decimal_strings(plan):
    for g in plan["goals"]:
        assert isinstance(g["target"], str) and Decimal(g["target"]) >= 0, g["code"]
