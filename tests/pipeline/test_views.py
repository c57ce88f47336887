"""The pipeline board: columns with counts and totals, capped cards, filters, constant statements."""
from datetime import date, datetime
from decimal import Decimal

from crm.extensions import db
from crm.models import Enterprise
from crm.models.project import STAGES
from crm.pipeline.views import CARDS_PER_STAGE
from tests import factories


def board(client, query: str = "") -> str:
    resp = client.get("/pipeline/" + query)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_the_board_runs_the_same_statements_at_10_and_200_projects(client, login, statements):
    login("leader")
    ids = dict(sector_id=factories.sector("biomed").id, park_id=factories.park().id,
               lead_department_id=factories.department("工信科局").id, last_interaction_at=datetime(2025, 1, 1))
    investor_id = factories.enterprise().id

    def fill(n):
        investors = [db.session.get(Enterprise, investor_id)]
        for i, stage in enumerate(STAGES):
            factories.many_projects(n // len(STAGES) + (i < n % len(STAGES)), stage=stage, investors=investors, **ids)

    def count():
        db.session.expunge_all()
        with statements() as counter:
            board(client)
        return len(counter)

    fill(10)
    few = count()
    fill(190)
    assert count() == few


def test_columns_show_count_and_total_investment_and_side_states_fold_away(client, login):
    login("staff")
    factories.project(name="洽谈甲", stage="contact", total_investment=Decimal("3000"))
    factories.project(name="洽谈乙", stage="contact", total_investment=Decimal("9000"))
    factories.project(name="暂缓丙", stage="paused", total_investment=Decimal("100000"))
    html = board(client)
    assert "2 个" in html and "1.2 亿元" in html and "10 亿元" in html
    assert "<details" in html and "暂缓/终止" in html and "暂缓丙" not in html  # a count and a link only
    assert "stage=paused" in html and "查看全部 1 个" in html
    for label in ("谋划", "洽谈", "签约", "开工", "投产"):
        assert label in html
    opened = board(client, "?stage=paused")
    assert "暂缓丙" in opened and "<details class=\"mb-3\" open>" in opened


def test_cards_show_what_matters_and_link_to_the_project(client, login):
    login("staff")
    investor = factories.enterprise(name="绥芬河市润宏经贸有限公司")
    project = factories.project(name="食用菌加工项目", investors=[investor], is_key=True, key_level="city",
                                last_interaction_at=datetime(2020, 1, 1))
    html = board(client)
    for text in (f'/projects/{project.id}"', "食用菌加工项目", "生物医药", "绥芬河市润宏经贸有限公司", "5,000 万元",
                 "市级重点", "天前"):
        assert text in html, text


def test_a_full_column_shows_the_newest_moved_and_links_to_all(client, login):
    login("staff")
    factories.many_projects(CARDS_PER_STAGE + 2, stage="contact", stage_on=date(2024, 1, 1))
    newest = factories.project(name="最新进入洽谈", stage="contact", stage_on=date(2025, 6, 1))
    html = board(client, f"?sector={newest.sector_id}")
    total = CARDS_PER_STAGE + 3
    assert "最新进入洽谈" in html and f"{total} 个" in html
    assert f"查看全部 {total} 个" in html and "stage=contact" in html and f"sector={newest.sector_id}" in html
    assert html.count("board-card") == CARDS_PER_STAGE


def test_the_board_filters_like_the_list(client, login):
    login("leader")
    dept = factories.department("农业农村局")
    factories.project(name="农业项目", lead_department=dept, in_pool=True)
    factories.project(name="出库项目", in_pool=False)
    html = board(client, f"?department={dept.id}")
    assert "农业项目" in html and "出库项目" not in html
    html = board(client, "?pool=0")
    assert "出库项目" in html and "农业项目" not in html
    assert board(client, "?sector=abc&stage=<x>&key=2")


def test_cards_name_the_sector_and_park_in_the_ui_language(client, login, statements):
    login("staff")
    park = factories.park("zbq", short_name="综保区", name_en="Suifenhe Comprehensive Bonded Zone")
    factories.project(sector=factories.sector("biomed", name_en="Biomedicine"), park=park)
    db.session.expunge_all()  # each count starts from an empty session, as a fresh request does
    with statements() as chinese:
        assert "生物医药 · 综保区" in board(client)
    client.get("/lang/en")
    db.session.expunge_all()
    with statements() as english:
        html = board(client)
    assert "Biomedicine · Suifenhe Comprehensive Bonded Zone" in html and "生物医药" not in html
    assert len(english) == len(chinese)


def test_only_cards_the_user_may_edit_can_be_dragged(client, login):
    officer = login("officer")
    own = factories.project(name="本部门项目", lead_department_id=officer.department_id)
    other = factories.project(name="他部门项目", lead_department=factories.department("商务局"))
    html = board(client)
    assert f'data-move="/projects/{own.id}/stage"' in html and f"/projects/{other.id}/stage" not in html
    assert "vendor/sortablejs/Sortable.min.js" in html and 'id="stage-dialog"' in html
    login("staff")
    assert f'data-move="/projects/{other.id}/stage"' in board(client)
    login("leader")  # nothing to drag: no drag script, no dialog, cards stay links
    html = board(client)
    assert "data-move" not in html and "Sortable" not in html and "stage-dialog" not in html
    assert f'href="/projects/{own.id}"' in html


def test_an_officers_board_runs_the_same_statements_at_10_and_100_projects(client, login, page_statements):
    officer = login("officer")
    mine = dict(sector_id=factories.sector("biomed").id, lead_department_id=officer.department_id)
    factories.many_projects(10, stage="contact", **mine)
    few = page_statements(client, "/pipeline/", fresh=True)
    for stage in STAGES[:5]:
        factories.many_projects(20, stage=stage, **mine)
    assert page_statements(client, "/pipeline/", fresh=True) == few
