"""Fixed wording of the brochures in Chinese, English and Russian, and small pure helpers.

Nothing here touches reportlab or the database, so every rule (dates, page labels, which text an
en/ru edition prints) is testable on its own.  Money wording is ``crm.services.core.money.format_wan``,
the one the web pages use too; it is imported here so the renderer keeps calling ``T.format_wan``.  User text is never marked up here:
escaping happens where the text meets reportlab markup, in ``brochure/text.py``.
"""
from __future__ import annotations

import re
from datetime import date

from crm.services.core.money import format_wan  # noqa: F401  re-exported: brochures and pages share it

LANGS = ("zh", "en", "ru")
DEFAULT_LANG = "zh"


STAGE_NAMES = {
    "zh": {"planned": "谋划", "contact": "洽谈", "signed": "签约", "started": "开工",
           "operating": "投产", "paused": "暂缓", "dropped": "终止"},
    "en": {"planned": "Planning", "contact": "Negotiation", "signed": "Signed",
           "started": "Under construction", "operating": "In operation", "paused": "Paused",
           "dropped": "Terminated"},
    "ru": {"planned": "Планирование", "contact": "Переговоры", "signed": "Подписан",
           "started": "Строительство", "operating": "Эксплуатация", "paused": "Приостановлен",
           "dropped": "Прекращён"},
}

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "city": "绥芬河市",
        "catalog_title": "招商项目册",
        "brand": "绥芬河市招商项目",
        "brand_sub": "SUIFENHE INVESTMENT PROJECT",
        "project_no": "项目编号",
        "total_investment": "总投资",
        "fixed_investment": "固定资产投资",
        "jobs": "带动就业",
        "jobs_unit": "人",
        "overview": "项目概况",
        "sector": "所属产业",
        "stage": "项目阶段",
        "site": "拟建地点",
        "park": "所在园区",
        "land": "用地规模",
        "capacity": "建设规模",
        "lead_department": "牵头部门",
        "investors": "投资主体",
        "investors_open": "诚邀投资合作",
        "description": "建设主要内容",
        "park_intro": "园区简介",
        "pictures": "项目图片",
        "contact": "招商联系",
        "contact_org": "绥芬河市经济合作促进中心（经合中心）",
        "contact_person": "联系人",
        "phone": "电话",
        "email": "邮箱",
        "qr_caption": "扫码查看项目详情",
        "tbd": "待定",
        "preface": "前言",
        "at_a_glance": "项目总览",
        "projects_count": "项目数",
        "investment_sum": "总投资合计",
        "all_sectors": "合计",
        "contents": "目  录",
        "projects_in_sector": "{n} 个项目",
        "cover_count": "收录项目 {n} 个 · 涵盖 {s} 个产业",
        "cover_issuer": "绥芬河市经济合作促进中心  编印",
        "year_edition": "{year} 年版",
        "issued_on": "印制日期",
    },
    "en": {
        "city": "Suifenhe",
        "catalog_title": "Investment Project Catalog",
        "brand": "Suifenhe Investment Projects",
        "brand_sub": "",
        "project_no": "Project No.",
        "total_investment": "Total investment",
        "fixed_investment": "Fixed-asset investment",
        "jobs": "Jobs created",
        "jobs_unit": "",
        "overview": "Project overview",
        "sector": "Sector",
        "stage": "Stage",
        "site": "Proposed site",
        "park": "Industrial park",
        "land": "Land",
        "capacity": "Scale / capacity",
        "lead_department": "Lead department",
        "investors": "Investor(s)",
        "investors_open": "Open to investors and partners",
        "description": "Main construction content",
        "park_intro": "About the park",
        "pictures": "Pictures",
        "contact": "Investment contact",
        "contact_org": "Suifenhe Economic Cooperation Promotion Center",
        "contact_person": "Contact",
        "phone": "Phone",
        "email": "Email",
        "qr_caption": "Scan for project details",
        "tbd": "To be determined",
        "preface": "Preface",
        "at_a_glance": "Projects at a glance",
        "projects_count": "Projects",
        "investment_sum": "Total investment",
        "all_sectors": "Total",
        "contents": "Contents",
        "projects_in_sector": "{n} projects",
        "cover_count": "{n} projects · {s} sectors",
        "cover_issuer": "Suifenhe Economic Cooperation Promotion Center",
        "year_edition": "{year} edition",
        "issued_on": "Printed on",
    },
    "ru": {
        "city": "Суйфэньхэ",
        "catalog_title": "Каталог инвестиционных проектов",
        "brand": "Инвестиционные проекты Суйфэньхэ",
        "brand_sub": "",
        "project_no": "Проект №",
        "total_investment": "Общий объём инвестиций",
        "fixed_investment": "Инвестиции в основные фонды",
        "jobs": "Рабочие места",
        "jobs_unit": "",
        "overview": "Основные сведения",
        "sector": "Отрасль",
        "stage": "Стадия",
        "site": "Место реализации",
        "park": "Промышленная зона",
        "land": "Земельный участок",
        "capacity": "Масштаб / мощность",
        "lead_department": "Ответственное ведомство",
        "investors": "Инвестор(ы)",
        "investors_open": "Приглашаем инвесторов и партнёров",
        "description": "Основное содержание проекта",
        "park_intro": "О промышленной зоне",
        "pictures": "Иллюстрации",
        "contact": "Контакт для инвесторов",
        "contact_org": "Центр содействия экономическому сотрудничеству г. Суйфэньхэ",
        "contact_person": "Контактное лицо",
        "phone": "Телефон",
        "email": "Эл. почта",
        "qr_caption": "Отсканируйте, чтобы узнать больше",
        "tbd": "уточняется",
        "preface": "Предисловие",
        "at_a_glance": "Обзор проектов",
        "projects_count": "Проекты",
        "investment_sum": "Общий объём инвестиций",
        "all_sectors": "Итого",
        "contents": "Содержание",
        "projects_in_sector": "Проектов: {n}",
        "cover_count": "Проектов: {n} · отраслей: {s}",
        "cover_issuer": "Центр содействия экономическому сотрудничеству г. Суйфэньхэ",
        "year_edition": "Издание {year} года",
        "issued_on": "Дата печати",
    },
}

