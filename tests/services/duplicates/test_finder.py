"""The likely-duplicate finder: keys fold suffixes, brackets, widths and code spellings; groups are
found by key and paged."""
import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise
from crm.services.core import namekeys
from crm.services.duplicates import finder
from tests import factories


@pytest.mark.parametrize(("a", "b"), [
    ("东北农业集团有限公司", "东北农业（集团）股份公司"),
    ("绥芬河润宏经贸有限责任公司", "绥芬河 润宏经贸 有限公司"),
    ("牡丹江（绥芬河）木业股份有限公司", "牡丹江(绥芬河)木业公司"),
    ("ＡＢＣ生物科技有限公司", "abc生物科技"),
    ("黑龙江【华宇】集团", "黑龙江华宇集团公司"),
])
def test_names_that_differ_only_by_suffix_brackets_spaces_or_width_share_a_key(a, b):
    assert namekeys.name_key(a) == namekeys.name_key(b)


def test_a_name_made_only_of_suffixes_keeps_a_non_empty_key():
    assert all(namekeys.name_key(name) for name in ("有限公司", "集团有限公司", "公司", "Co., Ltd."))
    assert namekeys.name_key("东北农业") != namekeys.name_key("东北林业有限公司")


def test_credit_codes_typed_full_width_or_lower_case_share_a_key():
    code = factories.valid_credit_code()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert namekeys.credit_key(full_width) == namekeys.credit_key(code.lower()) == code
    assert namekeys.credit_key("  ") is None and namekeys.short_key("") is None


def _page(after=None, per_page=20):
    return finder.group_page(after, per_page)


def test_groups_by_suffix_stripped_name_short_name_and_credit_code(app):
    a = factories.enterprise(name="东北农业集团有限公司", short_name="东北农业")
    b = factories.enterprise(name="东北农业（集团）股份公司", short_name="东北农业")
    c = factories.enterprise(name="润宏经贸有限公司", short_name="润宏")
    d = factories.enterprise(name="绥芬河润宏商贸公司", short_name="润 宏")
    code = factories.valid_credit_code()
    e = factories.enterprise(name="远东木业有限公司", credit_code=code)
    # A code loaded before codes were normalised (the form stores them normalised).
    f = factories.enterprise(name="远东林产品公司")
    db.session.execute(sa.update(Enterprise).where(Enterprise.id == f.id).values(
        credit_code=code.lower(), credit_key=namekeys.credit_key(code.lower())))
    factories.enterprise(name="孤单企业有限公司", short_name="孤单")
    groups = _page().groups
    found = {tuple(firm.id for firm in g.firms): g.reasons for g in groups}
    assert found == {(e.id, f.id): ["credit"], (a.id, b.id): ["name", "short"], (c.id, d.id): ["short"]}
    assert groups[0].reason_labels == ["同一信用代码"]


def test_keys_follow_an_edit_of_the_name(app):
    firm = factories.enterprise(name="东北农业集团有限公司")
    firm.name, firm.short_name = "东方农业股份有限公司", "东方"
    db.session.commit()
    assert (firm.name_key, firm.short_key) == ("东方农业", "东方")


def test_groups_are_paged_by_key_across_reasons(app):
    for n in range(3):
        factories.enterprise(name=f"重复企业{n}有限公司")
        factories.enterprise(name=f"重复企业{n}集团", short_name=f"简称{n}")
        factories.enterprise(name=f"另一家{n}公司", short_name=f"简称{n}")
    pages = [_page(None, 4)]
    while pages[-1].next_after:
        pages.append(_page(pages[-1].next_after, 4))
    assert [len(p.groups) for p in pages] == [4, 2] and pages[0].first and not pages[1].first
    assert [g.reasons for p in pages for g in p.groups] == [["name"]] * 3 + [["short"]] * 3
    assert _page("bogus:x", 4).first and _page("name:", 4).first
