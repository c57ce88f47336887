"""The list sheets (企业清单, 项目清单), now streamed in openpyxl's write-only mode, keep the
office's layout: merged title and note rows, styled headers, frozen panes, a header filter,
text columns, Excel dates and amounts."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from crm.services.sheets import xlsx

COLUMNS = [("名称", 30, True), ("信用代码", 20, False), ("总投资（万元）", 14, False), ("签约日期", 12, False)]


def _sheet(rows):
    data = xlsx.list_workbook("招商项目清单", "导出：2026-12-03 09:00", COLUMNS, rows, sheet_name="项目",
                              text=[2], money=[3])
    return load_workbook(BytesIO(data)).worksheets[0]


def test_a_list_sheet_keeps_the_office_layout():
    ws = _sheet(iter([["甲项目", "91230000MA1234567X", Decimal("12000.50"), date(2026, 6, 18)],
                      ["乙项目", None, None, datetime(2026, 7, 1, 10, 30)]]))

    assert ws.title == "项目" and ws["A1"].value == "招商项目清单" and ws["A2"].value == "导出：2026-12-03 09:00"
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:D1", "A2:D2"}
    assert ws["A1"].font.bold and ws["A1"].font.size == 16 and ws["A2"].alignment.horizontal == "right"
    assert [c.value for c in ws[3]] == ["名称*", "信用代码", "总投资（万元）", "签约日期"]
    assert all(c.font.bold and c.border.left.style == "thin" for c in ws[3])
    assert ws.freeze_panes == "B4" and ws.auto_filter.ref == "A3:D5"
    assert ws.column_dimensions["A"].width == 30 and ws.column_dimensions["B"].number_format == "@"
    assert ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"


def test_list_cells_are_typed_amounts_as_numbers_and_dates_as_dates():
    ws = _sheet([["甲项目", "91230000MA1234567X", Decimal("12000.50"), date(2026, 6, 18)],
                 ["乙项目", None, None, datetime(2026, 7, 1, 10, 30)]])

    name, code, amount, signed = ws[4]
    assert (name.value, code.value, code.data_type) == ("甲项目", "91230000MA1234567X", "s")
    assert amount.value == 12000.5 and amount.number_format == xlsx.MONEY_FORMAT
    assert signed.value == datetime(2026, 6, 18) and signed.number_format == "yyyy-mm-dd"
    assert ws["B5"].value is None and ws["C5"].value is None
    assert ws["D5"].value == datetime(2026, 7, 1, 10, 30) and ws["D5"].number_format == "yyyy-mm-dd"


def test_an_empty_list_still_has_its_headers_and_filter():
    ws = _sheet([])

    assert ws.max_row == 3 and ws.auto_filter.ref == "A3:D3"
