"""Reports pages: dashboard, cohorts, goal values, platforms, pool reviews — access, figures,
refusals and constant statement counts."""
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from crm.extensions import db
from crm.models import Goal, GoalValue, InnovationPlatform, PoolReview, StageEvent
from crm.models.routines import Problem, ProgressReport
from tests import factories

NOW = datetime(2026, 11, 28, 4, 0)  # 12:00 in 绥芬河


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def add_projects(n: int, *, with_events=True):
    """n key projects in two sectors, each with a stage event, a monthly report and a problem."""
    dept = factories.department("农业农村局")
    sectors = [factories.sector("biomed", column_no=1), factories.sector("bioenergy", column_no=3)]
    for i in range(n):
        p = factories.project(sector=sectors[i % 2], lead_department=dept, is_key=True, stage="signed",
                              signed_on=date(2026, 5, 1), created_at=datetime(2026, 3, 1), commit=False)
        if with_events:
            db.session.add(StageEvent(project=p, from_stage="contact", to_stage="signed",
                                      occurred_on=date(2026, 5, 1)))
            db.session.add(ProgressReport(project=p, month=date(2026, 10, 1), department_id=dept.id,
                                          invest_month=Decimal(10), invest_cumulative=Decimal(100),
                                          funds_in_place=Decimal(200)))
            db.session.add(Problem(project=p, department_id=dept.id, description="审批慢",
                                   raised_on=date(2026, 10, 1), deadline=date(2026, 11, 1)))
    db.session.commit()


def goals():
    factories.goal(code="count", measure="computed:key_projects_count", target=Decimal(5), unit="个", name="重点项目")
    factories.goal(code="gross", measure="manual", target=Decimal(10), unit="亿元", name="生物经济总产值")


# ---- dashboard ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "leader", "staff", "admin"])
def test_everyone_reads_the_dashboard(client, login, role):
    goals()
    login(role)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "重点项目" in html and "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
    assert ("/value" in html) == (role == "admin")  # only admins see the 录入 link


def test_dashboard_shows_goal_values_problems_and_formulas(client, login):
    goals()
    add_projects(3)
    login("leader")
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<td class="text-end money goal-value">3 个</td>' in html
    assert "60.00%" in html  # 3 ÷ 5
    assert '<strong id="elapsed">100.00%</strong>' in html
    assert 'id="problem-rate">0.00%' in html and 'id="problem-overdue">3<' in html
    assert "办结率 = 已销号 ÷ 问题总数" in html
    assert 'id="dashboard-data" type="application/json"' in html


def test_dashboard_names_sectors_in_the_ui_language(client, login):
    add_projects(2)
    login("leader")
    assert "<td>生物医药</td>" in client.get("/dashboard").get_data(as_text=True)
    client.get("/lang/en")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "<td>Bio biomed</td>" in html and '"name": "Bio biomed"' in html and "生物医药" not in html


def test_dashboard_names_goals_and_amounts_in_the_ui_language(client, login):
    factories.goal(name="生物经济总产值", name_en="Bio-economy gross output", target=Decimal("10"), unit="亿元")
    factories.goal(name="专精特新企业", target=Decimal("2"), unit="家")  # no English name yet
    login("leader")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "<td>生物经济总产值" in html and "≥ 10 亿元" in html
    client.get("/lang/en")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "<td>Bio-economy gross output" in html and "≥ CNY 1 billion" in html
    assert "<td>专精特新企业" in html and "≥ 2 firms" in html


def test_dashboard_runs_constant_statements(client, login, statements):
    goals()
    login("leader")
    add_projects(3)
    with statements() as few:
        assert client.get("/dashboard").status_code == 200
    add_projects(40)
    with statements() as many:
        assert client.get("/dashboard").status_code == 200
    assert len(many) == len(few)


# ---- manual goal values -------------------------------------------------------------------

def test_admin_enters_a_goal_value_and_it_shows_on_the_dashboard(client, login):
    goals()
    login("admin")
    gross = Goal.query.filter_by(code="gross").one()
    resp = client.post(f"/dashboard/goals/{gross.id}/value",
                       data={"value": "6.5", "as_of": "2026-06-30", "source": "市统计局 2026 年半年报"})
    assert resp.status_code == 302
    html = client.get("/dashboard").get_data(as_text=True)
    assert "6.5 亿元" in html and "市统计局 2026 年半年报" in html and "65.00%" in html


