"""Every page of the app, as each role, read in a real browser for words a Chinese reader must never
see: an id label ("id：", "Project.created_at"), an ISO week or quarter code ("2026-W50", "2026-Q4"),
an RFC date ("Mon, 07 Dec 2026 …"), a leftover English word ("default", "worker", "None" …), and a
money label in 万元 beside a value in 亿元.

The pages come from app.url_map's GET routes with the URL arguments of tests/access_policy.py's
SAMPLES, so a new page joins the walk by itself.  Only pages that answer 200 with HTML are read.
"""
from __future__ import annotations

import re

import pytest

from crm.extensions import db
from tests.e2e import walk

ROLES = walk.ROLES
# Words a Chinese page showed in English before; each must come from a translation now.
LEFTOVERS = ("default", "mail", "worker", "workers", "queue", "queued", "failed", "finished", "started",
             "deferred", "scheduled", "system", "cli", "seed", "None", "True", "False", "null", "undefined", "nan", "Invalid Date")
PATTERNS = {
    "id label": re.compile(r"(?<![A-Za-z_])id\s*[：:]", re.IGNORECASE),
    "model attribute": re.compile(r"\b(?:Project|Enterprise|User|Problem|ProgressReport|Interaction|Instruction"
                                  r"|Goal|Chain|ChainLink|AuditEvent)\.[a-z_]+"),
    "ISO week": re.compile(r"\b\d{4}-W\d{1,2}\b"),
    "ISO quarter": re.compile(r"\b\d{4}-Q[1-4]\b"),
    "RFC date": re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4}"),
    "English leftover": re.compile(r"(?<![A-Za-z_@./-])(?:" + "|".join(map(re.escape, LEFTOVERS))
                                  + r")(?![A-Za-z_@.-])"),
}

# The rows a reader takes as one statement: table rows (with their column's header), list items,
# a term with its description, a paragraph.
ROWS_JS = """() => {
  const rows = [];
  for (const table of document.querySelectorAll('table')) {
    const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText);
    for (const tr of table.querySelectorAll('tbody tr')) {
      const cells = [...tr.children];
      rows.push(cells.map((td, i) => (heads[i] || '') + ' ' + td.innerText).join(' | '));
    }
  }
  for (const el of document.querySelectorAll('li:not(:has(li)), p, dd')) rows.push(el.innerText);
  for (const dt of document.querySelectorAll('dt')) {
    const dd = dt.nextElementSibling; rows.push(dt.innerText + ' ' + (dd ? dd.innerText : ''));
  }
  return rows;
}"""


def problems_in(text: str, rows: list[str]) -> list[str]:
    """What a Chinese reader must not see on a page: (kind, the offending text) as lines."""
    found = [f"{kind}: {m.group(0)!r}" for kind, pattern in PATTERNS.items() for m in pattern.finditer(text)]
    found += [f"unit: {row.strip()[:120]!r}" for row in rows if "（万元）" in row and "亿元" in row]
    return found


def test_the_checker_catches_each_leftover():
    bad = ("id：6", "Project.created_at", "2026-W50", "2026-Q4", "Mon, 07 Dec 2026 23:15:59 +0800",
           "队列 default", "运行中的 worker", "状态 None")
    for text in bad:
        assert problems_in(text, []), text
    assert problems_in("", ["总投资（万元） 10 亿元"])
    good = "2026年第50周（12月7日–13日） 2026年第四季度 总投资 10 亿元 email admin@mail.example.cn started_on"
    assert problems_in(good, ["总投资 10 亿元", "总投资（万元） 3,000"]) == []


@pytest.mark.parametrize("role, lang", [(role, "zh") for role in ROLES] + [("admin", "en")])
def test_no_page_shows_ids_codes_or_english_leftovers(app, visit, users, role, lang):
    """Chinese pages for every role; the English UI too, where English words are right but ids,
    ISO codes and RFC dates are not."""
    urls = walk.rich_data(users) + walk.page_urls(app, users)
    db.session.commit()
    v = visit()
    v.sign_in(users[role])
    if lang == "en":
        v.go("/lang/en")
    failures, read = [], 0
    for url in walk.html_pages(v, urls):
        read += 1
        text = v.page.inner_text("body")
        found = problems_in(text, v.page.evaluate(ROWS_JS))
        if lang == "en":
            found = [line for line in found if not line.startswith("English leftover")]
        failures += [f"{url}: {line}" for line in found]
    assert read > 20, f"only {read} pages read as {role}"
    assert not failures, "\n".join(failures)
    v.assert_clean()


def test_the_web_font_is_served_and_used_after_the_system_fonts(visit, users):
    """The bundled Noto Sans SC subset loads from the app (no CDN), as WOFF2 of a few MB at most,
    and is the last Chinese font before the generic family."""
    v = visit()
    v.sign_in(users["staff"])
    v.go("/enterprises/")
    family = v.page.evaluate("() => getComputedStyle(document.body).fontFamily")
    names = [name.strip().strip('"') for name in family.split(",")]
    assert names.index("App Noto Sans SC") == len(names) - 2 and names[-1] == "sans-serif"
    assert names.index("PingFang SC") < names.index("App Noto Sans SC")
    loaded = v.page.evaluate("""async () => {
      const faces = await document.fonts.load('16px "App Noto Sans SC"', '招商项目管家');
      return faces.map(f => f.status + ' ' + f.display);
    }""")
    assert loaded and all(face == "loaded swap" for face in loaded), loaded
    fonts = [url for status, url in v.statuses if url.endswith(".woff2")]
    assert fonts and all(status in (200, 304) for status, url in v.statuses if url.endswith(".woff2"))
    for url in set(fonts):
        size = len(v.page.request.get(url).body())
        assert 200_000 < size < 3_000_000, (url, size)
    v.assert_clean()
