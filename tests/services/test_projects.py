"""Project rules: saving with validation, the shared filters, board aggregates, readable audit."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import AuditEvent, Project, StageEvent
from crm.services import projects as svc
from crm.services.core import access
from crm.services.pipeline import move_stage
from tests import factories


@pytest.fixture
def refs(app):
    return factories.project_refs()


def data(refs, **kw):
    return factories.project_form(refs, **kw)


def test_a_new_project_starts_planned_in_the_pool_with_its_relations_and_an_audit_row(refs, users):
    project = svc.save_project(users["staff"], None, data(refs))
    db.session.commit()
    assert (project.stage, project.in_pool, project.stage_on is not None) == ("planned", True, True)
    assert project.total_investment == Decimal("50000") and project.fixed_investment == Decimal("30000.50")
    assert project.jobs == 300 and project.priority == 1
    assert [e.name for e in project.investors] == ["黑龙江域外百草药业科技有限公司"]
    assert [d.name for d in project.departments] == ["农业农村局"]
    assert AuditEvent.query.filter_by(object_type="Project", object_id=project.id, action="create").count() == 1


def test_saving_announces_what_changed(refs, users):
    from crm.services.core import signals
    seen = []

    def listener(project, changes, created):
        seen.append((created, set(changes)))
    signals.project_saved.connect(listener)
    try:
        project = svc.save_project(users["staff"], None, data(refs))
        svc.save_project(users["staff"], project, data(refs, total_investment="40000", investor_ids=[]))
    finally:
        signals.project_saved.disconnect(listener)
    assert seen[0][0] is True and {"name", "investors"} <= seen[0][1]
    assert seen[1] == (False, {"total_investment", "investors"})


@pytest.mark.parametrize("field,value,message", [
    ("name", "   ", "请填写项目名称"),
    ("name", "项" * 161, "不能超过 160"),
    ("site", "地" * 201, "不能超过 200"),
    ("description", "字" * 5001, "不能超过 5000"),
    ("total_investment", "-1", "不能为负数"),
    ("total_investment", "三千万", "请输入数字"),
    ("total_investment", "NaN", "请输入数字"),
    ("total_investment", "1.234", "两位小数"),
    ("total_investment", "1e20", "数值过大"),
    ("land_mu", "-5", "不能为负数"),
    ("jobs", "-3", "之间"),
    ("jobs", "12.5", "整数"),
    ("sector_id", 99999, "不存在"),
    ("sector_id", None, "请选择行业领域"),
    ("sector_id", "bogus", "不存在"),
    ("park_id", 99999, "不存在"),
    ("investor_ids", ["99999"], "不存在"),
    ("investor_ids", ["abc"], "不存在"),
    ("department_ids", ["99999"], "不存在"),
    ("key_level", "national", "重点级别无效"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(refs, users, field, value, message):
    extra = {"is_key": True} if field == "key_level" else {}
    with pytest.raises(svc.ValidationError) as caught:
        svc.save_project(users["staff"], None, data(refs, **{field: value}, **extra))
    assert message in caught.value.errors[field]
    db.session.rollback()
    assert Project.query.count() == 0


def test_amounts_are_read_as_people_type_them(refs, users):
    project = svc.save_project(users["staff"], None, data(refs, total_investment=" 1,000 ", fixed_investment="1.50",
                                                          land_mu="  "))
    assert project.total_investment == Decimal(1000) and project.fixed_investment == Decimal("1.5")
    assert project.land_mu is None


def test_fixed_investment_may_not_exceed_total(refs, users):
    with pytest.raises(svc.ValidationError) as caught:
        svc.save_project(users["staff"], None, data(refs, total_investment="1000", fixed_investment="1000.01"))
    assert "不能大于总投资" in caught.value.errors["fixed_investment"]


def test_owner_must_be_center_staff(refs, users):
    with pytest.raises(svc.ValidationError) as caught:
        svc.save_project(users["staff"], None, data(refs, owner_id=users["leader"].id))
    assert "工作人员" in caught.value.errors["owner_id"]
    project = svc.save_project(users["staff"], None, data(refs, owner_id=users["staff"].id))
    assert project.owner == users["staff"]


def test_a_failed_edit_changes_nothing(refs, users):
    project = svc.save_project(users["staff"], None, data(refs))
    db.session.commit()
    with pytest.raises(svc.ValidationError):
        svc.save_project(users["staff"], project, data(refs, name="新名称", total_investment="-1"))
    assert project.name == "对俄中药材进口加工产业园项目" and project.total_investment == Decimal("50000")


def test_officers_edit_only_their_departments_projects_and_never_create(refs, users):
    officer = users["officer"]  # of 工信科局
    own = factories.project(lead_department=refs["other"], departments=[refs["dept"]])
    foreign = factories.foreign_project()
    keep = {"lead_department_id": str(refs["other"].id), "department_ids": [str(refs["dept"].id)]}  # not theirs to change
    assert svc.save_project(officer, own, data(refs, name="改名", **keep)).name == "改名"
    with pytest.raises(access.Denied):
        svc.save_project(officer, foreign, data(refs))
    with pytest.raises(access.Denied):
        svc.save_project(officer, None, data(refs))
    with pytest.raises(access.Denied):
        svc.save_project(users["leader"], own, data(refs))


def test_the_stage_is_not_a_form_field(refs, users):
    project = svc.save_project(users["admin"], None, data(refs, stage="operating"))
    assert project.stage == "planned"


def test_a_stage_move_with_an_unusable_contract_amount_is_refused(refs, users):
    project = factories.project(stage="contact")
    for amount, message in (("abc", "请输入数字"), ("-1", "不能为负数")):
        with pytest.raises(svc.ValidationError) as caught:
            svc.record_stage_move(users["staff"], project, {"to_stage": "signed", "occurred_on": date(2025, 3, 1),
                                                            "contract_amount": amount})
        assert message in caught.value.errors["contract_amount"]
    with pytest.raises(svc.StageError, match="请选择目标阶段"):
        svc.record_stage_move(users["staff"], project, {"to_stage": ""})
    assert project.stage == "contact" and StageEvent.query.count() == 0


# --- filters --------------------------------------------------------------------------

@pytest.fixture
def spread(refs):
    """Four projects that differ in one attribute each from the first."""
    tf = refs["tf"]
    other_sector = factories.sector("bioenergy")
    return {
        "base": factories.project(name="基准项目", sector=refs["sector"], park=refs["park"], lead_department=refs["dept"],
                                  task_force=tf, is_key=True, key_level="province", in_pool=True),
        "energy": factories.project(name="热气电联产项目", sector=other_sector, stage="contact", in_pool=False),
        "shared": factories.project(name="Feed mill 饲料加工", name_en="Feed mill", name_ru="Комбикормовый завод",
                                    sector=refs["sector"], departments=[refs["dept"]], is_key=True, key_level="city"),
        "plain": factories.project(name="普通项目", sector=refs["sector"], lead_department=refs["other"]),
    }


def names(args) -> set[str]:
    return {p.name for p in db.session.scalars(svc.list_query(svc.project_filters(args)))}


@pytest.mark.parametrize("args,expected", [
    ({}, {"基准项目", "热气电联产项目", "Feed mill 饲料加工", "普通项目"}),
    ({"q": "联产"}, {"热气电联产项目"}),
    ({"q": "feed"}, {"Feed mill 饲料加工"}),
    ({"q": "100%_"}, set()),
    ({"q": "КОМБИКОРМ"}, {"Feed mill 饲料加工"}),  # the Russian name, in any case
    ({"q": "ＦＥＥＤ"}, {"Feed mill 饲料加工"}),  # typed full-width
    ({"stage": "contact"}, {"热气电联产项目"}),
    ({"key": "1"}, {"基准项目", "Feed mill 饲料加工"}),
    ({"key": "0"}, {"热气电联产项目", "普通项目"}),
    ({"key": "city"}, {"Feed mill 饲料加工"}),
    ({"pool": "0"}, {"热气电联产项目"}),
    ({"stage": "bogus", "sector": "x", "key": "maybe"}, {"基准项目", "热气电联产项目", "Feed mill 饲料加工", "普通项目"}),
])
def test_each_filter_narrows_the_list(spread, args, expected):
    assert names(args) == expected


def test_reference_filters_match_by_id_and_department_means_lead_or_shared(spread, refs):
    assert names({"sector": str(refs["sector"].id), "park": str(refs["park"].id)}) == {"基准项目"}
    assert names({"task_force": str(spread["base"].task_force_id)}) == {"基准项目"}
    assert names({"department": str(refs["dept"].id)}) == {"基准项目", "Feed mill 饲料加工"}
    assert svc.filter_args({"department": str(refs["dept"].id), "stage": "nope", "q": " x "}) == {
        "department": str(refs["dept"].id), "q": "x"}


# --- board ------------------------------------------------------------------------------

def test_stage_totals_count_and_sum_per_stage(refs):
    factories.project(stage="contact", total_investment=Decimal("3000.50"))
    factories.project(stage="contact", total_investment=None)
    factories.project(stage="signed", total_investment=Decimal("120000"))
    totals = svc.stage_totals([])
    assert totals["contact"] == (2, Decimal("3000.50"))
    assert totals["signed"] == (1, Decimal("120000.00"))
    assert totals["planned"] == (0, Decimal(0))


def test_stage_totals_say_none_when_no_project_states_an_amount(refs):
    factories.project(stage="contact", total_investment=None)
    factories.project(stage="contact", total_investment=None)
    assert svc.stage_totals([])["contact"] == (2, None)


def test_days_since_counts_local_calendar_days():
    # 2025-03-01 17:00 UTC is already 2025-03-02 in Asia/Shanghai.
    assert svc.days_since(datetime(2025, 3, 1, 17, 0), date(2025, 3, 5)) == 3
    assert svc.days_since(None, date(2025, 3, 5)) is None


# --- audit history ----------------------------------------------------------------------

def test_audit_history_reads_as_names_and_labels(refs, users):
    project = svc.save_project(users["staff"], None, data(refs))
    db.session.commit()
    other_sector = factories.sector("bioenergy")
    svc.save_project(users["staff"], project, data(refs, sector_id=other_sector.id, is_key=True, key_level="city"))
    move_stage(project, "contact", actor=users["staff"], occurred_on=date(2025, 1, 5))
    db.session.commit()
    from crm.services.core import audit
    described = svc.describe_changes(audit.history("Project", project.id))
    lines = {(str(label), old, new) for row in described for label, old, new in row["items"]}
    assert ("行业领域", "生物医药", other_sector.name) in lines
    assert ("重点项目", "否", "是") in lines and ("重点级别", "—", "市级重点") in lines
    assert ("阶段", "谋划", "洽谈") in lines
