"""The board's drag-and-drop in a real browser (chromium): a card dropped on the next column
opens the project page's stage form in a dialog, focused where typing starts, and the move is
recorded with its evidence; a skip is refused before any form, the card goes back and the
server's reason is shown.  The first test also counts the steps of the office's core task
"staff moves a 洽谈 project to 签约 with amount and evidence" from staff's home page (issue 24:
one step per click, tap, drag or choice; typing into the field that has focus is free)."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from crm.extensions import db
from crm.models import EvidenceFile, Project, StageEvent
from tests import factories

PHONE = {"width": 390, "height": 844}
# A one-page PDF, as a scanned agreement is uploaded.
CONTRACT_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def column(v, stage: str):
    return v.page.locator(f".board-col[data-stage={stage}]")


def drag(v, card, stage: str) -> None:
    """Press, move in small steps (SortableJS starts a drag after a few pixels), release over
    the column's card list: what a mouse does, so Sortable sees the same events."""
    start, target = card.bounding_box(), column(v, stage).locator("[data-drop]").bounding_box()
    v.page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    v.page.mouse.down()
    v.page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2 + 10, steps=5)
    v.page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 40, steps=15)
    v.page.mouse.up()


def drop_new_card(visit, user, name: str, stage: str, viewport=None):
    """A new 谋划 project's card dragged on the board, as `user`, to the `stage` column."""
    project = factories.project(name=name, stage="planned")
    v = visit(viewport)
    v.sign_in(user)
    v.go("/pipeline/")
    drag(v, column(v, "planned").locator(".board-card", has_text=name), stage)
    return v, project


def test_staff_drag_a_card_to_the_next_stage_and_sign_it_in_four_steps(visit, users):
    project = factories.project(name="俄粮油脂化工厂项目", stage="contact", contacted_on=date(2025, 1, 1),
                                owner=users["staff"])
    factories.project(name="木材深加工项目", stage="contact", contacted_on=date(2025, 1, 1))
    v = visit()
    v.sign_in(users["staff"])
    v.go("/")
    steps = 0

    v.page.click("nav >> a:has-text('看板') >> visible=true")
    steps += 1
    v.page.wait_for_url("**/pipeline/")
    assert "1 个" not in column(v, "signed").locator(".card-header").inner_text()
    card = column(v, "contact").locator(".board-card", has_text="俄粮油脂化工厂项目")
    drag(v, card, "signed")
    steps += 1
    dialog = v.page.locator("#stage-dialog")
    dialog.locator("form#stage-form").wait_for(state="visible")
    assert "俄粮油脂化工厂项目" in dialog.locator(".modal-title").inner_text()
    assert dialog.locator("select[name=to_stage]").input_value() == "signed"
    # The form opens with the cursor in 签约金额, the first field the signing still needs.
    v.page.wait_for_function("() => document.activeElement && document.activeElement.name === 'contract_amount'")
    v.page.keyboard.type("8000")
    # The evidence is the signed agreement itself: one choice of a file (签约 needs one by default).
    dialog.locator("input[name=files]").set_input_files(
        {"name": "投资合作协议JHZX-2026-101.pdf", "mimeType": "application/pdf", "buffer": CONTRACT_PDF})
    steps += 1
    # The dialog is the confirmation the drop asked for: its button records the move.
    dialog.locator("button[type=submit]", has_text="确认变更").click()
    steps += 1

    status = v.page.locator("#board-status.alert-success")
    status.wait_for()
    assert status.inner_text() == "已记录阶段变更：洽谈 → 签约。"
    v.page.wait_for_function("() => document.querySelector('.board-col[data-stage=signed] .card-header')"
                             ".textContent.includes('1 个')")
    expect(column(v, "signed").locator(".board-card", has_text="俄粮油脂化工厂项目")).to_have_count(1)
    expect(column(v, "contact").locator(".board-card", has_text="俄粮油脂化工厂项目")).to_have_count(0)
    assert "1 个" in column(v, "contact").locator(".card-header").inner_text()
    expect(dialog).to_be_hidden()  # after its fade
    assert steps <= 4, steps
    db.session.expire_all()
    event = StageEvent.query.filter_by(project_id=project.id).one()
    assert (event.from_stage, event.to_stage) == ("contact", "signed")
    assert event.contract_amount == 8000
    assert [f.display_name for f in EvidenceFile.query.filter_by(kind="stage", stage_event_id=event.id)] == [
        "投资合作协议JHZX-2026-101.pdf"]
    assert db.session.get(Project, project.id).stage == "signed"
    v.assert_clean()


def test_a_skip_by_staff_is_refused_the_card_goes_back_and_the_reason_is_shown(visit, users):
    v, project = drop_new_card(visit, users["staff"], "食用菌加工项目", "signed")
    status = v.page.locator("#board-status.alert-danger")
    status.wait_for()
    assert status.inner_text() == "只能逐级推进一个阶段；跳级或回退须由管理员操作并说明原因。"
    expect(column(v, "planned").locator(".board-card", has_text="食用菌加工项目")).to_have_count(1)
    expect(column(v, "signed").locator(".board-card")).to_have_count(0)
    assert v.page.locator("#stage-dialog").is_hidden()
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "planned" and StageEvent.query.count() == 0
    v.assert_clean()


