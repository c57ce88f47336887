"""At phone width (390 × 844) a table's rows become cards: each value sits beside its column's
heading, no column is squeezed to a character a line, and the page stays within the screen."""
from __future__ import annotations

from tests import factories

PHONE = {"width": 390, "height": 844}
# Cells narrower than two Chinese characters that still hold text: a squeezed column.
SQUEEZED = """Array.from(document.querySelectorAll('main td, main th')).filter(c => {
  const w = c.getBoundingClientRect().width; return c.offsetParent && w > 0 && w < 28 && c.textContent.trim().length > 1;
}).length"""


def test_on_a_phone_table_rows_become_labelled_cards_within_the_screen(visit, users):
    dept = users["officer"].department
    for n in range(3):
        project = factories.project(name=f"手机宽度测试项目{n}", lead_department=dept)
        factories.problem(project=project, description="用地指标尚未落实，需协调自然资源局办理" * 2)
    v = visit(PHONE)
    v.sign_in(users["staff"])
    for path in ("/projects/", "/routines/problems", "/routines/ranking", "/enterprises/"):
        v.go(path)
        assert v.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert v.page.evaluate(SQUEEZED) == 0, path
    v.go("/projects/")
    first = v.page.locator("main table.table tbody tr").first
    assert first.evaluate("row => getComputedStyle(row).display") == "block"
    labels = first.locator("td[data-label]").evaluate_all("cells => cells.map(c => c.dataset.label)")
    assert "项目名称" in labels or any("项目" in label for label in labels), labels
    v.assert_clean()
