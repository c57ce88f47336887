"""A project's name, description and site read in the UI language where it has a translation;
the audit log keeps the Chinese name."""
import pytest

from crm.services.core.audit import stored_label
from tests import factories
from tests.test_i18n import fresh_request


@pytest.fixture
def project(app):
    return factories.project(name="生物发酵饲料项目", name_en="Bio-fermented Feed Project",
                             description="建设年产10万吨发酵饲料生产线", description_en=None, site="边合区")


def test_the_english_ui_shows_the_english_name_and_chinese_where_no_translation(app, project):
    with fresh_request(app, "en"):
        assert project.display_name == "Bio-fermented Feed Project"
        assert project.localized("description") == "建设年产10万吨发酵饲料生产线"
        assert project.localized("site") == "边合区"
        assert stored_label(project) == "生物发酵饲料项目"


def test_the_chinese_ui_and_requestless_code_show_the_chinese_name(app, project):
    with app.app_context():  # a job's own context: no request, no language chosen
        assert project.display_name == "生物发酵饲料项目"
    with fresh_request(app, "zh_Hans_CN"):
        assert project.display_name == "生物发酵饲料项目"


def test_an_empty_translation_falls_back_to_chinese(app):
    bare = factories.project(name="中药材种植项目", name_en="")
    with fresh_request(app, "en"):
        assert bare.display_name == "中药材种植项目"
