"""`flask export projects|enterprises --format json|jsonl`: every record, all fields, its history."""
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.services.pipeline import move_stage
from tests import factories


def run(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=["export", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def project(app, users):
    investor = factories.enterprise(name="中大方宏（北京）资产管理有限公司", tags=["上市公司"])
    p = factories.project(name="工业大麻CBD萃取项目", description="厂房占地面积1万平方米", investors=[investor],
                          total_investment=Decimal("12345.67"), land_m2=Decimal("10000"),
                          lead_department=factories.department("工信科局"), departments=[factories.department("农业农村局")])
    move_stage(p, "contact", actor=users["staff"], occurred_on=date(2025, 1, 5), evidence="来访")
    move_stage(p, "signed", actor=users["staff"], occurred_on=date(2025, 2, 1), contract_amount=Decimal("8000"))
    factories.interaction(investor, project=p, commit=False)
    db.session.commit()
    return p


def test_projects_export_holds_every_project_with_its_fields_and_stage_history(app, project):
    factories.project(name="第二个项目")
    records = json.loads(run(app, "projects", "--format", "json"))
    assert [r["name"] for r in records] == ["工业大麻CBD萃取项目", "第二个项目"]
    first = records[0]
    assert first["sector"]["name"] == "生物医药" and first["description"] == "厂房占地面积1万平方米"
    assert first["total_investment"] == "12345.67" and first["signed_on"] == "2025-02-01"
    assert first["lead_department"]["name"] == "工信科局" and [d["name"] for d in first["departments"]] == ["农业农村局"]
    assert first["investors"][0]["name"] == "中大方宏（北京）资产管理有限公司"
    assert [(e["from_stage"], e["to_stage"]) for e in first["stage_history"]] == [("planned", "contact"),
                                                                                 ("contact", "signed")]
    assert first["stage_history"][1]["contract_amount"] == "8000.00"
    assert first["stage_history"][0]["recorded_by"]["name"] and first["interactions_count"] == 1
    assert {"name_en", "land_m2", "in_pool", "created_at", "notes"} <= first.keys()


def test_jsonl_writes_one_record_per_line(app, project):
    lines = run(app, "projects", "--format", "jsonl").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == project.id


def test_an_empty_export_is_an_empty_array(app):
    assert json.loads(run(app, "enterprises")) == []


def test_enterprises_export_holds_contacts_tags_projects_and_interaction_counts(app, project):
    investor = project.investors[0]
    factories.contact(investor, name="王经理", phone="13900000000")
    records = json.loads(run(app, "enterprises", "--format", "json"))
    record = next(r for r in records if r["id"] == investor.id)
    assert record["tags"] == ["上市公司"] and record["contacts"][0]["name"] == "王经理"
    assert record["projects"] == [{"id": project.id, "name": "工业大麻CBD萃取项目"}]
    assert record["interactions_count"] == 1 and record["credit_code"] is None


def test_export_queries_do_not_grow_with_the_rows(app, statements):
    investors = [factories.enterprise()]
    factories.many_projects(5, investors=investors, last_interaction_at=datetime(2025, 1, 1))
    with statements() as few:
        run(app, "projects")
    factories.many_projects(60, investors=investors)
    with statements() as many:
        output = run(app, "projects")
    assert len(json.loads(output)) == 65 and len(many) == len(few)
