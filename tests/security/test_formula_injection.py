"""Text that a spreadsheet reads as a formula (=, +, -, @, tab, CR first) is written as text in
every sheet the app produces: the project and enterprise lists, their import templates, the
调度表 and the 晾晒表.  Each is read back cell by cell (openpyxl: data_type 's', never 'f'), and an
exported list imports back with the same text."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from crm.models import Enterprise
from crm.services.sheets import xlsx
from tests import factories
from tests.enterprises.test_excel import upload

LINK = '=HYPERLINK("http://evil.example","click")'
NAME_LINK = '=HYPERLINK("http://evil.example","x")'  # a user's name holds at most 40 characters
PAYLOADS = (LINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1")


def cells(content: bytes):
    """Every cell of every sheet of a workbook."""
    book = load_workbook(BytesIO(content))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            yield from row


def assert_text_only(content: bytes, expected=(LINK,)) -> None:
    """No formula anywhere; each expected text is there, as text, with Excel's quote prefix."""
    found = {}
    for cell in cells(content):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
        found.setdefault(cell.value, cell)
    assert set(expected) <= set(found), set(expected) - set(found)


@pytest.fixture
def hostile(app, users):
    """Records whose text starts like a formula, wherever a sheet shows text."""
    dept = factories.department(LINK)
    project = factories.project(name=LINK, description="@SUM(1,2)", lead_department=dept,
                                sector=factories.sector("biomed"))
    factories.progress_report(project, month=date(2026, 10, 1), progress="-2+3", problems_text="+1+1")
    factories.enterprise(name=LINK, short_name="-2+3", address="@SUM(1,2)", description="\t=1+1")
    factories.user("staff", username="evil", display_name=NAME_LINK)
    return project


def test_the_project_list_writes_formulas_as_text(client, login, hostile):
    login("staff")
    resp = client.get("/projects/export.xlsx")
    assert resp.status_code == 200
    assert_text_only(resp.data, (LINK, "@SUM(1,2)"))


def test_the_enterprise_list_writes_formulas_as_text(client, login, hostile):
    login("staff")
    resp = client.get("/enterprises/export.xlsx")
    assert resp.status_code == 200
    assert_text_only(resp.data, (LINK, "-2+3", "@SUM(1,2)"))


@pytest.mark.parametrize("url", ["/enterprises/import/template.xlsx", "/projects/import/template.xlsx"])
def test_the_import_templates_write_their_choices_as_text(client, login, hostile, url):
    login("staff")
    resp = client.get(url)
    assert resp.status_code == 200
    assert_text_only(resp.data, (f"{NAME_LINK}（evil）",))  # the staff member among the 负责人 choices


def test_the_dispatch_table_writes_formulas_as_text(client, login, hostile):
    login("admin")
    resp = client.get("/routines/dispatch.xlsx?month=2026-10")
    assert resp.status_code == 200
    assert_text_only(resp.data, (LINK, "-2+3", "+1+1"))


def test_the_ranking_writes_formulas_as_text(client, login, hostile):
    login("admin")
    resp = client.get("/routines/ranking.xlsx?quarter=2026-Q4")
    assert resp.status_code == 200
    assert_text_only(resp.data)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_written_cell_keeps_the_text_and_loses_the_formula(payload):
    content = xlsx.list_workbook("清单", "", [("名称", 20, True), ("备注", 20, False)], [[payload, payload]],
                                 sheet_name="清单")
    row = list(cells(content))[-2:]
    assert [(c.value, c.data_type) for c in row] == [(payload, "s")] * 2


def test_an_exported_enterprise_list_imports_back_with_the_same_text(client, login, hostile):
    login("staff")
    exported = client.get("/enterprises/export.xlsx").data
    html = upload(client, BytesIO(exported)).get_data(as_text=True)
    assert "表中的内容与系统中的完全一致" in html, html[-2000:]
    firm = Enterprise.query.one()
    assert (firm.name, firm.short_name, firm.address) == (LINK, "-2+3", "@SUM(1,2)")
