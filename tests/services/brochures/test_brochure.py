"""Brochures: text round-trips through the PDF in zh/en/ru, the contents list real page numbers,
user text is printed literally, missing translations are marked, Chinese lines obey the
line-breaking rules, and the first page actually shows something.

No database here: the renderer takes plain ``ProjectSheet`` data.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode.qr import QrCodeWidget

from crm.models.project import STAGES
from crm.services.brochures import CatalogMeta, ProjectSheet, qr_modules, render_catalog, render_project
from crm.services.brochures import brochure_text as T
from crm.services.brochures.brochure_text import format_wan
from crm.services.brochures.fonts import register_fonts
from crm.services.brochures.linebreak import NO_LINE_END, NO_LINE_START, _Para
from crm.services.brochures.text import _esc, _style

TODAY = date(2025, 3, 1)

SECTORS = {
    "biomed": {"zh": "生物医药", "en": "Biomedicine", "ru": "Биомедицина"},
    "biomanufacturing": {"zh": "生物制造", "en": "Biomanufacturing", "ru": "Биопроизводство"},
    "bioenergy": {"zh": "生物能源", "en": "Bioenergy", "ru": "Биоэнергетика"},
}

FERMENTATION = ("围绕肌苷、鸟苷、腺苷、赖氨酸、谷氨酸、苏氨酸、衣康酸等玉米发酵产业先进工艺，"
                "引进具有行业引领作用的重点企业，建设年产10万吨生物发酵产品生产线。")


def make_sheet(id=1, *, name=None, sector="biomed", **changes) -> ProjectSheet:
    sheet = ProjectSheet(
        id=id,
        name=name or {"zh": "绥芬河玉米深加工提炼项目", "en": "Suifenhe Corn Deep-Processing Project",
                      "ru": "Проект глубокой переработки кукурузы в Суйфэньхэ"},
        description={"zh": FERMENTATION,
                     "en": "Advanced corn fermentation: inosine, guanosine, lysine and itaconic acid.",
                     "ru": "Ферментация кукурузы: инозин, гуанозин, лизин и итаконовая кислота."},
        site={"zh": "绥芬河边境经济合作区", "en": "Suifenhe Border Economic Cooperation Zone",
              "ru": "Пограничная зона экономического сотрудничества Суйфэньхэ"},
        sector=SECTORS[sector],
        sector_code=sector,
        stage="contact",
        total_investment_wan=Decimal("100000"),
        fixed_investment_wan=Decimal("80000"),
        land_text="项目占地约200亩",
        capacity={"zh": "年产赖氨酸10万吨"},
        jobs=500,
        lead_department={"zh": "工信科局", "en": "Bureau of Industry, Information Technology and Science"},
        investors=[{"zh": "安徽丰原集团有限公司"}],
        park_name={"zh": "绥芬河边境经济合作区", "en": "Suifenhe Border Economic Cooperation Zone",
                   "ru": "Пограничная зона Суйфэньхэ"},
        park_description={"zh": "1992年经国务院批准设立的国家级边境经济合作区。",
                          "en": "A national-level border economic cooperation zone approved in 1992.",
                          "ru": "Зона государственного уровня, созданная в 1992 году."},
        contact_name="王晓明",
        contact_phone="0453-3921234",
        contact_email="jhzx@suifenhe.gov.cn",
        url=f"https://crm.example.test/projects/{id}",
    )
    return replace(sheet, **changes)


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    """Text without any whitespace: wrapping and extraction put breaks in different places."""
    return re.sub(r"\s+", "", text)


def page_lines(page) -> list[str]:
    """The page's text regrouped into visual lines by baseline, left to right."""
    pieces: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((round(y), x, text))

    page.extract_text(visitor_text=visit)
    lines: dict[int, list[tuple[float, str]]] = {}
    for y, x, text in pieces:
        key = next((k for k in lines if abs(k - y) <= 2), y)
        lines.setdefault(key, []).append((x, text))
    return ["".join(t for _, t in sorted(parts)) for _, parts in sorted(lines.items(), reverse=True)]


# --------------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, expected", [
    (None, "—"),
    ("", "—"),
    ("not a number", "—"),
    (0, "0 万元"),
    (3000, "3,000 万元"),
    (Decimal("9999.99"), "9,999.99 万元"),
    (10000, "1 亿元"),
    (100000, "10 亿元"),
    (Decimal("15000.5"), "1.5 亿元"),
    (Decimal("123456"), "12.35 亿元"),
    (Decimal("0.5"), "0.5 万元"),
])
def test_format_wan_shows_wan_below_one_yi_and_yi_from_there(amount, expected):
    assert format_wan(amount) == expected
    assert format_wan(amount, "zh") == expected


