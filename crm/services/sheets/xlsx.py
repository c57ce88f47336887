"""Excel exports (openpyxl) laid out like the office's own sheets: a merged title row, a note
row, bold bordered headers, frozen panes, wrapped text, '#,##0.00' amounts, subtotal and
total rows.  The 调度表 (monthly dispatch), the 晾晒表 (quarterly ranking), the enterprise and
project lists and the enterprise import template share the helpers.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import copy
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from crm.i18n import current_lang
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.services.pipeline import STAGE_LABELS
from crm.services.routines.ranking import grade_label, method_note

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
_SIDE = Side(style="thin", color="000000")
BORDER = Border(left=_SIDE, right=_SIDE, top=_SIDE, bottom=_SIDE)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
COLOUR_FILLS = {"green": PatternFill("solid", fgColor="C6EFCE"), "yellow": PatternFill("solid", fgColor="FFEB9C"),
                "red": PatternFill("solid", fgColor="FFC7CE")}
FONT = "宋体"
# Text that Excel (or a spreadsheet fed the sheet as CSV) may take for a formula: it is written as
# a text cell with Excel's quote prefix, so it shows and edits as typed and imports back the same.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _sheet(title: str, note: str, headers: Sequence[str], widths: Sequence[int], sheet_name: str, *,
           freeze: str = "C4", text: Sequence[int] = (), write_only: bool = False):
    """A workbook whose first sheet has the title (row 1), the note (row 2), headers (row 3).

    `text` columns keep what is typed as text; `freeze` is the first cell that scrolls (the
    default keeps 序号 and the name column).  write_only: openpyxl's streaming mode, for long
    lists: no cell objects are kept (10,000 enterprises: 44 MB of them), and rows go in with
    ws.append only.  A streaming sheet writes its columns, panes and sheet properties before
    its first row, so they are set first here."""
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet(sheet_name) if write_only else wb.active
    ws.title = sheet_name
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in text:
        ws.column_dimensions[get_column_letter(col)].number_format = "@"
    ws.freeze_panes = freeze  # title, note and headers stay too
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.row_dimensions[1].height = 32
    last = get_column_letter(len(headers))
    for row, (value, size) in enumerate(((title, 16), (note, 10)), start=1):
        cell = _cell(ws, value, font=Font(name=FONT, size=size, bold=row == 1),
                     alignment=Alignment(horizontal="center" if row == 1 else "right", vertical="center"))
        ws.append([cell])
        ws.merged_cells.add(f"A{row}:{last}{row}")
    header = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([_cell(ws, str(label), font=Font(name=FONT, bold=True), fill=HEADER_FILL, border=BORDER,
                     alignment=header) for label in headers])
    return wb, ws


def _cell(ws, value, **style):
    """A cell to append, with `style` (font=, fill=, number_format= …); both sheet modes take it."""
    cell = WriteOnlyCell(ws, value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return as_text(cell)


def as_text(cell):
    """The cell, its text written as text whatever it starts with (openpyxl writes a str
    beginning with "=" as a live formula).  Every cell of every sheet goes through here."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


class _Rows:
    """Appends bordered, wrapped rows below a _sheet's headers; amounts as numbers with the
    office's formats.

    openpyxl hashes every Font, Alignment and Border given to a cell, and ws.max_row scans every
    cell: styled cell by cell, 9,000 dispatch rows took 33 s.  Each distinct style is built once
    and copied to later cells (copying `_style` is openpyxl's own recipe for copying a style
    within a workbook), and the rows are counted here."""

    def __init__(self, ws):
        self.ws, self.last, self._styled = ws, ws.max_row, {}

    def add(self, values: Iterable, *, money_cols=(), percent_cols=(), bold=False, fill=None) -> int:
        self.last += 1
        for col, value in enumerate(values, start=1):
            if isinstance(value, Decimal):
                value = float(value)  # Excel stores doubles; the 2-decimal format shows 万元 exactly
            cell = self.ws.cell(row=self.last, column=col, value=value)
            number_format = MONEY_FORMAT if col in money_cols else PERCENT_FORMAT if col in percent_cols else None
            key = (number_format, bold, id(fill))  # fills are module constants: id() spares hashing one
            styled = self._styled.get(key)
            if styled is None:
                _style(cell, number_format, bold, fill)
                self._styled[key] = copy(cell._style)  # before as_text may add the quote prefix
            else:
                cell._style = copy(styled)
            as_text(cell)
        return self.last


def _style(cell, number_format: str | None, bold: bool, fill) -> None:
    cell.font = Font(name=FONT, bold=bold)
    cell.border = BORDER
    cell.alignment = Alignment(vertical="center", wrap_text=number_format is None,
                               horizontal="right" if number_format else None)
    if number_format:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill


