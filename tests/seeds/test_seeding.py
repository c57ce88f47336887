"""Seeds: the plan loads faithfully and idempotently; the demo makes a living, repeatable pipeline."""
import json
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    AuditEvent,
    Contact,
    Department,
    Enterprise,
    Goal,
    Instruction,
    Interaction,
    Park,
    ProgressReport,
    Project,
    Sector,
    StageEvent,
    TaskForce,
    User,
)
from crm.services import creditcode
from crm.services.accounts import auth
from crm.services.core.clock import local_today
from crm.services.pipeline import move_stage
from crm.services.routines import dispatch, problems, ranking
from seeds import seeding
from seeds.demo import DEMO_FIRMS, DEMO_LOGINS, DEMO_PASSWORD
from tests import factories

TODAY = date(2026, 11, 28)
PLAN = json.loads(seeding.PLAN_PATH.read_text(encoding="utf-8"))


def snapshot() -> dict[str, int]:
    """Row count of every table (audit included)."""
    with db.engine.connect() as conn:
        return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def load_plan():
    summary = seeding.load_plan()
    db.session.commit()
    return summary


def load_demo():
    result = seeding.load_demo(TODAY)
    db.session.commit()
    return result


@pytest.fixture
def demo(app):
    load_plan()
    return load_demo()


# --- the plan --------------------------------------------------------------------------------------

def test_loading_the_plan_twice_changes_nothing(app):
    first = load_plan()
    before = snapshot()
    second = load_plan()
    assert snapshot() == before
    assert first["Project"] == {"created": 25, "updated": 0}
    assert all(counts == {"created": 0, "updated": 0} for counts in second.values())


def test_first_load_is_a_bulk_load_and_later_corrections_are_audited_as_seed(app):
    load_plan()
    assert AuditEvent.query.count() == 0
    project = factories.plan_seeded().project(1, 5)
    project.name = "被误改的名称"
    project.total_investment = Decimal("1")
    db.session.commit()
    AuditEvent.query.delete()
    db.session.commit()

    summary = load_plan()
    assert summary["Project"] == {"created": 0, "updated": 1}
    assert (project.name, project.total_investment) == ("口腔器材生产基地项目", Decimal("100000"))
    event = AuditEvent.query.one()
    assert (event.object_type, event.actor_label) == ("Project", "seed")
    assert event.changes["name"] == ["被误改的名称", "口腔器材生产基地项目"]


def test_reseeding_keeps_links_and_stages_made_in_the_app(app, users):
    plan = factories.plan_seeded()
    project = plan.project(2, 4)
    buyer = factories.enterprise(name="滨海蜂业有限责任公司")
    project.investors.append(buyer)
    project.departments.append(plan.departments["财政局"])
    project.stage = "contact"
    db.session.commit()
    load_plan()
    assert buyer in project.investors and plan.departments["财政局"] in project.departments
    assert project.stage == "contact"


def test_all_25_projects_are_planned_in_the_pool_with_sector_and_verbatim_text(app):
    plan = factories.plan_seeded()
    assert len(plan.projects) == 25
    for p in PLAN["projects"]:
        project = plan.project(p["column"], p["seq"])
        assert project.name == p["name"]
        assert project.description == p["description"]
        assert (project.stage, project.in_pool, project.is_key) == ("planned", True, False)
        assert project.sector.code == p["sector"] and project.sector.column_no == p["column"]
        assert project.lead_department.name == p["lead_departments"][0]
        assert project.notes == p["notes"] and project.capacity == p["capacity"]
    assert StageEvent.query.count() == 0


def test_reference_data_of_the_plan_is_present(app):
    plan = factories.plan_seeded()
    assert {"工信科局", "农业农村局", "发改局", "经合中心", "生态环境局"} <= set(plan.departments)
    assert len(plan.departments) == len(PLAN["departments"])
    assert plan.departments["工信科局"].full_name == "绥芬河市工业信息化和科技局"
    assert len(plan.parks) == 9 and plan.parks["bhq"].short_name == "边合区"
    assert plan.sectors["biomed"].column_title == "专栏1 生物医药产业项目"
    assert plan.sectors["biomed"].name_ru == "Биомедицина"

    biomed_force = plan.task_forces["生物医药产业推进专班"]
    assert biomed_force.lead_department.name == "工信科局"
    assert biomed_force.sector_id == plan.sectors["biomed"].id
    assert "经合中心" in {d.name for d in biomed_force.members}  # the second lead joins as a member
    assert plan.task_forces["绥芬河市生物经济发展领导小组"].is_leading_group

    assert len(plan.goals) == 8
    goal = plan.goals["key_bio_projects_investment"]
    assert (goal.target, goal.unit, goal.measure) == (Decimal("15"), "亿元", "computed:key_projects_investment")
    assert [g.code for g in Goal.query.order_by(Goal.sort_order)] == [g["code"] for g in PLAN["goals"]]


