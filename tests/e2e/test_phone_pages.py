"""Every page of the app at phone width (390 × 844), as each role: nothing runs off the right
edge and no table cell is squeezed narrower than two Chinese characters (tables become labelled
cards under 576 px, charts resize).  The pages are tests/e2e/walk.py's, so a new page joins."""
from __future__ import annotations

import pytest

from crm.extensions import db
from tests.e2e import walk
from tests.e2e.test_phone_tables import PHONE, SQUEEZED

# Whatever sticks out past the screen's right edge, named so a failure says where to look.
WIDE = """() => { const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]
  .filter(el => el.offsetParent && el.getBoundingClientRect().right > w + 1
          && !el.closest('.table-responsive, .overflow-auto, .dropdown-menu:not(.show), .visually-hidden'))
  .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
          + ' ' + (el.innerText || '').slice(0, 20)); }"""


@pytest.mark.parametrize("role", walk.ROLES)
def test_every_page_fits_a_phone_screen(app, visit, users, role):
    urls = walk.rich_data(users) + walk.page_urls(app, users)
    db.session.commit()
    v = visit(PHONE)
    v.sign_in(users[role])
    failures, read = [], 0
    for url in walk.html_pages(v, urls):
        read += 1
        v.page.wait_for_load_state("load")
        width = v.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            failures.append(f"{url}: {width} px wide: {v.page.evaluate(WIDE)}")
        squeezed = v.page.evaluate(SQUEEZED)
        if squeezed:
            failures.append(f"{url}: {squeezed} table cells narrower than two characters")
    assert read > 20, f"only {read} pages read as {role}"
    assert not failures, "\n".join(failures)
    v.assert_clean()