@pytest.mark.parametrize("data, message", [
    ({"value": "abc", "as_of": "2026-06-30", "source": "x"}, "请输入数字"),
    ({"value": "sNaN", "as_of": "2026-06-30", "source": "x"}, "请输入数字"),
    ({"value": "Infinity", "as_of": "2026-06-30", "source": "x"}, "请输入数字"),
    ({"value": "1e400", "as_of": "2026-06-30", "source": "x"}, "不能超过"),
    ({"value": "3", "as_of": "0001-01-01", "source": "x"}, "日期应在 2000-01-01 至"),
    ({"value": "-3", "as_of": "2026-06-30", "source": "x"}, "不能为负数"),
    ({"value": "3", "as_of": "2026-13-01", "source": "x"}, "日期格式"),
    ({"value": "3", "as_of": "2026-12-01", "source": "x"}, "不能晚于今天"),
    ({"value": "3", "as_of": "2026-06-30", "source": ""}, "请填写数据来源"),
])
def test_bad_goal_values_are_refused_with_a_message(client, login, data, message):
    goals()
    login("admin")
    gross = Goal.query.filter_by(code="gross").one()
    resp = client.post(f"/dashboard/goals/{gross.id}/value", data=data)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert GoalValue.query.count() == 0


def test_only_admins_enter_goal_values_and_only_for_manual_goals(client, login):
    goals()
    gross, count = Goal.query.filter_by(code="gross").one(), Goal.query.filter_by(code="count").one()
    login("officer")
    assert client.post(f"/dashboard/goals/{gross.id}/value", data={"value": "1"}).status_code == 403
    login("admin")
    assert client.get(f"/dashboard/goals/{count.id}/value").status_code == 404
    assert GoalValue.query.count() == 0


# ---- cohorts ------------------------------------------------------------------------------