@pytest.mark.parametrize("amount, lang, expected", [
    (3000, "en", "CNY 30 million"),
    (100000, "en", "CNY 1 billion"),
    (Decimal("15000.5"), "en", "CNY 150.01 million"),
    (3000, "ru", "30 млн юаней"),
    (100000, "ru", "1 млрд юаней"),
    (Decimal("15000.5"), "ru", "150,01 млн юаней"),
    (Decimal("250000000"), "ru", "2\u00a0500 млрд юаней"),
    (None, "en", "—"),
])
def test_format_wan_reads_naturally_for_foreign_investors(amount, lang, expected):
    assert format_wan(amount, lang) == expected


def test_page_labels_and_stage_names_are_translated():
    assert T.page_label(1, 2, "zh") == "第 1 页 / 共 2 页"
    assert T.page_label(1, 2, "en") == "Page 1 of 2"
    assert T.page_label(1, 2, "ru") == "Стр. 1 из 2"
    assert [T.stage_name(s, "zh") for s in STAGES] == ["谋划", "洽谈", "签约", "开工", "投产", "暂缓", "终止"]
    for lang in T.LANGS:
        assert set(T.LABELS[lang]) == set(T.LABELS["zh"])
        assert set(T.STAGE_NAMES[lang]) == set(STAGES)  # every stage of the one definition


def test_pick_falls_back_to_chinese_and_says_so():
    assert T.pick({"zh": "项目", "en": "Project"}, "en") == ("Project", False)
    assert T.pick({"zh": "项目", "en": "  "}, "en") == ("项目", True)
    assert T.pick({"zh": "项目"}, "ru") == ("项目", True)
    assert T.pick({"zh": "项目"}, "zh") == ("项目", False)
    assert T.pick({}, "en") == (None, False)


def test_font_registration_is_idempotent():
    assert register_fonts() == register_fonts() == "NotoSansSC"


# --------------------------------------------------------------------------------------------
# One project
# --------------------------------------------------------------------------------------------

def test_text_of_all_three_languages_extracts_back_from_the_pdf():
    sheet = make_sheet()
    zh = squash("".join(pdf_pages(render_project(sheet, "zh", today=TODAY))))
    for needle in ["绥芬河玉米深加工提炼项目", "绥芬河", "鸟苷", "赖氨酸", "衣康酸", "总投资", "10亿元",
                   "8亿元", "固定资产投资", "洽谈", "工信科局", "安徽丰原集团有限公司", "王晓明",
                   "0453-3921234", "jhzx@suifenhe.gov.cn", "第1页/共", "2025年3月1日"]:
        assert needle in zh, needle

    en = squash("".join(pdf_pages(render_project(sheet, "en", today=TODAY))))
    for needle in ["SuifenheCornDeep-ProcessingProject", "Biomedicine", "Totalinvestment",
                   "CNY1billion", "Negotiation", "itaconicacid", "Page1of", "1March2025",
                   "BureauofIndustry,InformationTechnologyandScience"]:
        assert needle in en, needle

    ru = squash("".join(pdf_pages(render_project(sheet, "ru", today=TODAY))))
    for needle in ["Биомедицина", "Общийобъёминвестиций", "1млрдюаней", "Переговоры",
                   "итаконоваякислота", "Суйфэньхэ", "Стр.1из", "1марта2025г.", "工信科局"]:
        assert needle in ru, needle  # a department with no Russian name keeps its Chinese one


def test_one_project_fits_on_one_or_two_pages():
    assert len(pdf_pages(render_project(make_sheet(), "zh", today=TODAY))) == 1
    long = make_sheet(description={"zh": FERMENTATION * 25})
    assert len(pdf_pages(render_project(long, "zh", today=TODAY))) == 2


@pytest.mark.parametrize("payload", ['<font color="[[[x]]]">测试</font>', "<script>alert(1)</script>",
                                     "A & B <b>bold?</b> &amp; &lt;"])
def test_user_text_with_markup_prints_literally(payload):
    sheet = make_sheet(name={"zh": payload, "en": payload, "ru": payload},
                       description={"zh": payload}, investors=[{"zh": payload, "en": payload}], contact_name=payload)
    for lang in ("zh", "en"):
        text = squash("".join(pdf_pages(render_project(sheet, lang, today=TODAY))))
        assert text.count(squash(payload)) >= 3, lang


