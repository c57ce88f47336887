"""After loading the plan, every seeded project and park carries its English and Russian texts,
so en/ru brochures of the plan print no Chinese originals for names, descriptions, sites and parks;
departments and task forces carry their English names for the English UI.

Unlike test_plan_data.py these tests need the app: they check what load_plan() writes.
"""
import json

from crm.extensions import db
from crm.models import Department, Goal, Park, Project, TaskForce
from seeds import seeding

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
        assert (project.capacity_en, project.capacity_ru) == (p["capacity_en"], p["capacity_ru"])
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


def test_every_seeded_department_and_task_force_has_the_plans_english_name(app):
    _load()
    for model, key in ((Department, "departments"), (TaskForce, "task_forces")):
        assert {row.name: row.name_en for row in model.query} == {row["name"]: row["name_en"] for row in PLAN[key]}
    assert Department.query.filter_by(name="经合中心").one().name_en == "Economic Cooperation Promotion Center"
    assert {row.name: row.name_ru for row in Department.query} == {row["name"]: row["name_ru"]
                                                                   for row in PLAN["departments"]}
    assert {goal.code: goal.name_en for goal in Goal.query} == {row["code"]: row["name_en"] for row in PLAN["goals"]}


def test_reseeding_an_existing_database_fills_missing_department_and_task_force_names(app):
    _load()
    dept = Department.query.filter_by(name="工信科局").one()
    task_force = TaskForce.query.filter_by(name="生物医药产业推进专班").one()
    dept.name_en = task_force.name_en = None  # as in a database made before the names existed
    db.session.commit()
    summary = _load()
    assert summary["Department"] == summary["TaskForce"] == {"created": 0, "updated": 1}
    assert dept.name_en == "Bureau of Industry, Information Technology and Science"
    assert task_force.name_en == "Biomedicine Industry Task Force"