def test_cohort_page_shows_rates_with_links_to_their_projects(client, login):
    add_projects(4)
    factories.project(created_at=datetime(2026, 3, 1), total_investment=Decimal("5000"))  # no signing, no report
    login("officer")
    html = client.get("/dashboard/cohorts?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    assert '<strong id="cohort-size">5</strong>' in html
    assert "80.00%" in html  # 签约率 4 ÷ 5
    assert "3.20%" in html  # 资金到位率 (4 × 200) ÷ (4 × 5000 + 5000)
    assert "rate=funds" in html and "part=num" in html
    listing = client.get("/dashboard/cohorts/projects?start=2026-01-01&end=2026-12-31&rate=funds&part=num")
    assert listing.status_code == 200 and listing.get_data(as_text=True).count('data-project="') == 4


@pytest.mark.parametrize("query, message", [
    ("start=2026-02-30", "日期格式"), ("start=0001-01-01", "日期应在 2000-01-01 至"), ("as_of=9999-12-31", "日期应在 2000-01-01 至"),
    ("start=2026-12-01&end=2026-01-01", "结束日期不能早于开始日期"),
    ("sector=abc", "不是有效的选择"), ("review=999", "不是有效的选择")])
def test_bad_cohort_filters_give_a_message_not_an_error(client, login, query, message):
    login("staff")
    resp = client.get(f"/dashboard/cohorts?{query}")
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert 'id="rates"' not in resp.get_data(as_text=True)


def test_cohort_projects_needs_a_known_rate_and_part(client, login):
    login("staff")
    assert client.get("/dashboard/cohorts/projects?rate=bogus&part=num").status_code == 404
    assert client.get("/dashboard/cohorts/projects?rate=signed&part=x").status_code == 404
    assert client.get("/dashboard/cohorts/projects?rate=signed&part=num&start=bad").status_code == 400


@pytest.mark.parametrize("url", ["/dashboard/cohorts?start=2026-01-01",
                                 "/dashboard/cohorts/projects?rate=invest&part=num"])
def test_cohort_pages_run_constant_statements(client, login, statements, url):
    login("staff")
    add_projects(3)
    with statements() as few:
        assert client.get(url).status_code == 200
    add_projects(40)
    with statements() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# ---- innovation platforms -----------------------------------------------------------------

def test_admin_adds_edits_and_deletes_a_platform(client, login):
    login("admin")
    company = factories.enterprise(name="黑龙江域外百草药业科技有限公司")
    resp = client.post("/dashboard/platforms/new", data={
        "name": "<script>alert(1)</script>中药工程中心", "level": "省级",
        "enterprise_name": " 黑龙江域外百草药业科技有限公司 ", "recognized_on": "2025-05-01"})
    assert resp.status_code == 302
    platform = InnovationPlatform.query.one()
    assert platform.enterprise_id == company.id
    html = client.get("/dashboard/platforms").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    resp = client.post(f"/dashboard/platforms/{platform.id}/edit", data={
        "name": "中药工程中心", "level": "市级", "enterprise_name": "", "recognized_on": "2025-05-01"})
    assert resp.status_code == 302 and platform.level == "市级" and platform.enterprise_id is None
    assert client.post(f"/dashboard/platforms/{platform.id}/delete").status_code == 302
    assert InnovationPlatform.query.count() == 0


@pytest.mark.parametrize("data, message", [
    ({"name": "平台", "level": "国家级", "recognized_on": "2025-05-01"}, "不是有效的选择"),
    ({"name": "平台", "level": "省级", "recognized_on": "2027-01-01"}, "不能晚于今天"),
    ({"name": "平台", "level": "省级", "recognized_on": "2025-05-01", "enterprise_name": "不存在公司"}, "企业库中没有"),
    ({"name": "", "level": "省级", "recognized_on": "2025-05-01"}, "请填写平台名称"),
])
def test_bad_platforms_are_refused(client, login, data, message):
    login("admin")
    resp = client.post("/dashboard/platforms/new", data=data)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert InnovationPlatform.query.count() == 0


def test_platform_list_runs_constant_statements(client, login, statements):
    login("leader")
    factories.innovation_platform(enterprise=factories.enterprise())
    with statements() as few:
        client.get("/dashboard/platforms")
    for _ in range(20):
        factories.innovation_platform(enterprise=factories.enterprise())
    with statements() as many:
        client.get("/dashboard/platforms")
    assert len(many) == len(few)


# ---- pool reviews -------------------------------------------------------------------------

def test_admin_previews_then_runs_a_review_and_everyone_reads_it(client, login):
    staying = factories.project(name="谋划中的项目", stage="planned")
    leaving = factories.project(name="已投产项目", stage="operating")
    login("admin")
    html = client.get("/pool-reviews/new").get_data(as_text=True)
    assert 'value="2026-Q4"' in html and "已投产项目" in html and "这是第一次评审" in html
    resp = client.post("/pool-reviews/new", data={"quarter": "2026-Q4", "reviewed_on": "2026-11-28",
                                                  "note": "<b>季度</b>评审"})
    assert resp.status_code == 302
    review = PoolReview.query.one()
    assert not leaving.in_pool and staying.in_pool
    login("officer")
    html = client.get(f"/pool-reviews/{review.id}").get_data(as_text=True)
    assert "&lt;b&gt;季度&lt;/b&gt;评审" in html
    pool_table = html.split('id="pool"')[1].split("</table>")[0]
    out_table = html.split('id="out"')[1].split("</table>")[0]
    assert "谋划中的项目" in pool_table and "已投产项目" not in pool_table and "已投产项目" in out_table
    assert "2026年第四季度" in client.get("/pool-reviews").get_data(as_text=True)


def test_a_second_review_of_the_same_quarter_is_refused(client, login):
    login("admin")
    data = {"quarter": "2026-Q4", "reviewed_on": "2026-11-28"}
    assert client.post("/pool-reviews/new", data=data).status_code == 302
    resp = client.post("/pool-reviews/new", data=data)
    assert resp.status_code == 200 and "已经评审过" in resp.get_data(as_text=True)
    assert PoolReview.query.count() == 1


def test_only_admins_run_reviews(client, login):
    for role in ("staff", "officer", "leader"):
        login(role)
        assert client.post("/pool-reviews/new", data={"quarter": "2026-Q4", "reviewed_on": "2026-11-28"}
                           ).status_code == 403
    assert PoolReview.query.count() == 0


def test_review_pages_list_the_first_projects_of_each_kind_and_count_the_rest(client, login, monkeypatch):
    from crm.services import pool
    monkeypatch.setattr(pool, "LIST_LIMIT", 2)  # read when called: the pages list 2 of each kind
    for n in range(3):
        factories.project(name=f"入库候选{n}", stage="planned")
    login("admin")
    preview = client.get("/pool-reviews/new").get_data(as_text=True)
    incoming = preview.split('id="preview-in"')[1].split("</table>")[0]
    assert incoming.count("data-project=") == 2 and "另有 1 个未列出" in incoming
    assert "建议入库（3）" in preview  # the heading counts every project
    client.post("/pool-reviews/new", data={"quarter": "2026-Q4", "reviewed_on": "2026-11-28"})
    detail = client.get(f"/pool-reviews/{PoolReview.query.one().id}").get_data(as_text=True)
    pool_table = detail.split('id="pool"')[1].split("</table>")[0]
    assert pool_table.count("data-project=") == 2 and "另有 1 个未列出" in pool_table
    assert "另有" not in detail.split('id="out"')[1].split("</table>")[0]


@pytest.mark.parametrize("page", ["new", "detail", "list"])
def test_pool_pages_run_constant_statements(client, login, page_statements, page):
    login("admin")

    def measure():
        review = PoolReview.query.order_by(PoolReview.id.desc()).first()
        url = {"new": "/pool-reviews/new", "detail": f"/pool-reviews/{review.id if review else 0}",
               "list": "/pool-reviews"}[page]
        return page_statements(client, url)

    add_projects(3, with_events=False)
    client.post("/pool-reviews/new", data={"quarter": "2026-Q3", "reviewed_on": "2026-09-30"})
    few = measure()
    add_projects(40, with_events=False)
    client.post("/pool-reviews/new", data={"quarter": "2026-Q4", "reviewed_on": "2026-11-28"})
    assert measure() == few


def test_the_cohort_sector_choice_names_the_column_as_the_dispatch_table_does(client, login):
    factories.sector("biomed", name="生物医药", name_en="Biomedicine", column_no=1)
    login("leader")
    assert ">专栏1 · 生物医药</option>" in client.get("/dashboard/cohorts").get_data(as_text=True)
    client.get("/lang/en")
    assert ">Column 1 · Biomedicine</option>" in client.get("/dashboard/cohorts").get_data(as_text=True)


def test_the_committee_decides_per_project_and_a_refused_decision_changes_nothing(client, login):
    planned = factories.project(name="谋划中的项目", stage="planned")
    waiting = factories.project(name="待议项目", stage="planned")
    operating = factories.project(name="已投产项目", stage="operating")
    login("admin")
    html = client.get("/pool-reviews/new").get_data(as_text=True)
    assert f'name="decision-{operating.id}"' in html and 'value="已投产"' in html  # proposed 出库, with its reason
    data = {"quarter": "2026-Q4", "reviewed_on": "2026-11-20", "note": "第四季度评审会",
            f"decision-{planned.id}": "out", f"note-{planned.id}": "",
            f"decision-{waiting.id}": "defer", f"note-{waiting.id}": "待用地指标",
            f"decision-{operating.id}": "out", f"note-{operating.id}": "已投产"}
    resp = client.post("/pool-reviews/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "评审未生效，未作任何修改：项目“谋划中的项目”出库须填写理由。" in html
    assert PoolReview.query.count() == 0 and planned.in_pool and waiting.in_pool and operating.in_pool
    assert 'value="待用地指标"' in html and '<option value="defer" selected>' in html  # the choices stay
    resp = client.post("/pool-reviews/new", data={**data, f"note-{planned.id}": "企业撤资"})
    assert resp.status_code == 302
    review = PoolReview.query.one()
    assert (planned.in_pool, waiting.in_pool, operating.in_pool) == (False, False, False)
    login("leader")  # a past review stays readable, every decision with its note
    html = client.get(f"/pool-reviews/{review.id}").get_data(as_text=True)
    out_table = html.split('id="out"')[1].split("</table>")[0]
    held_table = html.split('id="held"')[1].split("</table>")[0]
    assert "谋划中的项目" in out_table and "企业撤资" in out_table and "已投产项目" in out_table
    assert "待议项目" in held_table and "暂缓" in held_table and "待用地指标" in held_table
    assert "评审会日期" in html and "2026-11-20" in html
    listing = client.get("/pool-reviews").get_data(as_text=True)
    assert "2026年第四季度" in listing and "2026-Q4" not in listing
