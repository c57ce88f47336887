"""Reading the office's Excel lists for an import: the first sheet of an .xlsx, its header row
found among the first rows whatever sits above it (a title, a note), and its columns matched by
their headers in Chinese or English, in any order.  services/enterprise_sheets and
services/project_sheet describe their columns and check the rows.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from flask_babel import force_locale
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from crm.i18n import gettext as _
from crm.services.core.errors import RuleError

HEADER_SEARCH_ROWS = 10  # the header may sit below a title row and a note row
LIST_SPLIT = re.compile(r"[、,，;；/|\n]+")  # several values in a cell; not spaces: "Industry leader"


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy string: the header in the UI language
    aliases: tuple[str, ...] = ()  # other Chinese headers offices use for the same column
    width: int = 16


class SheetError(RuleError):
    """The file as a whole cannot be imported (unreadable, no header row, too many rows)."""


@dataclass
class RowError:
    row: int  # the row number Excel shows
    column: str  # the column's header in the UI language
    message: str
    link: tuple[int, str] | None = None  # (id, name) of an existing record the row collides with


@dataclass
class Result:
    created: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def key(text) -> str:
    """A header or choice compared loosely: full/half width, case, spaces, "*" and "(必填)"."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s*]|\(.*?\)", "", text)


class NameIndex:
    """Sheet words → ids of records known by several names (name, short name, English name,
    user name …).  A word two records share is `ambiguous`; `ids` keeps the first of them."""

    def __init__(self, rows, *attrs):
        self.ids, self.ambiguous = {}, set()
        for row in rows:
            for attr in attrs:
                value = getattr(row, attr)
                if not value:
                    continue
                word = key(value)
                if self.ids.setdefault(word, row.id) != row.id:
                    self.ambiguous.add(word)

    def get(self, word) -> int | None:
        return self.ids.get(key(word))

    def __contains__(self, word) -> bool:
        return key(word) in self.ids


def both_languages(label) -> set[str]:
    """The keys of a lazy label in Chinese and in English, whatever the UI language."""
    keys = set()
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            keys.add(key(str(label)))
    return keys


def cell_text(value) -> str | None:
    """A cell as the text a form would have sent: a whole number typed into a number cell (a
    phone such as 13800000000) reads as its digits, not 13800000000.0; a date as yyyy-mm-dd."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "date") and callable(value.date):
        value = value.date().isoformat()
    text = str(value).strip()
    return text or None


# A date pasted as a value into a cell without a date format arrives as Excel's day number
# (46191 is 2026-06-18); only 1990–2099 is read so, never a year or an amount typed alone.
_SERIALS = (32874, 73050)
# 2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日: how dates are typed in the office's sheets.
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def cell_date(text: str | None) -> date | None:
    """A date typed or formatted in a cell (as cell_text gives it), or ValueError with the
    message to show.  Empty is None."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    if text.isdigit() and _SERIALS[0] <= int(text) <= _SERIALS[1]:
        return from_excel(int(text)).date()
    found = _DATE.fullmatch(text)
    try:
        if found:
            return date(*(int(part) for part in found.groups()))
    except ValueError:  # 2024-02-30
        pass
    raise ValueError(_("无法识别的日期：%(value)s（请写成 2024-05-01）。", value=text))


def read(stream, columns: tuple[Column, ...], required: str, max_rows: int):
    """(column key → index, [(row number, cells)]) of the first sheet, whose header row is the
    first of HEADER_SEARCH_ROWS that names the `required` column.  Raises SheetError."""
    try:
        book = load_workbook(BytesIO(stream.read()), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not .xlsx
        raise SheetError(_("无法读取该文件：请上传 Excel 的 .xlsx 文件（.xls 请先在 Excel 中另存为 .xlsx）。")) from error
    known = {k: column.key for column in reversed(columns)
             for k in both_languages(column.label) | {key(a) for a in column.aliases}}
    try:
        found, data = None, []
        for number, cells in enumerate(book.worksheets[0].iter_rows(values_only=True, max_col=len(columns) + 20),
                                       start=1):
            if found is None:
                found = _header(cells, known, required)
                if found is None and number >= HEADER_SEARCH_ROWS:
                    break
            elif any(cell_text(c) for c in cells):
                data.append((number, cells))
                if len(data) > max_rows:
                    raise SheetError(_("一次最多导入 %(n)s 行，请分批导入。", n=max_rows))
    finally:
        book.close()
    if found is None:
        label = next(c.label for c in columns if c.key == required)
        raise SheetError(_("前 %(n)s 行中没有找到表头：表头须有“%(column)s”一列（可下载导入模板）。",
                           n=HEADER_SEARCH_ROWS, column=label))
    if not data:
        raise SheetError(_("表头下面没有数据。"))
    return found, data


def _header(cells, known: dict, required: str) -> dict[str, int] | None:
    found = {}
    for index, cell in enumerate(cells):
        column = known.get(key(cell))
        if column is not None and column not in found:
            found[column] = index
    return found if required in found else None


def row_errors(number: int, errors: dict, columns: tuple[Column, ...], links: dict) -> list[RowError]:
    """A row's problems (column key → message) in the sheet's column order, under the headers."""
    order = {c.key: (i, c) for i, c in enumerate(columns)}
    return [RowError(number, str(order[k][1].label) if k in order else k, errors[k], links.get(k))
            for k in sorted(errors, key=lambda k: order.get(k, (len(order),))[0])]


def row_values(cells, columns: dict[str, int]) -> dict[str, str | None]:
    return {k: cell_text(cells[i]) if i < len(cells) else None for k, i in columns.items()}