def test_projects_link_investors_departments_task_force_and_park(app):
    plan = factories.plan_seeded()
    dental = plan.project(1, 5)
    assert (dental.total_investment, dental.fixed_investment) == (Decimal("100000"), Decimal("80000"))
    assert [e.short_name for e in dental.investors] == ["佳美口腔"]
    assert dental.funding_sources == "企业自投资金3亿元，国有基金投资7亿元。"
    assert dental.lead_department.name == "工信科局"
    # 责任部门: the other 牵头部门 (经合中心) and the plan's 责任部门.
    assert {"经合中心", "农业农村局"} <= {d.name for d in dental.departments}
    assert dental.task_force.name == "生物医药产业推进专班"

    hemp = plan.project(1, 6)
    assert {e.short_name for e in hemp.investors} == {"中麻科技", "交投集团"}
    assert hemp.park.code == "zbq"
    assert plan.project(3, 4).land_m2 == Decimal("4000")
    assert plan.project(4, 1).task_force is None and plan.project(4, 1).jobs == 500
    assert plan.enterprises["大北农"].tags == ["上市公司", "龙头企业"]
    assert plan.enterprises["域外百草"].description.endswith(PLAN["enterprises"][0]["plan_quote"])


def test_plan_loads_fast_enough_for_fixtures(app):
    started = datetime.now()
    load_plan()  # ~0.15 s on SQLite; the margin is for a busy machine
    assert datetime.now() - started < timedelta(seconds=2)


# --- the demo --------------------------------------------------------------------------------------

def test_demo_logins_authenticate_with_the_demo_password(demo):
    now = datetime(2026, 11, 28, 2, 0)
    for username in DEMO_LOGINS:
        assert auth.authenticate(username, DEMO_PASSWORD, now=now).username == username
    roles = {u.username: u for u in User.query}
    assert roles["officer"].department.name == "工信科局" and roles["officer2"].department.name == "农业农村局"
    assert (roles["leader2"].title, roles["leader2"].leader_rank) == ("市长", 1)
    assert all(u.email.endswith("@example.gov.cn") for u in roles.values())
    assert [u.username for u in seeding.demo_logins()] == ["admin", "staff", "officer", "leader"]
    assert {"staff2", "officer2", "leader2"} <= set(roles)


def test_demo_spreads_projects_over_the_pipeline(demo):
    stages = Counter(p.stage for p in Project.query)
    assert len(stages) >= 4
    assert stages["contact"] >= 5 and stages["signed"] >= 2 and 1 <= stages["started"] <= 2
    paused = Project.query.filter_by(stage="paused").one()
    assert paused.stage_events[-1].reason
    key = Project.query.filter_by(is_key=True).all()
    assert 2 <= len(key) <= 3 and all(p.liaison_leader.role == "leader" for p in key)
    for project in Project.query.filter(Project.stage.in_(("signed", "started"))):
        signing = [e for e in project.stage_events if e.to_stage == "signed"]
        assert signing[0].contract_amount > 0 and project.signed_on == signing[0].occurred_on
        assert project.investors, project.name
    for event in StageEvent.query:
        assert event.occurred_on <= TODAY and event.recorded_by.role in ("admin", "staff")


def test_demo_logs_five_months_of_contacts_with_follow_ups_due_and_overdue(demo):
    interactions = Interaction.query.all()
    assert 100 <= len(interactions) <= 140
    days = [local_today(i.occurred_at) for i in interactions]
    assert TODAY - timedelta(days=160) <= min(days) and max(days) < TODAY
    assert {i.kind for i in interactions} >= {"visit_in", "visit_out", "phone", "video", "expo", "wechat"}
    assert all(i.summary and i.created_by_id for i in interactions)
    open_follow_ups = [i.next_follow_up for i in interactions if i.next_follow_up and not i.follow_up_done]
    assert any(d < TODAY for d in open_follow_ups)
    assert any(TODAY <= d <= TODAY + timedelta(days=14) for d in open_follow_ups)
    dental = Project.query.filter_by(column_no=1, column_seq=5).one()
    assert dental.last_interaction_at == max(i.occurred_at for i in interactions if i.project_id == dental.id)


def test_demo_adds_target_firms_with_contacts_and_valid_credit_codes(demo):
    firms = Enterprise.query.filter(Enterprise.name.in_([f.name for f in DEMO_FIRMS])).all()
    assert len(firms) == len(DEMO_FIRMS) >= 12
    assert {"中国", "俄罗斯", "韩国"} <= {f.country for f in firms}
    assert any(f.source_channel == "东莞对口合作" for f in firms)
    for firm in firms:
        assert firm.contacts and firm.owner.role == "staff"
        assert (firm.credit_code is not None) == (firm.country == "中国")
        assert firm.credit_code is None or creditcode.is_valid(firm.credit_code)
        assert (firm.name_ru is not None) == (firm.country == "俄罗斯")  # foreign firms keep their own names
        assert (firm.name_en is not None) == (firm.country != "中国")
    assert Project.query.filter(Project.owner_id.is_(None)).count() == 0


