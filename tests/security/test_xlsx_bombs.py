"""Hostile .xlsx uploads against the real import views: every one is refused (or read) fast and
small.  The files are built here: a member inflating to 1 GB of zeros, a sheet declaring
A1:Z2000000, two million empty <row> elements, a million numbered ones, a row a million below
the data, a non-zip, a zip without a workbook.  Both imports (enterprises, projects) share crm/services/sheets.read."""
from __future__ import annotations

import re
import time
import tracemalloc
import zipfile
from io import BytesIO

import pytest
from openpyxl import Workbook

from crm.models import Enterprise, Project
from tests import factories

IMPORTS = {"/enterprises/import": Enterprise, "/projects/import": Project}
SECONDS, EXTRA_BYTES = 2.0, 100 * 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes() -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(["项目名称", "企业名称", "行业领域"])
    ws.append(["对俄木材深加工项目", "绥芬河市远东木业有限公司", "生物医药"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def rebuilt(replace: dict[str, object]) -> bytes:
    """A real workbook with some members replaced: name → bytes, or a callable writing to the
    member's stream (so a gigabyte is deflated chunk by chunk, never held)."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(workbook_bytes())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = replace.get(item.filename, source.read(item.filename))
            if callable(content):
                with target.open(item.filename, "w", force_zip64=True) as member:
                    content(member)
            else:
                target.writestr(item.filename, content)
    return out.getvalue()


def zeros(member, total=1024 ** 3, chunk=b"0" * (8 * 1024 * 1024)) -> None:
    """The first sheet with a cell of a gigabyte of "0": valid XML that openpyxl would hold whole."""
    head, tail = sheet_xml('<row r="2"><c r="A2" t="inlineStr"><is><t>DATA</t></is></c></row>').split("DATA")
    member.write(head.encode())
    for _ in range(total // len(chunk)):
        member.write(chunk)
    member.write(tail.encode())


def sheet_xml(rows: str, dimension: str = "A1:C2") -> str:
    header = ('<row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c><c r="B1" t="inlineStr"><is><t>企业名称'
              '</t></is></c><c r="C1" t="inlineStr"><is><t>行业领域</t></is></c></row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{header}{rows}</sheetData></worksheet>')


DATA_ROW = ('<row r="2"><c r="A2" t="inlineStr"><is><t>对俄木材深加工项目</t></is></c><c r="B2" t="inlineStr"><is><t>'
            '绥芬河市远东木业有限公司</t></is></c></row>')

FAR_ROW = '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>'


def hostile_files() -> dict[str, tuple[bytes, str]]:
    """name → (file, the message the import page must show)."""
    # Honest dimensions: openpyxl stops at a declared last row, so a lying one hid these rows.
    numbered = "".join(f'<row r="{n}"/>' for n in range(3, 1_048_577))  # compresses under the ratio limit
    return {
        "zip bomb": (rebuilt({SHEET: zeros}), "解压后过大"),
        "declared A1:Z2000000": (rebuilt({SHEET: sheet_xml(DATA_ROW, "A1:Z2000000")}), "超过 Excel 的上限"),
        "2M empty rows": (rebuilt({SHEET: sheet_xml(DATA_ROW + "<row/>" * 2_000_000, "A1:C2000002")}), "解压后过大"),
        "1M numbered empty rows": (rebuilt({SHEET: sheet_xml(DATA_ROW + numbered, "A1:C1048576")}),
                                   "行数（含空行）过多"),
        "a row a million below": (rebuilt({SHEET: sheet_xml(DATA_ROW + FAR_ROW, "A1:C1000000")}), "行数（含空行）过多"),
        "not a zip": (b"PK\x03\x04" + bytes(range(256)) * 64, "无法读取该文件"),
        "zip without a workbook": (_zip_of({"hello.txt": b"hello"}), "无法读取该文件"),
    }


def _zip_of(members: dict[str, bytes]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.fixture(scope="module")
def files():
    return hostile_files()


def post(client, url: str, content: bytes):
    return client.post(url, data={"file": (BytesIO(content), "清单.xlsx")}, content_type="multipart/form-data")


def measured(client, url: str, content: bytes):
    """(response, seconds, peak bytes allocated) of one import: timed without tracemalloc (which
    slows Python down), then traced in a second, identical request."""
    start = time.perf_counter()
    resp = post(client, url, content)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        post(client, url, content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return resp, seconds, peak


@pytest.mark.parametrize("name", ["zip bomb", "declared A1:Z2000000", "2M empty rows", "1M numbered empty rows",
                                  "a row a million below",
                                  "not a zip", "zip without a workbook"])
@pytest.mark.parametrize("url", list(IMPORTS))
def test_a_hostile_upload_is_refused_fast_and_small(client, login, files, url, name):
    login("staff")
    factories.sector("biomed")
    content, message = files[name]
    assert len(content) < 10 * 1024 * 1024  # within the upload limit: the reader must cope
    resp, seconds, peak = measured(client, url, content)
    html = resp.get_data(as_text=True)
    print(f"{url} {name}: {len(content) / 1024:.0f} KB, {seconds:.3f} s, peak {peak / 1024 / 1024:.1f} MB")
    assert resp.status_code == 200 and message in html, re.findall(r'invalid-feedback[^>]*>(.*?)</div>', html)
    assert seconds < SECONDS and peak < EXTRA_BYTES
    assert IMPORTS[url].query.count() == 0


def test_blank_rows_among_the_data_are_still_read(client, login):
    """The limits do not refuse what the office sends: rows, then blank formatted rows."""
    login("staff")
    rows = "".join(f'<row r="{n}"><c r="B{n}" t="inlineStr"><is><t>绥芬河市第{n}号贸易有限公司</t></is></c></row>'
                   for n in range(2, 302)) + "".join(f'<row r="{n}"/>' for n in range(302, 5000))
    resp = post(client, "/enterprises/import", rebuilt({SHEET: sheet_xml(rows, "A1:C5000")}))
    assert resp.status_code == 302, re.findall(r"<td[^>]*>(.*?)</td>", resp.get_data(as_text=True))[:12]
    assert client.post(resp.location + "/apply").status_code == 302
    assert Enterprise.query.count() == 300
