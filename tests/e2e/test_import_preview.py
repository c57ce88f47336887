"""The Excel import in a browser: upload an edited export, read the preview (old → new), confirm in
the dialog, land on the list with the counts; at desktop and phone width, with CSRF on."""
from __future__ import annotations

from pathlib import Path

from crm.extensions import db
from crm.models import Enterprise
from tests import factories
from tests.imports.test_views import edited_export

SHOTS = Path("/tmp/xls")


def test_upload_preview_and_confirm_an_edited_enterprise_sheet(visit, users, tmp_path):
    firm = factories.enterprise(name="绥芬河市润宏经贸有限公司", short_name="润宏")
    factories.enterprise(name="绥芬河市远东木业有限公司")
    db.session.commit()
    sheet = tmp_path / "企业月报.xlsx"
    sheet.write_bytes(edited_export({(firm.id, "简称"): "润宏经贸", (firm.id, "省市"): "黑龙江省牡丹江市"}).getvalue())
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        v = visit({"width": width, "height": height})
        v.sign_in(users["staff"])
        v.go("/enterprises/import")
        v.page.set_input_files("input[type=file]", str(sheet))
        v.page.click("main form button[type=submit]")
        v.page.wait_for_url("**/imports/*")
        changes = v.page.locator("table.import-changes tbody tr")
        assert changes.count() == 1
        text = changes.first.inner_text()
        assert "简称" in text and "润宏" in text and "润宏经贸" in text and "黑龙江省牡丹江市" in text
        assert "更新 1" in " ".join(v.page.locator(".import-counts").inner_text().split())
        assert v.page.evaluate("document.documentElement.scrollWidth") <= width
        v.page.screenshot(path=str(SHOTS / f"import_preview_{width}.png"), full_page=True)
        db.session.expire_all()
        assert db.session.get(Enterprise, firm.id).short_name == "润宏"  # nothing written yet
        v.assert_clean()
    v.page.once("dialog", lambda dialog: dialog.accept())
    v.page.click("text=确认导入")
    v.page.wait_for_url("**/enterprises/")
    assert "更新 1 家" in v.page.locator(".alert-success").inner_text()
    db.session.expire_all()
    assert db.session.get(Enterprise, firm.id).short_name == "润宏经贸"
    v.assert_clean()