def test_a_missing_translation_keeps_proper_names_and_leaves_free_text_out():
    sheet = make_sheet(name={"zh": "绥芬河鸟苷生产项目", "en": None, "ru": ""},
                       description={"zh": FERMENTATION}, site={"zh": "阜宁镇"})
    for lang in ("en", "ru"):
        text = squash("".join(pdf_pages(render_project(sheet, lang, today=TODAY))))
        assert "绥芬河鸟苷生产项目" in text and "阜宁镇" in text  # names print as they are
        assert "衣康酸" not in text and "中文原文" not in text  # the untranslated description is left out
    zh = squash("".join(pdf_pages(render_project(sheet, "zh", today=TODAY))))
    assert "衣康酸" in zh and "中文原文" not in zh


def test_investors_print_in_the_edition_language_where_the_firm_has_a_name_in_it():
    sheet = make_sheet(investors=[{"zh": "安徽丰原集团有限公司", "en": "Anhui BBCA Group"},
                                  {"zh": "俄罗斯远东木业有限公司", "ru": "ООО «Дальлес»"}])
    en, ru, zh = (squash("".join(pdf_pages(render_project(sheet, lang, today=TODAY)))) for lang in ("en", "ru", "zh"))
    assert "AnhuiBBCAGroup" in en and "俄罗斯远东木业有限公司" in en and "安徽丰原" not in en
    assert "ООО«Дальлес»" in ru and "安徽丰原集团有限公司" in ru
    assert "安徽丰原集团有限公司" in zh and "Дальлес" not in zh and "中文原文" not in en + ru + zh


def test_sparse_project_still_renders():
    sheet = make_sheet(description={}, site={}, park_name={}, park_description={}, investors=[],
                       total_investment_wan=None, fixed_investment_wan=None, jobs=None,
                       land_text=None, capacity={}, lead_department={}, contact_name=None,
                       contact_phone=None, contact_email=None, url="")
    text = squash("".join(pdf_pages(render_project(sheet, "zh", today=TODAY))))
    assert "待定" in text and "诚邀投资合作" in text


# --------------------------------------------------------------------------------------------
# Line breaking
# --------------------------------------------------------------------------------------------

PUNCTUATED = ("围绕肌苷、鸟苷，腺苷；赖氨酸：谷氨酸？苏氨酸！衣康酸（玉米）《发酵》“产业”，先进工艺。"
              "推进建设——绿色……低碳，年产L-赖氨酸20万吨，固定资产投资8亿元。") * 6


def _line_texts(para) -> list[str]:
    return ["".join(word.text for word in line.words) for line in para.blPara.lines]


def test_no_chinese_line_starts_with_closing_punctuation():
    style = _style("body", cjk=True)
    for width in range(40, 420, 3):
        para = _Para(_esc(PUNCTUATED), style)
        para.wrap(width, 10_000)
        lines = _line_texts(para)
        assert "".join(lines) == PUNCTUATED  # nothing lost or added
        for previous, line in zip(lines, lines[1:]):
            assert line[:1] not in NO_LINE_START, (width, line)
            assert previous[-1:] not in NO_LINE_END, (width, previous)
            assert not (previous.endswith("—") and line.startswith("—")), width
            assert not (previous.endswith("…") and line.startswith("…")), width


def test_lines_fit_their_width_and_latin_words_stay_whole():
    style = _style("body", cjk=True)
    text = "项目投资主体为中大方宏（北京）资产管理有限公司，在绥开展CBD萃取项目，产品销往Russia and Kazakhstan。" * 4
    for width in range(120, 420, 7):
        para = _Para(_esc(text), style)
        para.wrap(width, 10_000)
        for line in para.blPara.lines:
            assert line.currentWidth <= width + 0.01
        lines = _line_texts(para)
        for previous, line in zip(lines, lines[1:]):
            assert not (previous[-1:].isascii() and previous[-1:].isalpha()
                        and line[:1].isascii() and line[:1].isalpha()), (width, previous, line)


def test_a_paragraph_split_across_pages_keeps_its_text_exactly():
    style = _style("body", cjk=True)
    para = _Para(_esc(PUNCTUATED), style)
    para.wrap(300, 10_000)
    first, rest = para.split(300, style.leading * 4)
    rest.wrap(300, 10_000)
    assert "".join(_line_texts(first) + _line_texts(rest)) == PUNCTUATED


# --------------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------------

