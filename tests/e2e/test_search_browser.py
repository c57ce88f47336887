"""The top bar's search in a real browser: found as you type, by Chinese, by pinyin initials and by
a foreign partner's name; keyboard navigation; the phone's magnifier; what an officer may see;
and the step count of "staff finds an enterprise by part of its name and opens it" (issue 24:
4 → 2), counted from the home page: one step per click, tap or key that is not typing into the
field that has the focus."""
from __future__ import annotations

from tests import factories

PHONE = {"width": 390, "height": 844}
OPTION = "#app-search-list [role=option]"


class Steps:
    """The user's actions on a page, counted as the issue counts them."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, selector: str) -> None:
        self.count += 1
        self.page.click(selector)

    def key(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        """Typing into the focused field is free."""
        self.page.keyboard.type(text, delay=20)


def _suggestion(page, title: str) -> str:
    selector = f"{OPTION}:has-text('{title}')"
    page.wait_for_selector(selector)
    return selector


def _world(users):
    amur = factories.enterprise(name="阿穆尔农业控股有限公司", name_en="Amur Agro Holding",
                                name_ru="Амурагрохолдинг", country="俄罗斯")
    runhong = factories.enterprise(name="绥芬河市润宏经贸有限公司", region="黑龙江省绥芬河市")
    soy = factories.project(name="绥芬河大豆精深加工项目", lead_department=users["officer"].department,
                            investors=[amur])
    fungus = factories.foreign_project(name="东宁黑木耳产业园项目")
    return {"amur": amur, "runhong": runhong, "soy": soy, "fungus": fungus}


def test_staff_finds_an_enterprise_by_part_of_its_name_and_opens_it_in_two_steps(visit, users):
    world = _world(users)
    v = visit()
    v.sign_in(users["staff"])
    v.go("/")
    steps = Steps(v.page)
    steps.click("#app-search-q")
    steps.type("润宏")
    steps.click(_suggestion(v.page, "绥芬河市润宏经贸有限公司"))
    v.page.wait_for_url(f"**/enterprises/{world['runhong'].id}")
    assert steps.count == 2
    v.assert_clean()


def test_a_project_is_found_by_chinese_by_pinyin_initials_and_by_a_foreign_partners_name(visit, users):
    world = _world(users)
    v = visit()
    v.sign_in(users["staff"])
    for typed in ("大豆", "sfhdd", "Amur"):
        v.go("/")
        steps = Steps(v.page)
        steps.key("/")  # the box is not focused yet: the key is a step
        steps.type(typed)
        steps.click(_suggestion(v.page, "绥芬河大豆精深加工项目"))
        v.page.wait_for_url(f"**/projects/{world['soy'].id}")
        assert steps.count == 2, typed
    v.assert_clean()


def test_the_keyboard_moves_through_the_suggestions_and_enter_alone_shows_every_result(visit, users):
    world = _world(users)
    v = visit()
    v.sign_in(users["staff"])
    v.go("/projects/")
    v.page.keyboard.press("/")
    v.page.keyboard.type("dnhm", delay=20)
    _suggestion(v.page, "东宁黑木耳产业园项目")
    box = v.page.locator("#app-search-q")
    assert box.get_attribute("aria-expanded") == "true"
    v.page.keyboard.press("ArrowDown")
    first = v.page.locator(OPTION).first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    v.page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    v.page.keyboard.press("Enter")  # nothing chosen: the full results page
    v.page.wait_for_url("**/search?q=dnhm")
    assert "东宁黑木耳产业园项目" in v.page.locator("main").inner_text()
    v.page.click("main a:has-text('东宁黑木耳产业园项目')")
    v.page.wait_for_url(f"**/projects/{world['fungus'].id}")
    v.assert_clean()


def test_the_slash_key_leaves_other_fields_alone(visit, users):
    v = visit()
    v.sign_in(users["staff"])
    v.go("/enterprises/")
    field = v.page.locator("main input[name=q]")
    field.click()
    v.page.keyboard.type("a/b")
    assert field.input_value() == "a/b"
    assert v.page.evaluate("document.activeElement.name") == "q" and v.page.locator("#app-search-q").input_value() == ""
    v.assert_clean()


def test_an_officer_does_not_find_another_departments_project(visit, users):
    world = _world(users)
    v = visit()
    v.sign_in(users["officer"])
    v.page.click("#app-search-q")
    v.page.keyboard.type("项目", delay=20)
    _suggestion(v.page, world["soy"].name)
    assert "东宁黑木耳" not in v.page.locator("#app-search-list").inner_text()
    v.assert_clean()


def test_on_a_phone_the_magnifier_opens_the_field_and_a_tap_opens_the_result(visit, users):
    world = _world(users)
    v = visit(PHONE)
    v.sign_in(users["staff"])
    v.go("/")
    assert not v.page.locator("#app-search-q").is_visible()
    toggler = v.page.locator(".navbar-toggler").bounding_box()
    brand = v.page.locator(".navbar-brand").bounding_box()
    assert toggler["y"] < brand["y"] + brand["height"]  # the menu button stays on the brand's row
    steps = Steps(v.page)
    steps.click(".app-navbar .d-lg-none .app-search-opener")
    steps.type("Амур")
    suggestion = _suggestion(v.page, "阿穆尔农业控股有限公司")
    assert v.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sticks out
    steps.click(suggestion)
    v.page.wait_for_url(f"**/enterprises/{world['amur'].id}")
    assert steps.count == 2
    v.assert_clean()


def test_in_english_the_bar_keeps_its_buttons_and_the_magnifier_opens_the_search(visit, users):
    world = _world(users)
    v = visit({"width": 1366, "height": 800})
    v.sign_in(users["admin"])
    v.go("/lang/en")
    v.go("/")
    # English words are longer: below 1400 px the bar folds into its menu, and nothing runs off screen.
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert v.page.locator(".navbar-toggler").is_visible()
    assert not v.page.locator("#app-search-q").is_visible()
    steps = Steps(v.page)
    steps.click(".app-navbar .d-xxl-none .app-search-opener")
    steps.type("Amur")
    steps.click(_suggestion(v.page, "Amur Agro Holding"))  # the English UI shows the English name
    v.page.wait_for_url(f"**/enterprises/{world['amur'].id}")
    assert steps.count == 2
    v.page.keyboard.press("/")
    assert v.page.locator("#app-search-q").is_visible()
    v.page.keyboard.press("Escape")
    assert not v.page.locator("#app-search-q").is_visible()
    v.assert_clean()
