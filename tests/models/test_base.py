"""Reference rows (sectors, parks, departments, task forces) are named in the UI language, in
Python and in SQL alike, and fall back to Chinese where no translation exists."""
import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Department, Park, Sector, TaskForce
from tests import factories
from tests.test_i18n import fresh_request


def test_a_department_reads_english_in_english_and_chinese_otherwise(app):
    dept = factories.department("发改局", name_en="Development and Reform Bureau")
    assert dept.label("zh") == "发改局"
    assert dept.label("en") == "Development and Reform Bureau"
    assert dept.label("ru") == "发改局"  # departments have no Russian name


@pytest.mark.parametrize("missing", [None, ""])
def test_without_an_english_name_the_chinese_name_shows(app, missing):
    dept = factories.department("财政局", name_en=missing)
    tf = factories.task_force(name="生物农业推进专班", name_en=missing)
    assert (dept.label("en"), tf.label("en")) == ("财政局", "生物农业推进专班")
    assert db.session.scalar(sa.select(Department.label_column("en")).where(Department.id == dept.id)) == "财政局"


def test_a_sector_keeps_its_russian_name_for_brochures(app):
    sector = factories.sector("biomed", name_en="Biomedicine", name_ru="Биомедицина")
    assert [sector.label(lang) for lang in ("zh", "en", "ru")] == ["生物医药", "Biomedicine", "Биомедицина"]


def test_a_park_reads_its_short_name_in_chinese_and_its_english_name_in_english(app):
    park = factories.park("bhq", name="绥芬河边境经济合作区", short_name="边合区", name_en="Border Zone")
    bare = factories.park("jianxin", name="绥芬河市建新村")
    assert (park.label("zh"), park.label("en"), bare.label("zh"), bare.label("en")) == (
        "边合区", "Border Zone", "绥芬河市建新村", "绥芬河市建新村")


@pytest.mark.parametrize("lang", ["zh", "en", "ru"])
def test_the_sql_label_is_the_python_label(app, lang):
    rows = [factories.sector("bioenergy", name_ru="Биоэнергетика"), factories.sector("bioagri", name_en=""),
            factories.park("zbq", short_name="综保区", name_en="Bonded Zone"), factories.park("ftz"),
            factories.department("商务局", name_en="Commerce Bureau"), factories.department("教育局"),
            factories.task_force(name_en="Biomedicine Industry Task Force"), factories.task_force()]
    for model in (Sector, Park, Department, TaskForce):
        in_sql = dict(db.session.execute(sa.select(model.id, model.label_column(lang))).all())
        assert in_sql == {row.id: row.label(lang) for row in rows if isinstance(row, model)}, model


def test_str_follows_the_request_language_and_is_chinese_without_a_request(app):
    dept = factories.department("林草局", name_en="Forestry and Grassland Bureau")
    assert str(dept) == "林草局"  # jobs, emails and the CLI
    with fresh_request(app, "en"):
        assert str(dept) == "Forestry and Grassland Bureau"
        assert dept.label("zh") == "林草局"
    with fresh_request(app):
        assert str(dept) == "林草局"
