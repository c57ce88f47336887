"""Project name search (services/projects.name_contains, services/name_pairs.py): on PostgreSQL
narrowed through the names' two-character index, with exactly the rows the ILIKE alone finds."""
import unicodedata

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Project
from crm.services import name_pairs
from crm.services.projects import name_contains
from tests import factories

NAMES = [("绥芬河大豆精深加工项目", "Suifenhe Soybean Processing", None),
         ("东宁黑木耳产业园项目", None, "Дунинский парк"),
         ("哈尔滨生物科技园区项目", "Harbin BIOTECH Park", "Харбин Биотех"),
         ("牡丹江木业", None, None)]
TERMS = ["绥芬", "项目", "木", "ha", "HA", "Soy", "soybean processing", "ХАР", "биотех", "парк", "Park",
         "ｓｏｙ", "河大豆", "不存在", "zq", "%", "_"]


@pytest.fixture
def projects(app):
    return {name: factories.project(name=name, name_en=en, name_ru=ru).id for name, en, ru in NAMES}


def found(term: str) -> set[int]:
    return set(db.session.scalars(sa.select(Project.id).where(name_contains(term))))


def expected(projects, term: str) -> set[int]:
    """What a plain case-insensitive substring test of each name gives."""
    needle = unicodedata.normalize("NFKC", term).lower()
    return {pid for (name, en, ru), pid in zip(NAMES, projects.values())
            if any(needle in (text or "").lower() for text in (name, en, ru))}


@pytest.mark.parametrize("term", TERMS)
def test_a_project_is_found_by_any_part_of_any_of_its_names(projects, term):
    assert found(term) == expected(projects, term)


def test_a_renamed_project_is_found_by_its_new_name_only(projects):
    project = db.session.get(Project, projects["牡丹江木业"])
    project.name, project.name_en = "穆棱林业项目", "Muling Forestry"
    db.session.commit()
    assert found("牡丹") == set() and found("穆棱") == {project.id} and found("forest") == {project.id}


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the index is PostgreSQL's")


def test_the_search_reads_the_names_index(postgresql, projects):
    """The plan narrows through ix_projects_name_pairs for a two-character term (seq scans off:
    the test's four rows would be read whole otherwise)."""
    query = sa.select(Project.id).where(name_contains("绥芬"))
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN {compiled}")))
    assert f"Bitmap Index Scan on {name_pairs.INDEX}" in plan, plan


def test_pieces_are_the_lower_cased_two_character_parts_of_each_name(postgresql):
    pieces = db.session.scalar(sa.select(sa.func.crm_name_pairs("绥芬河", None, "AbC")))
    assert sorted(pieces) == sorted(["绥芬", "芬河", "ab", "bc"])
    assert name_pairs.names_hold("木") is None  # one character: no piece to narrow by


def test_the_migration_creates_what_create_all_creates():
    """The migration copies the DDL (as every migration here does): the two must not drift."""
    import importlib.util
    from pathlib import Path
    path = next(Path("migrations/versions").glob("*_project_name_pairs_index.py"))
    spec = importlib.util.spec_from_file_location("name_pairs_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.POSTGRES_DDL == name_pairs.POSTGRES_DDL
    assert migration.POSTGRES_DROP == name_pairs.POSTGRES_DROP
