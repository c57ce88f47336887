"""notify(): the in-app row and its email job are one transaction; reading marks them read."""
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Notification, OutboxMessage
from crm.services.core.clock import utcnow
from crm.services.messaging import notify
from tests import factories


def test_a_notification_and_its_email_job_commit_together(app):
    user = factories.user("leader", display_name="陈副市长")
    note = notify.notify(user, kind="liaison.assigned", title="您有新的包联项目：中药材加工", body="请查看",
                         url="/leaders/")
    db.session.commit()
    row = db.session.scalar(sa.select(OutboxMessage))
    assert (row.job, row.payload, row.status) == ("mail.notification", {"notification_ids": [note.id]}, "pending")


def test_a_rolled_back_action_sends_nothing(app):
    user = factories.user("staff")
    notify.notify(user, kind="x", title="标题")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_user_without_email_gets_only_the_in_app_notification(app):
    notify.notify(factories.user("staff", email=None), kind="x", title="标题")
    db.session.commit()
    assert Notification.query.count() == 1 and OutboxMessage.query.count() == 0


def test_the_email_is_html_and_text_with_absolute_links(app, settings):
    user = factories.user("staff", display_name="王招商")
    note = notify.notify(user, kind="x", title="跟进到期：<b>润宏</b>", body="约定的跟进日期：2026-11-28", url="/enterprises/7")
    msg = notify.render_email([note.id], settings)
    assert msg["Subject"] == "【招商项目管家】跟进到期：<b>润宏</b>"
    html = msg.get_body(("html",)).get_content()
    assert "http://crm.test/enterprises/7" in html and "&lt;b&gt;润宏" in html and "<b>润宏" not in html
    assert "王招商，您好" in msg.get_body(("plain",)).get_content()
    custom = notify.render_email([note.id], settings, html="<p>自定义</p>")
    assert "自定义" in custom.get_body(("html",)).get_content()


def test_mail_to_a_disabled_user_is_skipped(app, settings):
    user = factories.user("staff")
    note = notify.notify(user, kind="x", title="标题")
    user.is_enabled = False
    db.session.commit()
    assert notify.send_email([note.id], settings) == "skipped"


def test_mark_read_touches_only_the_users_own_notifications(app):
    me, other = factories.user("staff"), factories.user("staff")
    mine = [factories.notification(me) for _ in range(3)]
    theirs = factories.notification(other)
    assert notify.unread_count(me.id) == 3
    assert notify.mark_read(me.id, theirs.id) == 0
    assert notify.mark_read(me.id, mine[0].id) == 1 and notify.unread_count(me.id) == 2
    assert notify.mark_read(me.id) == 2 and notify.unread_count(me.id) == 0 and notify.unread_count(other.id) == 1


def test_the_count_stops_at_the_cap_but_not_without_one(app):
    me = factories.user("staff")
    for _ in range(7):
        factories.notification(me, commit=False)
    factories.notification(me, read_at=utcnow())
    assert notify.unread_count(me.id) == 7
    assert notify.unread_count(me.id, cap=5) == 5 and notify.unread_count(me.id, cap=10) == 7

