"""Full-width credit codes (typed by a Chinese input method) are the same code: the form and the
import both normalise with NFKC before the GB 32100-2015 check."""
from __future__ import annotations

import unicodedata

from crm.models import Enterprise
from crm.services import creditcode
from tests import factories
from tests.enterprises.test_excel import upload
from tests.enterprises.test_views import form
from tests.imports import confirm
from tests.services.sheets.test_enterprise_sheets import sheet


def full_width(code: str) -> str:
    """９１２３…: every ASCII character as its full-width form, with an ideographic space."""
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert unicodedata.normalize("NFKC", wide) == code and wide != code
    return f"{wide[:9]}\u3000{wide[9:]}"


def test_normalize_folds_full_width_characters():
    code = creditcode.complete("91350200MA2XN0Y4Q")
    assert creditcode.normalize(full_width(code)) == code
    assert creditcode.is_valid(full_width(code))


def test_the_form_accepts_a_full_width_code_and_stores_it_half_width(client, login):
    login("staff")
    code = factories.valid_credit_code()
    resp = client.post("/enterprises/new", data=form(credit_code=full_width(code)))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    assert Enterprise.query.one().credit_code == code


def test_the_import_accepts_a_full_width_code_and_stores_it_half_width(client, login):
    login("staff")
    code = factories.valid_credit_code()
    preview = upload(client, sheet([[1, "绥芬河市全角代码有限公司", full_width(code)]],
                                   headers=["序号", "企业名称", "统一社会信用代码"]))
    assert "确认导入" in preview.get_data(as_text=True), preview.get_data(as_text=True)[-2000:]
    assert confirm(client, preview).status_code == 302
    assert Enterprise.query.one().credit_code == code


def test_a_full_width_code_with_a_wrong_check_character_is_still_refused(client, login):
    login("staff")
    code = factories.valid_credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    resp = client.post("/enterprises/new", data=form(credit_code=full_width(wrong)))
    assert resp.status_code == 200 and "统一社会信用代码无效" in resp.get_data(as_text=True)
    assert Enterprise.query.count() == 0
