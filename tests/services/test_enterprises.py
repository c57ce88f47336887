"""Enterprise rules: credit code check, duplicates on code and normalised name, lengths, roles."""
import pytest

from crm.extensions import db
from crm.models import AuditEvent, Contact, Enterprise
from crm.services.core import access
from crm.services.enterprises import ValidationError, is_missing_credit_code, save_contact, save_enterprise
from tests import factories


def data(**kw):
    return {"name": "绥芬河润宏经贸有限公司", "country": "中国", "status": "prospect", "role": "target"} | kw


def refused(user, enterprise=None, **kw) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        save_enterprise(user, enterprise, data(**kw))
    db.session.rollback()
    return info.value


def test_valid_code_is_normalised_saved_and_audited(users):
    code = factories.valid_credit_code()
    e = save_enterprise(users["staff"], None, data(credit_code=f" {code.lower()} ", tags=["龙头企业", "龙头企业"]))
    db.session.commit()
    assert (e.credit_code, e.name_norm, e.tags) == (code, "绥芬河润宏经贸有限公司", ["龙头企业"])
    assert AuditEvent.query.filter_by(object_type="Enterprise", object_id=e.id, action="create").count() == 1


@pytest.mark.parametrize("mangle", [
    lambda c: c[:17] + ("0" if c[17] != "0" else "1"),  # wrong check character
    lambda c: c[:17],  # too short
    lambda c: "I" + c[1:],  # a letter outside the alphabet
])
def test_invalid_codes_are_refused(users, mangle):
    err = refused(users["staff"], credit_code=mangle(factories.valid_credit_code()))
    assert "GB 32100" in err.errors["credit_code"]
    assert Enterprise.query.count() == 0


def test_code_is_optional_and_a_chinese_firm_without_one_is_flagged(users):
    domestic = save_enterprise(users["staff"], None, data())
    foreign = save_enterprise(users["staff"], None, data(name="Hokkaido Bio K.K.", country="日本"))
    assert domestic.credit_code is None and is_missing_credit_code(domestic)
    assert not is_missing_credit_code(foreign)


def test_duplicate_normalised_name_is_refused_naming_the_existing_record(users):
    existing = factories.enterprise(name="绥芬河测试(有限)公司")
    err = refused(users["staff"], name="绥芬河 测试（有限）公司")
    assert "同名" in err.errors["name"] and err.records["name"] is existing


def test_duplicate_credit_code_is_refused_naming_the_existing_record(users):
    code = factories.valid_credit_code()
    existing = factories.enterprise(credit_code=code)
    err = refused(users["staff"], credit_code=code)
    assert "已登记" in err.errors["credit_code"] and err.records["credit_code"] is existing


def test_editing_keeps_its_own_name_and_code(users):
    code = factories.valid_credit_code()
    e = factories.enterprise(name="安徽丰原集团有限公司", credit_code=code)
    save_enterprise(users["admin"], e, data(name="安徽丰原集团有限公司", credit_code=code, region="安徽省蚌埠市"))
    db.session.commit()
    assert e.region == "安徽省蚌埠市"


@pytest.mark.parametrize("field, value, message", [
    ("name", "   ", "请填写"),
    ("name", "（）·", "标点"),
    ("name", "企" * 121, "120"),
    ("short_name", "简" * 41, "40"),
    ("region", "省" * 61, "60"),
    ("status", "bogus", "状态"),
    ("tags", ["不存在的标签"], "标签"),
])
def test_blank_overlong_and_unknown_values_are_refused(users, field, value, message):
    err = refused(users["staff"], **{field: value})
    assert message in err.errors[field]
    assert Enterprise.query.count() == 0


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_only_staff_and_admins_save_enterprises(users, role):
    with pytest.raises(access.Denied):
        save_enterprise(users[role], None, data())


def test_contact_needs_a_name_and_fits_its_columns(users):
    e = factories.enterprise()
    with pytest.raises(ValidationError) as info:
        save_contact(users["staff"], e, None, {"name": " ", "phone": "1" * 31})
    assert set(info.value.errors) == {"name", "phone"}
    c = save_contact(users["staff"], e, None, {"name": "李总", "title": "总经理", "email": ""})
    db.session.commit()
    assert (c.enterprise_id, c.email) == (e.id, None) and Contact.query.count() == 1