def _bytes(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- 调度表

DISPATCH_HEADERS = (_l("序号"), _l("项目名称"), _l("建设内容"), _l("总投资（万元）"), _l("牵头部门"),
                    _l("本月完成投资（万元）"), _l("累计完成投资（万元）"), _l("到位资金（万元）"), _l("进展情况"),
                    _l("存在问题"), _l("阶段"))
DISPATCH_WIDTHS = (6, 30, 40, 14, 12, 14, 14, 14, 40, 30, 8)
DISPATCH_MONEY = (4, 6, 7, 8)
SUMMED = ("total", "month", "cumulative", "funds")


def short(text: str | None, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def column_title(project) -> str:
    """The 专栏 heading of a project's group, from its sector when the numbers agree."""
    if project.column_no is None:
        return _("其他项目")
    number = _("专栏%(n)s", n=project.column_no)
    sector = project.sector
    if sector is None or sector.column_no != project.column_no or not sector.column_title:
        return number
    if current_lang() == "zh":
        return sector.column_title  # the plan's own heading, e.g. 专栏1 生物医药产业项目
    return f"{number} · {sector.label()}"  # the plan's heading exists in Chinese only


def _amounts(row) -> dict:
    report = row.report
    return {"total": row.project.total_investment, "month": report.invest_month if report else None,
            "cumulative": report.invest_cumulative if report else None,
            "funds": report.funds_in_place if report else None}


def _sum_row(out: _Rows, label: str, sums: dict, fill) -> None:
    out.add(("", label, "", sums["total"], "", sums["month"], sums["cumulative"], sums["funds"], "", "", ""),
            money_cols=DISPATCH_MONEY, bold=True, fill=fill)


def dispatch_workbook(month, rows, *, due, generated) -> bytes:
    """The month's 调度表: rows are services.dispatch.DispatchRow in 专栏 order."""
    wb, ws = _sheet(_("绥芬河市生物经济重点项目%(y)s年%(m)s月调度表", y=month.year, m=month.month),
                    _("报送截止：%(due)s　　单位：万元　　导出：%(at)s", due=f"{due:%Y-%m-%d}",
                      at=f"{generated:%Y-%m-%d %H:%M}"),
                    DISPATCH_HEADERS, DISPATCH_WIDTHS, f"{month:%Y-%m}")
    out, zero = _Rows(ws), {key: Decimal(0) for key in SUMMED}
    totals, group, group_sums = dict(zero), None, dict(zero)
    for number, row in enumerate(rows, start=1):
        title = column_title(row.project)
        if group is not None and title != group:
            _sum_row(out, _("%(group)s 小计", group=group), group_sums, SUBTOTAL_FILL)
            group_sums = dict(zero)
        group = title
        amounts = _amounts(row)
        for key, value in amounts.items():
            group_sums[key] += value or 0
            totals[key] += value or 0
        report = row.report
        out.add((number, row.project.display_name, short(row.project.localized("description")), amounts["total"],
                 row.department.label() if row.department else "", amounts["month"], amounts["cumulative"],
                 amounts["funds"], report.progress if report else row.status_label,
                 report.problems_text if report else "", str(STAGE_LABELS.get(row.project.stage, ""))),
                money_cols=DISPATCH_MONEY)
    if group is not None:
        _sum_row(out, _("%(group)s 小计", group=group), group_sums, SUBTOTAL_FILL)
    _sum_row(out, _("合计"), totals, HEADER_FILL)
    return _bytes(wb)


# ---------------------------------------------------------------- 晾晒表

RANKING_HEADERS = (_l("排名"), _l("部门"), _l("事项数 n"), _l("应报调度"), _l("按时报送"), _l("报送及时率"), _l("到期问题"),
                   _l("按期销号"), _l("按期销号率"), _l("牵头项目"), _l("阶段推进"), _l("项目推进率"), _l("得分"),
                   _l("等次"))
RANKING_WIDTHS = (6, 16, 9, 10, 10, 11, 10, 10, 11, 10, 10, 11, 9, 9)
RANKING_PERCENT = (6, 9, 12)


def _ratio(value):
    return float(value) if value is not None else "—"


def ranking_workbook(ranking, *, generated) -> bytes:
    """The quarter's 晾晒表 with weights and thresholds in the note row."""
    s, q = ranking.settings, ranking.quarter
    title = _("绥芬河市生物经济重点工作%(y)s年第%(q)s季度晾晒表", y=q.year, q=q.q)
    wb, ws = _sheet(
        title + (_("（暂定）") if ranking.provisional else ""),
        _("权重：报送及时率 %(a)s%%、问题按期销号率 %(b)s%%、项目推进率 %(c)s%%　等次：≥%(g)s 绿，≥%(y)s 黄，其余红　"
          "数据截至 %(as_of)s　导出：%(at)s", a=s.w_timeliness, b=s.w_problems, c=s.w_stage, g=s.green_min,
          y=s.yellow_min, as_of=f"{ranking.as_of:%Y-%m-%d}", at=f"{generated:%Y-%m-%d %H:%M}")
        + "　" + method_note(s),
        RANKING_HEADERS, RANKING_WIDTHS, str(q))
    out = _Rows(ws)
    for line in ranking.lines:
        out.add((line.rank or "—", line.department_name, line.basis, line.reports_expected, line.reports_on_time,
                 _ratio(line.timeliness), line.problems_due, line.problems_on_time, _ratio(line.problems_rate),
                 line.projects_led, line.stage_moves, _ratio(line.stage_rate),
                 line.score if line.score is not None else "—", grade_label(line)),
                percent_cols=RANKING_PERCENT, money_cols=(13,), fill=COLOUR_FILLS.get(line.colour))
    return _bytes(wb)


# ---------------------------------------------------------------- lists (企业清单, 项目清单), the import template

def _list_sheet(title: str, note: str, columns: Sequence[tuple[str, int, bool]], text: Sequence[int],
                sheet_name: str, write_only: bool = False):
    """Title, note and headers ("*" marks a required column); `text` columns keep what is typed
    as text, so Excel does not round an 18-digit code or a phone number into a number."""
    headers = [header + ("*" if required else "") for header, _width, required in columns]
    wb, ws = _sheet(title, note, headers, [width for _header, width, _required in columns], sheet_name,
                    freeze="B4", text=text, write_only=write_only)
    return wb, ws, headers


def import_template(title: str, note: str, columns: Sequence[tuple[str, int, bool]],
                    choices: dict[int, Sequence[str]], rows: int, *, sheet_name: str,
                    text: Sequence[int] = ()) -> bytes:
    """An empty list to fill in and import, with a second sheet of the values the choice columns
    accept, offered as drop-down lists.

    columns: (header, width, required); choices: column number (1-based) → accepted values;
    rows: how many rows below the headers offer the lists.
    """
    wb, ws, headers = _list_sheet(title, note, columns, text, sheet_name)
    lists = wb.create_sheet(_("可选值"))
    for n, (col, values) in enumerate(sorted(choices.items()), start=1):
        letter = get_column_letter(n)
        as_text(lists.cell(row=1, column=n, value=headers[col - 1].rstrip("*"))).font = Font(name=FONT, bold=True)
        lists.column_dimensions[letter].width = max(12, columns[col - 1][1])
        for row, value in enumerate(values, start=2):
            as_text(lists.cell(row=row, column=n, value=value))
        if values:  # an empty list (no staff yet) would make a validation Excel refuses to open
            rule = DataValidation(type="list", allow_blank=True,
                                  formula1=f"'{lists.title}'!${letter}$2:${letter}${len(values) + 1}")
            rule.add(f"{get_column_letter(col)}4:{get_column_letter(col)}{rows + 3}")
            ws.add_data_validation(rule)
    return _bytes(wb)


def list_workbook(title: str, note: str, columns: Sequence[tuple[str, int, bool]], rows: Iterable[Sequence],
                  *, sheet_name: str, text: Sequence[int] = (), money: Sequence[int] = (),
                  target: Path | None = None) -> bytes | None:
    """A list in import_template's layout with a filter on the headers, streamed (write-only):
    cells unstyled but dates (Excel dates) and `money` columns (amounts), so ten thousand rows
    are written in seconds.  Returns the bytes, or writes them to `target` (an export job's file)
    and returns None: rows are consumed one at a time either way."""
    wb, ws, _headers = _list_sheet(title, note, columns, text, sheet_name, write_only=True)
    last = 3
    for last, values in enumerate(rows, start=4):  # noqa: B007  the last row number is kept for the filter
        ws.append([_list_value(ws, col, value, money) for col, value in enumerate(values, start=1)])
    ws.auto_filter.ref = f"A3:{get_column_letter(len(columns))}{last}"
    if target is not None:
        wb.save(target)
        return None
    return _bytes(wb)


def _list_value(ws, col: int, value, money: Sequence[int]):
    """A list cell's value as appended: dates and amounts as formatted cells, text as text, the
    rest as is."""
    if isinstance(value, date):
        return _cell(ws, value, number_format="yyyy-mm-dd")
    if isinstance(value, Decimal):
        value = float(value)
    if col in money and value is not None:
        return _cell(ws, value, number_format=MONEY_FORMAT)
    return _cell(ws, value) if isinstance(value, str) and value.startswith(FORMULA_START) else value
