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


def test_a_deleted_projects_pieces_go_with_it(projects):
    """SQLite's piece table: a new project that reuses the id must not match the old names."""
    db.session.delete(db.session.get(Project, projects["牡丹江木业"]))
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        left = db.session.scalar(sa.select(sa.func.count()).select_from(name_pairs.PAIRS)
                                 .where(name_pairs.PAIRS.c.project_id == projects["牡丹江木业"]))
        assert left == 0
    assert found("牡丹") == set()


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the function is PostgreSQL's")


def test_the_search_reads_the_names_index(projects):
    """The plan narrows through the names' pieces for a two-character term, not a scan of every
    project (PostgreSQL: seq scans off, the test's four rows would be read whole otherwise)."""
    query = sa.select(Project.id).where(name_contains("绥芬"))
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN {compiled}")))
        assert f"Bitmap Index Scan on {name_pairs.INDEX}" in plan, plan
    else:
        plan = " ".join(row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert f"SEARCH {name_pairs.TABLE} USING PRIMARY KEY (pair=?)" in plan, plan
        assert "SCAN projects" not in plan, plan


def test_pieces_are_the_lower_cased_two_character_parts_of_each_name(postgresql):
    pieces = db.session.scalar(sa.select(sa.func.crm_name_pairs("绥芬河", None, "AbC")))
    assert sorted(pieces) == sorted(["绥芬", "芬河", "ab", "bc"])
    assert name_pairs.names_hold("木", "postgresql") is None  # one character: no piece to narrow by

