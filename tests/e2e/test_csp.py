"""Every role's main pages run in a real browser under the app's Content-Security-Policy
(crm/web/security_headers.py) with no violation and no script error, and what the scripts do still
works: the charts draw (tooltips too), the confirm dialogs ask before deleting, the print
button prints, the admin's framed digest preview and mail view load.

A violation is caught twice: the page's own `securitypolicyviolation` event, reported through a
binding, and the error Chromium writes to the console for it (as for any script error).
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Contact
from tests import factories

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" "));
});
"""
# Headless chromium has no printer: count the calls instead of opening a dialog.
COUNT_PRINTS = "window.print = function () { window.printed = (window.printed || 0) + 1; };"


class Watched:
    """A signed-in browser page that notes every CSP violation, console error and page error,
    each with the path it happened on."""

    def __init__(self, v):
        self.v, self.page, self.path = v, v.page, ""
        self.problems: list[str] = []
        self.page.expose_function("cspViolation", lambda text: self.problems.append(f"{self.path}: CSP {text}"))
        self.page.add_init_script(REPORT_VIOLATIONS)
        self.page.add_init_script(COUNT_PRINTS)
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"{self.path}: {m.text}"))
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.path}: {error}"))

    def go(self, path: str) -> None:
        self.path = path
        response = self.v.go(path)
        assert response.status < 400, (path, response.status)
        self.page.wait_for_load_state("load")

    def tour(self, paths) -> None:
        for path in paths:
            self.go(path)

    def assert_clean(self) -> None:
        assert self.problems == []
        self.v.assert_clean()


@pytest.fixture
def watched(visit, users):
    def _open(role: str) -> Watched:
        v = visit()
        w = Watched(v)
        w.path = "/auth/login"
        v.sign_in(users[role])
        return w
    return _open


@pytest.fixture
def records(users):
    """A little of everything the main pages list, so their scripts have something to work on."""
    firm = factories.enterprise(name="绥芬河市润宏经贸有限公司")
    factories.contact(firm, name="王经理")
    project = factories.project(name="俄粮油脂化工厂项目", stage="signed", owner=users["staff"],
                                lead_department=users["officer"].department, liaison_leader=users["leader"])
    project.investors.append(firm)
    factories.project(name="木材深加工项目", stage="contact")
    factories.interaction(firm, project=project)
    factories.problem(project)
    factories.innovation_platform(name="黑龙江省生物工程技术研究中心")
    factories.goal(name="生物经济总产值", target=100)
    db.session.commit()
    return {"firm": firm, "project": project}


def test_staff_pages_run_under_the_policy(watched, records):
    w = watched("staff")
    w.tour(["/", "/enterprises/", f"/enterprises/{records['firm'].id}", "/enterprises/new", "/projects/",
            f"/projects/{records['project'].id}", f"/projects/{records['project'].id}/edit", "/pipeline/",
            "/dashboard", "/routines/dispatch", "/routines/problems", "/routines/problems/new",
            "/routines/ranking", "/interactions/new", "/notifications/", "/brochures/catalog"])
    w.assert_clean()


def test_officer_and_leader_pages_run_under_the_policy(watched, records):
    officer = watched("officer")
    officer.tour(["/", "/projects/", f"/projects/{records['project'].id}", "/pipeline/", "/dashboard",
                  "/routines/dispatch", "/routines/problems", "/routines/ranking", "/leaders/instructions"])
    officer.assert_clean()
    leader = watched("leader")
    leader.tour(["/", "/leaders/", f"/projects/{records['project'].id}", "/pipeline/", "/dashboard",
                 "/routines/ranking"])
    leader.assert_clean()


def test_admin_pages_run_under_the_policy_and_their_frames_load(watched, records, users):
    mail = factories.eml_file(subject="【招商项目管家】跟进提醒")
    w = watched("admin")
    w.tour(["/", "/admin/", "/admin/users", "/admin/users/new", "/admin/liaison", "/admin/reminders",
            "/admin/jobs/", "/admin/mail/", "/pool-reviews", "/dashboard/platforms", "/dashboard/cohorts",
            "/routines/ranking/weights"])
    # The weekly digest preview: our own page frames the digest and its chart image.
    w.go(f"/admin/digest/preview?user_id={users['staff'].id}")
    digest = w.page.frame_locator("iframe")
    digest.locator("img").wait_for()
    assert digest.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    # A sent mail in a script-less sandbox, from srcdoc.
    w.go(f"/admin/mail/{mail}")
    assert w.page.frame_locator("iframe").locator("p").inner_text() == "正文"
    w.assert_clean()


def test_the_charts_draw_and_show_their_tooltips_under_the_policy(watched, records):
    w = watched("admin")
    w.go("/dashboard")
    for chart in ("chart-funnel", "chart-sectors", "chart-moves"):
        canvas = w.page.locator(f"#{chart} canvas")
        canvas.wait_for()
        assert canvas.evaluate("c => c.width > 0 && c.height > 0"), chart
    # ECharts writes its tooltip as HTML with style attributes: hover one and see it drawn.
    box = w.page.locator("#chart-funnel").bounding_box()
    w.page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    w.page.wait_for_function("() => document.querySelector('#chart-funnel').innerText.includes('总投资（万元）')")
    w.assert_clean()


def test_confirm_dialogs_ask_before_deleting_and_cancel_keeps_the_record(watched, records):
    w = watched("staff")
    w.go(f"/enterprises/{records['firm'].id}")
    asked: list[str] = []

    def answer(accept: bool):
        def _answer(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return _answer

    delete = w.page.locator("form[data-confirm] button[type=submit]")
    w.page.once("dialog", answer(False))
    delete.click()
    w.page.wait_for_timeout(300)  # a cancelled submit sends nothing: give it time to prove it
    assert asked == ["确定删除该联系人？"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1

    w.page.once("dialog", answer(True))
    with w.page.expect_navigation():
        delete.click()
    assert asked == ["确定删除该联系人？"] * 2
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0
    w.assert_clean()


def test_the_platform_delete_asks_first_and_the_ranking_print_button_prints(watched, records):
    w = watched("admin")
    w.go("/dashboard/platforms")
    asked: list[str] = []
    w.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    w.page.locator("form[data-confirm] button").click()
    w.page.wait_for_timeout(300)
    assert asked == ["确定删除该平台？"]
    assert "黑龙江省生物工程技术研究中心" in w.page.content()

    w.go("/routines/ranking")
    w.page.click("button[data-print]")
    assert w.page.evaluate("window.printed") == 1
    w.assert_clean()