def catalog_sheets() -> list[ProjectSheet]:
    sheets = []
    for i in range(1, 10):
        sector = ("biomed", "biomanufacturing", "bioenergy")[(i - 1) // 3]
        name = f"测试招商项目{i:02d}号"
        sheets.append(make_sheet(
            i, sector=sector, name={"zh": name, "en": f"Test project {i:02d}", "ru": f"Проект {i:02d}"},
            # project 2 runs onto a second page, so later page numbers are not just "one each"
            description={"zh": FERMENTATION * (25 if i == 2 else 1)}))
    return sheets


META = CatalogMeta(title="招商项目册", city="绥芬河市", year=2025,
                   preface="绥芬河市地处黑龙江省东南部，是中俄边境重要的口岸城市。\n诚挚欢迎海内外客商来绥考察洽谈。")


def test_catalog_contents_page_numbers_match_the_pages_of_the_projects():
    sheets = catalog_sheets()
    pdf = render_catalog(sheets, META, today=TODAY)
    reader = PdfReader(io.BytesIO(pdf))
    texts = [squash(page.extract_text() or "") for page in reader.pages]
    contents = next(i for i, t in enumerate(texts) if "目录" in t)
    toc_lines = [squash(line) for line in page_lines(reader.pages[contents])]

    for sheet in sheets:
        name = sheet.name["zh"]
        entry = next(line for line in toc_lines if line.startswith(name))
        printed = int(re.search(r"(\d+)$", entry).group(1))
        real = [i + 1 for i, t in enumerate(texts) if name in t and i != contents]
        assert real and real[0] == printed, (name, printed, real)
    # the second project took two pages: the third starts two pages after it
    assert texts.index(next(t for t in texts if "测试招商项目03号" in t and "目录" not in t)) - \
        texts.index(next(t for t in texts if "测试招商项目02号" in t and "目录" not in t)) == 2

    # sector headings are in the contents too, pointing at their opener pages
    for names in SECTORS.values():
        entry = next(line for line in toc_lines if line.startswith(names["zh"]))
        printed = int(re.search(r"(\d+)$", entry).group(1))
        assert names["zh"] in texts[printed - 1]
    # and every footer knows the total
    # (the total is a form XObject drawn after "共", so extraction puts it a little later)
    n = len(texts)
    assert all(re.search(rf"第{i}页/共.*?{n}页", t) for i, t in enumerate(texts[1:], start=2))


def test_catalog_in_russian_has_cyrillic_headings_and_outline():
    meta = replace(META, title="Инвестиционные проекты", city="Суйфэньхэ", lang="ru",
                   preface="Добро пожаловать.")
    pdf = render_catalog(catalog_sheets()[:4], meta, today=TODAY)
    text = squash("".join(pdf_pages(pdf)))
    assert "Биомедицина" in text and "Содержание" in text and "中文原文" not in text
    outline = PdfReader(io.BytesIO(pdf)).outline
    assert outline[0].title == "Биомедицина"


def test_catalog_reports_progress_per_project_and_finishes_at_total():
    calls = []
    sheets = catalog_sheets()[:5]
    render_catalog(sheets, META, today=TODAY, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (2 * len(sheets), 2 * len(sheets))
    assert len(calls) >= len(sheets)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and all(t == 2 * len(sheets) for _, t in calls)


def test_empty_catalog_still_renders():
    assert len(pdf_pages(render_catalog([], META, today=TODAY))) >= 3


# --------------------------------------------------------------------------------------------
# QR code and rendering
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://crm.example.test/projects/1",
                                 "https://crm.example.test/projects/123456?lang=ru&x=1"])
def test_qr_matrix_is_a_valid_symbol_for_the_url(url):
    """Our faster mask choice must still yield one of the eight valid encodings of the URL."""
    ours = qr_modules(url)
    qr = QrCodeWidget(url, barLevel="M").qr
    qr.make()
    candidates = set()
    for mask in range(8):
        qr.makeImpl(False, mask)
        candidates.add(tuple("".join("1" if m else "0" for m in row) for row in qr.modules))
    assert ours in candidates


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_first_page_renders_with_a_dark_cover_band_and_title(tmp_path):
    from PIL import Image

    pdf_path = tmp_path / "p.pdf"
    pdf_path.write_bytes(render_project(make_sheet(), "zh", today=TODAY))
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-gray", "-png", str(pdf_path),
                    str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    width, height = image.size
    histogram = image.histogram()
    assert sum(histogram[:250]) > 0.1 * width * height  # not blank
    band = [image.getpixel((x, y)) for y in range(int(height * 0.02), int(height * 0.18), 2)
            for x in range(0, width, 2)]
    assert sum(p < 140 for p in band) > 0.6 * len(band)  # the coloured band
    # the title: light glyphs on the band, in its left half
    title = [image.getpixel((x, y)) for y in range(int(height * 0.11), int(height * 0.16))
             for x in range(int(width * 0.08), int(width * 0.5))]
    assert sum(p > 200 for p in title) > 0.03 * len(title)