# The catalog preface when the builder leaves it empty.  Chinese comes from the CATALOG_PREFACE
# setting; these are translations of its default wording.
DEFAULT_PREFACES = {
    "en": ("Suifenhe lies on the China–Russia border and offers a range of open-economy platforms: "
           "the Border Economic Cooperation Zone, the Comprehensive Bonded Zone, the Border Trade Zone "
           "and the Suifenhe Area of the China (Heilongjiang) Pilot Free Trade Zone. This catalog presents "
           "the city's key planned bioeconomy projects. We warmly invite investors from China and abroad "
           "to visit Suifenhe and discuss cooperation."),
    "ru": ("Суйфэньхэ расположен на китайско-российской границе и располагает рядом площадок открытой "
           "экономики: пограничной зоной экономического сотрудничества, комплексной бондовой зоной, "
           "зоной приграничной торговли и участком Суйфэньхэ пилотной зоны свободной торговли "
           "(провинция Хэйлунцзян). В каталоге собраны ключевые проекты города в сфере биоэкономики. "
           "Приглашаем инвесторов из Китая и других стран посетить Суйфэньхэ и обсудить сотрудничество."),
}

_RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")

# Han ideographs, CJK punctuation, fullwidth forms: text with any of these needs CJK wrapping.
_CJK_RE = re.compile("[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
                     "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def label(key: str, lang: str = DEFAULT_LANG, **fmt) -> str:
    text = LABELS[norm_lang(lang)][key]
    return text.format(**fmt) if fmt else text


def stage_name(stage: str, lang: str = DEFAULT_LANG) -> str:
    return STAGE_NAMES[norm_lang(lang)].get(stage, stage)


def has_cjk(text: str | None) -> bool:
    return bool(text) and _CJK_RE.search(text) is not None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def pick(values: dict[str, str | None] | None, lang: str = DEFAULT_LANG) -> tuple[str | None, bool]:
    """A proper name (project, firm, park, place, department) in ``lang``.

    Returns ``(text, is_fallback)``: a name with no en/ru form comes back in Chinese with
    ``is_fallback=True`` (a name is printed as it is, never left out).
    """
    values = values or {}
    lang = norm_lang(lang)
    own_text = own(values, lang)
    if own_text is not None or lang == "zh":
        return own_text, False
    zh = _clean(values.get("zh"))
    return (zh, True) if zh is not None else (None, False)


def own(values: dict[str, str | None] | None, lang: str = DEFAULT_LANG) -> str | None:
    """A free text (description, scale, park introduction) in ``lang`` only: an en/ru edition
    leaves out what has no translation rather than print Chinese to its readers."""
    return _clean((values or {}).get(norm_lang(lang)))


def brand_line(lang: str = DEFAULT_LANG) -> str:
    """The kicker above a project's name: the brand, and in Chinese its English form too."""
    sub = label("brand_sub", lang)
    return f"{label('brand', lang)}  ·  {sub}" if sub else label("brand", lang)


def format_int(value: int | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "—"
    text = f"{int(value):,}"
    return text.replace(",", "\u00a0") if norm_lang(lang) == "ru" else text


def format_date(day: date, lang: str = DEFAULT_LANG) -> str:
    lang = norm_lang(lang)
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    if lang == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {_RU_MONTHS[day.month - 1]} {day.year} г."


def page_label_prefix(page: int, lang: str = DEFAULT_LANG) -> str:
    """The part of the page label that names this page; ``page_label_total`` follows it."""
    lang = norm_lang(lang)
    if lang == "zh":
        return f"第 {page} 页 / 共 "
    if lang == "en":
        return f"Page {page} of "
    return f"Стр. {page} из "


def page_label_total(total: int, lang: str = DEFAULT_LANG) -> str:
    return f"{total} 页" if norm_lang(lang) == "zh" else str(total)


def page_label(page: int, total: int, lang: str = DEFAULT_LANG) -> str:
    """``第 1 页 / 共 2 页``, ``Page 1 of 2``, ``Стр. 1 из 2``."""
    return page_label_prefix(page, lang) + page_label_total(total, lang)
