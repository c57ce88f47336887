"""Every page of the demo data's brochures and catalogs, rendered to PNG (pdftoppm) and read
back as text (pdftotext): no page holds only the contact card."""
from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from crm.extensions import db
from crm.services.brochures import brochure_data, render_catalog, render_project
from crm.services.brochures import brochure_text as T
from crm.services.brochures.catalog_builds import catalog_meta
from seeds import seeding

TODAY = date(2026, 12, 1)
# What the contact card prints, per language: its title, the centre's name, the contact line.
CARD = {lang: (T.label("contact", lang), T.label("contact_org", lang), T.label("contact_person", lang))
        for lang in T.LANGS}


@pytest.fixture
def demo(app):
    seeding.load_demo(date(2026, 11, 10))
    db.session.commit()


def _pages(pdf: bytes, folder: Path, name: str) -> list[str]:
    """The text of each page, after checking every page rendered to a PNG image."""
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "24", "-png", str(path), str(folder / name)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = text.split("\f")[:-1]
    images = sorted(folder.glob(f"{name}-*.png"))
    assert len(images) == len(pages) > 0 and all(image.stat().st_size > 500 for image in images), name
    return pages


def _card_only(page: str, lang: str) -> bool:
    """Nothing on the page but the contact card (and the footer, its last line)."""
    lines = [line for line in page.splitlines() if line.strip()][:-1]
    return bool(lines) and all(any(part in line for part in CARD[lang]) for line in lines)


@pytest.mark.parametrize("lang", T.LANGS)
def test_no_brochure_or_catalog_page_holds_only_the_contact_card(demo, settings, tmp_path, lang):
    sheets = brochure_data.sheets_for({}, settings, lang)
    assert len(sheets) == 25
    lonely = []
    for sheet in sheets:
        pages = _pages(render_project(sheet, lang, today=TODAY), tmp_path, f"p{sheet.id}")
        lonely += [(sheet.id, number) for number, page in enumerate(pages, 1) if _card_only(page, lang)]
    meta = catalog_meta(settings, lang=lang, title=None, year=2026, preface=None)
    pages = _pages(render_catalog(sheets, meta, today=TODAY), tmp_path, "catalog")
    lonely += [("catalog", number) for number, page in enumerate(pages, 1) if _card_only(page, lang)]
    assert lonely == []


def _squash(text: str) -> str:
    return "".join(text.split())


def _proper_names_without(sheet, lang: str) -> list[str]:
    """The Chinese names the sheet may print in `lang`: names with no form in that language."""
    names = [sheet.name, sheet.site, sheet.park_name, sheet.lead_department, *sheet.investors]
    return sorted({_squash(n["zh"]) for n in names if n and n.get("zh") and not (n.get(lang) or "").strip()},
                  key=len, reverse=True)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_en_and_ru_pages_hold_no_chinese_but_untranslated_proper_names(demo, settings, tmp_path, lang):
    from crm.models import Project
    plan_project = Project.query.filter_by(column_no=1, column_seq=1).one()
    plan_project.name_en = plan_project.name_ru = plan_project.description_en = plan_project.description_ru = None
    db.session.commit()  # lost its translation: the plan's own wording fills in
    sheets = brochure_data.sheets_for({}, settings, lang)
    meta = catalog_meta(settings, lang=lang, title=None, year=2026, preface=None)
    documents = [(f"p{sheet.id}", render_project(sheet, lang, today=TODAY), _proper_names_without(sheet, lang))
                 for sheet in sheets]
    allowed_in_catalog = sorted({name for _n, _pdf, names in documents for name in names}, key=len, reverse=True)
    documents.append(("catalog", render_catalog(sheets, meta, today=TODAY), allowed_in_catalog))
    chinese = {}
    for name, pdf, allowed in documents:
        for number, page in enumerate(_pages(pdf, tmp_path, name), 1):
            text = _squash(page)
            for proper in allowed:
                text = text.replace(proper, "")
            if T.has_cjk(text):
                chinese[(name, number)] = "".join(ch for ch in text if T.has_cjk(ch))[:40]
    assert chinese == {}
    first = next(s for s in sheets if s.id == plan_project.id)
    assert first.name[lang] and not T.has_cjk(first.name[lang]) and first.description[lang]