def test_demo_fills_the_routines_dispatch_ledger_ranking_and_an_instruction(demo):
    assert demo["progress_reports"] > 40 and demo["problems"] == 5 and demo["instructions"] == 3
    november = dispatch.month_table(date(2026, 11, 1), TODAY)
    statuses = Counter(row.status for row in november)
    assert statuses["on_time"] and statuses["late"] and statuses["overdue"] and sum(statuses.values()) == len(november)
    assert Counter(row.status for row in dispatch.month_table(date(2026, 9, 1), TODAY))["overdue"] == 0
    stats = problems.stats(today=TODAY)
    assert stats["total"] == 6 and stats["resolved"] == 2 and stats["overdue"] >= 1  # one opened by a 批示
    lines = ranking.compute(ranking.Quarter(2026, 4), TODAY, dispatch.routine_settings())
    assert any(line.score for line in lines)
    orders = Instruction.query.order_by(Instruction.id).all()
    assert {o.leader.username for o in orders} == {"leader"} and orders[0].project.name == "俄粮油脂化工厂项目"
    assert [o.state for o in orders] == ["todo", "doing", "done"] and len(orders[1].replies) == 1
    assert orders[0].deadline < TODAY and sorted(d.name for d in orders[0].units) == ["交通局", "工信科局"]
    from crm.models import Problem
    opened = Problem.query.filter_by(instruction_id=orders[0].id).one()
    assert (opened.department.name, opened.deadline) == ("工信科局", orders[0].deadline)


def test_demo_reports_add_up_month_to_month(demo):
    for project_id, in db.session.execute(sa.select(ProgressReport.project_id).distinct()):
        reports = ProgressReport.query.filter_by(project_id=project_id).order_by(ProgressReport.month).all()
        for before, after in zip(reports, reports[1:]):
            assert after.invest_cumulative == before.invest_cumulative + after.invest_month
            assert after.funds_in_place >= before.funds_in_place


def test_demo_leaves_the_reports_of_a_database_in_use_alone(app):
    plan = factories.plan_seeded()
    dental = plan.project(1, 5)
    own = factories.progress_report(dental, month=date(2026, 11, 1))
    load_demo()
    assert ProgressReport.query.filter_by(project_id=dental.id).all() == [own]
    assert ProgressReport.query.count() > 1


def test_running_the_demo_twice_adds_nothing(demo):
    before = snapshot()
    assert load_demo() == {"skipped": True}
    assert snapshot() == before


def test_demo_on_a_database_in_use_keeps_existing_owners_and_stage_history(app):
    plan = factories.plan_seeded()
    owner = factories.user("staff", username="zhangsan")
    dental = plan.project(1, 5)
    dental.owner = owner
    db.session.commit()
    move_stage(dental, "contact", actor=owner, occurred_on=date(2026, 10, 1), today=TODAY)
    db.session.commit()
    load_demo()
    assert dental.owner == owner and dental.stage == "contact" and len(dental.stage_events) == 1
    assert not dental.is_key


def test_the_demo_is_the_same_every_time(app):
    def fingerprint():
        load_plan()
        load_demo()
        rows = db.session.execute(sa.select(Interaction.occurred_at, Interaction.kind, Interaction.summary)
                                  .order_by(Interaction.occurred_at, Interaction.summary)).all()
        stages = sorted((p.column_no, p.column_seq, p.stage, p.stage_on) for p in Project.query)
        return rows, stages

    first = fingerprint()
    db.session.remove()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    assert fingerprint() == first


def test_first_run_loads_plan_and_demo_only_into_an_empty_database(app):
    assert seeding.first_run(TODAY, demo=True) == ["plan", "demo"]
    db.session.commit()
    assert seeding.first_run(TODAY, demo=True) == []


def test_first_run_leaves_a_database_with_real_users_alone(app, users):
    assert seeding.first_run(TODAY, demo=True) == ["plan"]
    assert User.query.count() == 4 and Interaction.query.count() == 0


# --- the commands ----------------------------------------------------------------------------------

def test_seed_plan_command_reports_counts_and_is_repeatable(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "plan"])
    assert result.exit_code == 0, result.output
    assert "Project: 新增 25，更新 0" in result.output
    result = runner.invoke(args=["seed", "plan"])
    assert "Project: 新增 0，更新 0" in result.output
    assert Project.query.count() == 25


def test_seed_demo_command_takes_a_date(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", "2026-11-28"])
    assert result.exit_code == 0, result.output
    assert "仅供演示" in result.output and "demo1234" in result.output
    latest = db.session.scalar(sa.select(sa.func.max(Interaction.occurred_at)))
    assert local_today(latest) < TODAY
    again = app.test_cli_runner().invoke(args=["seed", "demo", "--today", "2026-11-28"])
    assert "演示数据已存在" in again.output


def test_first_run_command_prints_the_url_and_the_demo_logins(app):
    result = app.test_cli_runner().invoke(args=["seed", "first-run", "--demo"])
    assert result.exit_code == 0, result.output
    assert "http://crm.test" in result.output
    assert "仅供演示 / demo only" in result.output
    for username in ("admin", "staff", "officer", "leader"):
        assert f"  {username} " in result.output
    assert Sector.query.count() == 5 and Contact.query.count() > 12
    assert Department.query.count() and Park.query.count() and TaskForce.query.count()
