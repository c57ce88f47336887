"""`flask brochure` and `flask catalog`: PDFs written to a file, filters by sector code, stage,
key and pool, and clear refusals for unknown projects and sector codes."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tests import factories
from tests.services.brochures.test_brochure import pdf_pages, squash


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=[str(a) for a in args])


@pytest.fixture
def plan(app):
    biomed = factories.sector("biomed", name="生物医药", name_en="Biomedicine", column_no=1)
    energy = factories.sector("bioenergy", name="生物能源", name_en="Bioenergy", column_no=4)
    return {
        "herbs": factories.project(name="中草药进口加工项目", name_en="Herbal Medicine Import Processing",
                                   sector=biomed, is_key=True, column_seq=1),
        "dental": factories.project(name="口腔器材生产基地项目", sector=biomed, stage="contact", column_seq=2),
        "heat": factories.project(name="热气电联产项目", sector=energy, in_pool=False),
    }


def _text(path: Path) -> str:
    return squash(" ".join(pdf_pages(path.read_bytes())))


def test_brochure_writes_one_project_in_the_chosen_language(cli, plan, tmp_path):
    out = tmp_path / "p.pdf"
    result = cli("brochure", plan["herbs"].id, "--lang", "en", "-o", out)
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    text = _text(out)
    assert "HerbalMedicineImportProcessing" in text and "Biomedicine" in text


def test_brochure_of_an_unknown_project_fails_clearly(cli, plan, tmp_path):
    result = cli("brochure", 999999, "-o", tmp_path / "x.pdf")
    assert result.exit_code != 0 and "项目 999999 不存在" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_catalog_keeps_only_the_chosen_sectors_in_catalog_order(cli, plan, tmp_path):
    out = tmp_path / "c.pdf"
    result = cli("catalog", "--lang", "zh", "--sector", "biomed", "-o", out)
    assert result.exit_code == 0, result.output
    assert "2 个项目" in result.output
    text = _text(out)
    assert text.index("中草药进口加工项目") < text.index("口腔器材生产基地项目")
    assert "热气电联产项目" not in text and "招商项目册" in text


@pytest.mark.parametrize("flags, present, absent", [
    (("--key",), "herbs", "dental"),
    (("--stage", "contact"), "dental", "herbs"),
    (("--in-pool", "--lang", "ru"), "herbs", "heat"),
])
def test_catalog_filters_by_stage_key_and_pool(cli, plan, tmp_path, flags, present, absent):
    out = tmp_path / "c.pdf"
    result = cli("catalog", *flags, "-o", out)
    assert result.exit_code == 0, result.output
    text = _text(out)
    assert plan[present].name in text and plan[absent].name not in text


def test_catalog_refuses_unknown_sector_codes_and_empty_selections(cli, plan, tmp_path):
    result = cli("catalog", "--sector", "nosuch", "-o", tmp_path / "c.pdf")
    assert result.exit_code != 0 and "nosuch" in result.output and "biomed" in result.output
    result = cli("catalog", "--sector", "bioenergy", "--in-pool", "-o", tmp_path / "c.pdf")
    assert result.exit_code != 0 and "没有符合条件的项目" in result.output
    assert not (tmp_path / "c.pdf").exists()


def test_catalog_cover_takes_the_given_title_and_year(cli, plan, tmp_path):
    out = tmp_path / "c.pdf"
    assert cli("catalog", "--title", "对俄合作专刊", "--year", 2027, "-o", out).exit_code == 0
    first = squash(PdfReader(out).pages[0].extract_text())
    assert "对俄合作专刊" in first and "2027" in first


def test_catalog_leaves_paused_and_dropped_projects_out_unless_asked(cli, plan, tmp_path):
    paused = factories.project(name="暂缓的项目", sector=plan["herbs"].sector, stage="paused")
    out = tmp_path / "c.pdf"
    assert cli("catalog", "-o", out).exit_code == 0
    text = _text(out)
    assert plan["herbs"].name in text and plan["dental"].name in text and paused.name not in text
    assert cli("catalog", "--stage", "planned", "--stage", "paused", "-o", out).exit_code == 0
    text = _text(out)
    assert paused.name in text and plan["dental"].name not in text
