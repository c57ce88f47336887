"""ORM → brochure sheets: a constant number of statements, every language carried, the catalog
ordered by 专栏 and number, land figures in the edition's units, and the Chinese original (with
its marker) wherever a translation is missing."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import Project
from crm.services.brochures import brochure_data, render_project
from crm.services.brochures import brochure_text as T
from crm.services.core import audit
from tests import factories
from tests.services.brochures.test_brochure import pdf_pages, squash


@pytest.fixture
def refs(app):
    sector = factories.sector("biomed", name="生物医药", name_en="Biomedicine", name_ru="Биомедицина", column_no=1)
    park = factories.park("zbq", name="绥芬河综合保税区", description="国家级综合保税区。",
                          description_en="A national-level comprehensive bonded zone.")
    return {"sector": sector, "park": park, "dept": factories.department("工信科局", name_en="Bureau of Industry, Information Technology and Science"),
            "investor": factories.enterprise(name="黑龙江域外百草药业科技有限公司")}


def _projects(refs, n: int) -> list[Project]:
    rows = [Project(name=f"中草药进口加工项目{i}", sector=refs["sector"], park=refs["park"],
                    lead_department=refs["dept"], investors=[refs["investor"], factories.enterprise(commit=False)],
                    total_investment=Decimal("3000")) for i in range(n)]
    with audit.disabled(db.session):
        db.session.add_all(rows)
        db.session.commit()
    db.session.expunge_all()  # nothing cached: every relation must come from the eager loads
    return rows


def test_catalog_sheets_take_the_same_number_of_statements_for_3_or_30_projects(app, settings, refs, statements):
    counts = []
    for n in (3, 27):
        _projects(refs, n)
        with statements() as counter:
            sheets = brochure_data.sheets_for({}, settings, "zh")
            assert all(s.investors and s.park_name and s.lead_department for s in sheets)
        counts.append(len(counter))
        db.session.expunge_all()
    assert len(sheets) == 30
    assert counts[0] == counts[1] <= 3


def test_sheet_carries_every_language_and_the_settings_contact(app, settings, refs):
    project = factories.project(name="对俄中药材进口加工产业园项目", name_en="Herbal Medicine Processing Park",
                                name_ru="Парк переработки лекарственного сырья", description="集国际贸易、落地加工于一体",
                                description_en="Trade and processing in one place.", site="综保区", site_ru="Бондовая зона",
                                sector=refs["sector"], park=refs["park"], lead_department=refs["dept"],
                                investors=[refs["investor"]], stage="contact")
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings)
    assert sheet.name == {"zh": "对俄中药材进口加工产业园项目", "en": "Herbal Medicine Processing Park",
                          "ru": "Парк переработки лекарственного сырья"}
    assert sheet.description["en"] == "Trade and processing in one place." and sheet.description["ru"] is None
    assert sheet.site == {"zh": "综保区", "en": None, "ru": "Бондовая зона"}
    assert sheet.sector == {"zh": "生物医药", "en": "Biomedicine", "ru": "Биомедицина"}
    assert sheet.park_description["en"] == "A national-level comprehensive bonded zone."
    assert sheet.investors == [{"zh": "黑龙江域外百草药业科技有限公司", "en": None, "ru": None}]
    assert sheet.lead_department == {"zh": "工信科局", "en": "Bureau of Industry, Information Technology and Science",
                                     "ru": None}
    assert (sheet.contact_name, sheet.contact_phone, sheet.contact_email) == (
        settings.CENTER_CONTACT_NAME, settings.CENTER_CONTACT_PHONE, settings.CENTER_CONTACT_EMAIL)
    assert sheet.url == f"http://crm.test/projects/{project.id}"
    assert T.pick(sheet.description, "en") == ("Trade and processing in one place.", False)


def test_a_name_without_its_translation_prints_in_chinese_without_a_marker(app, settings, refs):
    project = factories.project(name="绥芬河鸟苷生产项目", name_en="Suifenhe Guanosine Plant", sector=refs["sector"])
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, "ru")
    assert sheet.name["ru"] is None
    ru = squash(" ".join(pdf_pages(render_project(sheet, "ru"))))
    en = squash(" ".join(pdf_pages(render_project(sheet, "en"))))
    assert "绥芬河鸟苷生产项目" in ru and "中文原文" not in ru
    assert "SuifenheGuanosinePlant" in en and "绥芬河鸟苷生产项目" not in en


@pytest.mark.parametrize("lang, mu, m2, text, expected", [
    ("zh", "200", None, "项目占地约200亩", "项目占地约200亩"),
    ("zh", "200", "4000", None, "200 亩 (13.33 公顷)；4,000 平方米"),
    ("en", "200", None, "项目占地约200亩", "200 mu (13.33 ha)"),
    ("ru", None, "16000", "新建1.6万平方米库房", "16\u00a0000 м²"),
    ("en", None, None, "厂房若干", "厂房若干"),
    ("en", None, None, None, None),
])
def test_land_is_shown_in_the_editions_units(app, refs, lang, mu, m2, text, expected):
    project = Project(name="x", land_mu=Decimal(mu) if mu else None, land_m2=Decimal(m2) if m2 else None,
                      land_text=text)
    assert brochure_data.land_text(project, lang) == expected


def test_catalog_is_ordered_by_column_then_number_and_filtered(app, settings, refs):
    energy = factories.sector("bioenergy", column_no=4)
    biomed = refs["sector"]
    late = factories.project(name="能源二", sector=energy, column_seq=2)
    early = factories.project(name="能源一", sector=energy, column_seq=1)
    med_b = factories.project(name="医药二", sector=biomed, column_seq=2)
    med_a = factories.project(name="医药一", sector=biomed, column_seq=1)
    extra = factories.project(name="医药新增", sector=biomed)  # no 专栏 number: after the plan's
    out = factories.project(name="已出库", sector=biomed, column_seq=3, in_pool=False, stage="operating")
    order = [s.id for s in brochure_data.sheets_for({}, settings)]
    assert order == [med_a.id, med_b.id, out.id, extra.id, early.id, late.id]
    assert [s.id for s in brochure_data.sheets_for({"pool": "1", "sectors": [str(energy.id)]}, settings)] == \
        [early.id, late.id]
    assert brochure_data.count_projects({"stage": "operating"}) == 1
    assert brochure_data.count_projects({"sectors": ["junk"], "stage": "nonsense"}) == 6  # unusable: ignored


def test_sheet_carries_the_parks_name_in_every_language(app, settings, refs):
    refs["park"].name_en = "Suifenhe Comprehensive Bonded Zone"
    refs["park"].name_ru = "Комплексная бондовая зона (КБЗ) Суйфэньхэ"
    project = factories.project(name="中草药进口加工项目", sector=refs["sector"], park=refs["park"])
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, "en")
    assert sheet.park_name == {"zh": "绥芬河综合保税区", "en": "Suifenhe Comprehensive Bonded Zone",
                               "ru": "Комплексная бондовая зона (КБЗ) Суйфэньхэ"}
    no_park = factories.project(name="无园区项目", sector=refs["sector"])
    assert brochure_data.sheet_for(brochure_data.load_project(no_park.id), settings).park_name == {}


def test_an_untranslated_park_name_prints_in_chinese_without_a_marker(app, settings, refs):
    refs["park"].name_en = "Suifenhe Comprehensive Bonded Zone"  # no Russian name yet
    project = factories.project(name="中草药进口加工项目", name_en="Herbal Medicine Project",
                                name_ru="Проект лекарственных трав", sector=refs["sector"], park=refs["park"])
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, "ru")
    ru = squash(" ".join(pdf_pages(render_project(sheet, "ru"))))
    en = squash(" ".join(pdf_pages(render_project(sheet, "en"))))
    assert "绥芬河综合保税区" in ru and "中文原文" not in ru
    assert "SuifenheComprehensiveBondedZone" in en and "绥芬河综合保税区" not in en


@pytest.mark.parametrize("lang, park_name", [
    ("en", "Suifenhe Border Economic Cooperation Zone"),
    ("ru", "Пограничная зона экономического сотрудничества Суйфэньхэ"),
])
def test_seeded_project_with_a_park_prints_translated_texts_only(app, settings, lang, park_name):
    # 对俄中药材进口加工产业园项目: in the 边合区, with no capacity or land wording.
    project = factories.plan_seeded().project(1, 3)
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, lang)
    assert sheet.park_name[lang] == park_name
    text = squash(" ".join(pdf_pages(render_project(sheet, lang))))
    assert squash(park_name) in text
    assert squash(project.name_en if lang == "en" else project.name_ru)[:40] in text
    assert "中文原文" not in text
    for chinese in (project.name, project.site, project.park.name):
        assert chinese not in text


@pytest.mark.parametrize("lang, capacity", [
    ("zh", "年产有机肥10万吨"),
    ("en", "100,000 t of organic fertilizer per year"),
    ("ru", "100 тыс. т органических удобрений в год"),
])
def test_seeded_capacity_prints_in_the_editions_language(app, settings, lang, capacity):
    project = factories.plan_seeded().project(5, 1)  # 国泰生物有机肥项目
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, lang)
    text = squash(" ".join(pdf_pages(render_project(sheet, lang))))
    assert squash(capacity) in text
    if lang != "zh":
        assert "年产有机肥" not in text


def test_a_capacity_without_its_translation_is_left_out(app, settings, refs):
    project = factories.project(name="饲料项目", sector=refs["sector"], capacity="年产饲料5万吨",
                                capacity_en="50,000 t of feed per year")
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, "ru")
    assert "年产饲料5万吨" not in squash(" ".join(pdf_pages(render_project(sheet, "ru"))))
    sheet = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, "en")
    assert "50,000toffeedperyear" in squash(" ".join(pdf_pages(render_project(sheet, "en"))))


def test_a_plan_project_that_lost_its_translation_prints_the_plans_own_wording(app, settings):
    project = factories.plan_seeded().project(5, 1)  # 国泰生物有机肥项目
    project.name_en = project.capacity_ru = None
    db.session.commit()
    en = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, "en")
    ru = brochure_data.sheet_for(brochure_data.load_project(project.id), settings, "ru")
    assert en.name["en"] and not T.has_cjk(en.name["en"]) and en.name["zh"] == project.name
    assert ru.capacity["ru"] == "100 тыс. т органических удобрений в год"
    assert (en.contact_name, ru.contact_name) == (settings.CENTER_CONTACT_NAME_EN, settings.CENTER_CONTACT_NAME_RU)