def test_a_cancelled_dialog_puts_the_card_back_and_saves_nothing(visit, users):
    v, project = drop_new_card(visit, users["staff"], "跨境电商产业园项目", "contact", PHONE)
    dialog = v.page.locator("#stage-dialog")
    dialog.locator("form#stage-form").wait_for(state="visible")
    # Shown (its fade over, the cursor in 依据/佐证, 洽谈 asking for nothing else): Bootstrap
    # ignores a close while the dialog is still fading in.
    v.page.wait_for_function("() => document.activeElement && document.activeElement.name === 'evidence'")
    dialog.locator(".btn-close").click()
    dialog.wait_for(state="hidden")
    expect(column(v, "planned").locator(".board-card", has_text="跨境电商产业园项目")).to_have_count(1)
    expect(column(v, "contact").locator(".board-card")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "planned" and StageEvent.query.count() == 0
    v.assert_clean()


def test_an_admin_skip_asks_for_its_reason_in_the_dialog_and_is_then_recorded(visit, users):
    v, project = drop_new_card(visit, users["admin"], "中医药保健医院项目", "signed")
    dialog = v.page.locator("#stage-dialog")
    dialog.locator("form#stage-form").wait_for(state="visible")
    v.page.wait_for_function("() => document.activeElement && document.activeElement.name === 'contract_amount'")
    v.page.keyboard.type("3000")
    dialog.locator("input[name=files]").set_input_files(
        {"name": "投资协议.pdf", "mimeType": "application/pdf", "buffer": CONTRACT_PDF})
    dialog.locator("button[type=submit]").click()  # no reason: the server says so, in the dialog
    expect(dialog.locator(".invalid-feedback")).to_have_text("跳级、回退或恢复已终止项目必须填写原因。")
    v.page.wait_for_function("() => document.activeElement && document.activeElement.name === 'reason'")
    assert dialog.locator("input[name=contract_amount]").input_value() == "3000"  # what was typed stays
    db.session.expire_all()
    assert StageEvent.query.count() == 0
    v.page.keyboard.type("市政府专题会议决定直接签约")
    # A refused form cannot keep a chosen file (browsers never refill a file input): choose it again.
    dialog.locator("input[name=files]").set_input_files(
        {"name": "投资协议.pdf", "mimeType": "application/pdf", "buffer": CONTRACT_PDF})
    dialog.locator("button[type=submit]").click()
    v.page.locator("#board-status.alert-success").wait_for()
    expect(column(v, "signed").locator(".board-card", has_text="中医药保健医院项目")).to_have_count(1)
    db.session.expire_all()
    event = StageEvent.query.filter_by(project_id=project.id).one()
    assert event.is_override and event.reason == "市政府专题会议决定直接签约" and event.contract_amount == 3000
    v.assert_clean()


def test_on_a_phone_a_long_press_drags_a_card_by_touch(visit, users):
    """Touch events as a phone sends them (Chrome DevTools Protocol): press, hold past the
    long-press delay, move to the next column, lift; the dialog opens for that stage."""
    factories.project(name="绥芬河市热气电联产项目", stage="planned")
    v = visit(PHONE, is_mobile=True, has_touch=True)
    v.sign_in(users["staff"])
    v.go("/pipeline/")
    card = column(v, "planned").locator(".board-card", has_text="绥芬河市热气电联产项目")
    start, target = card.bounding_box(), column(v, "contact").locator("[data-drop]").bounding_box()
    touch = v.page.context.new_cdp_session(v.page)

    def send(kind, x, y):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    x, y = start["x"] + 40, start["y"] + 30
    send("touchStart", x, y)
    v.page.wait_for_timeout(400)  # past the long press that tells a drag from a scroll
    for step in range(1, 16):
        send("touchMove", x + (target["x"] + 40 - x) * step / 15, y + 10 * step / 15)
        v.page.wait_for_timeout(20)
    send("touchEnd", 0, 0)
    dialog = v.page.locator("#stage-dialog")
    dialog.locator("form#stage-form").wait_for(state="visible")
    assert dialog.locator("select[name=to_stage]").input_value() == "contact"
    v.assert_clean()


def test_a_dialog_form_that_asks_first_is_sent_only_when_confirmed(visit, users):
    """page_actions.js's data-confirm (which a stage form may carry) works in the dialog too."""
    v, project = drop_new_card(visit, users["staff"], "海产品加工项目", "contact")
    form = v.page.locator("#stage-dialog form#stage-form")
    form.wait_for(state="visible")
    form.evaluate("f => f.setAttribute('data-confirm', '确定记录？')")
    v.page.once("dialog", lambda asked: asked.dismiss())
    form.locator("button[type=submit]").click()
    v.page.wait_for_timeout(300)
    db.session.expire_all()
    assert StageEvent.query.count() == 0 and form.is_visible()
    v.page.once("dialog", lambda asked: asked.accept())
    form.locator("button[type=submit]").click()
    v.page.locator("#board-status.alert-success").wait_for()
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "contact"
    v.assert_clean()
