"""After loading the plan, every seeded project and park carries its English and Russian texts,
so en/ru brochures of the plan print no Chinese originals for names, descriptions, sites and parks.

Unlike test_plan_data.py these tests need the app: they check what load_plan() writes.
"""
import json

from crm.extensions import db
from crm.models import Park, Project
from crm.services import seeding

PLAN = json.loads(seeding.PLAN_PATH.read_text(encoding="utf-8"))


def _load():
    summary = seeding.load_plan()
    db.session.commit()
    return summary


def test_every_seeded_project_has_english_and_russian_name_and_description(app):
    _load()
    projects = Project.query.all()
    assert len(projects) == 25
    for project in projects:
        for field in ("name_en", "name_ru", "description_en", "description_ru"):
            assert (getattr(project, field) or "").strip(), (project.name, field)


def test_seeded_project_texts_are_the_plans_translations(app):
    _load()
    projects = {(p.column_no, p.column_seq): p for p in Project.query}
    for p in PLAN["projects"]:
        project = projects[(p["column"], p["seq"])]
        assert (project.name_en, project.name_ru) == (p["name_en"], p["name_ru"])
        assert (project.description_en, project.description_ru) == (p["description_en"], p["description_ru"])
        assert (project.site_en, project.site_ru) == (p["site_en"], p["site_ru"])
        assert (project.site_en is None) == (project.site is None), p["name"]


def test_every_seeded_park_has_english_and_russian_names(app):
    _load()
    parks = {park.code: park for park in Park.query}
    assert len(parks) == 9
    for code, park in parks.items():
        assert park.name_en and park.name_ru, code
    assert parks["zbq"].name_en == "Suifenhe Comprehensive Bonded Zone"
    assert parks["zbq"].name_ru == "Комплексная бондовая зона (КБЗ) Суйфэньхэ"
    assert parks["bhq"].name_ru == "Пограничная зона экономического сотрудничества Суйфэньхэ"


def test_reloading_the_plan_restores_translations_and_otherwise_changes_nothing(app):
    _load()
    park = Park.query.filter_by(code="bhq").one()
    project = Project.query.filter_by(column_no=2, column_seq=5).one()
    park.name_en = None
    project.description_ru = "испорчено"
    db.session.commit()

    summary = _load()
    assert summary["Park"] == {"created": 0, "updated": 1}
    assert summary["Project"] == {"created": 0, "updated": 1}
    assert park.name_en == "Suifenhe Border Economic Cooperation Zone"
    assert project.description_ru.startswith("Планируемый общий объём инвестиций — 100 млн юаней.")
    assert all(counts == {"created": 0, "updated": 0} for counts in _load().values())
