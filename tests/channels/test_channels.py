"""企业微信 / 钉钉 robots against a real HTTP receiver on 127.0.0.1: each vendor's payload shape,
signature and length limit, escaping of user text, retries, timeouts, pausing and at-most-once,
and the whole path through the outbox and a real RQ worker."""
from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import replace
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import ChannelDelivery, ChannelSubscription
from crm.services import pipeline
from crm.services.core.clock import local_today
from crm.services.messaging import outbox
from crm.services.messaging.channels import deliveries, formats
from tests import factories
from tests.conftest import run_worker

NASTY = "<@all> **冷链**[点我](http://evil.example) @所有人\n# 标题 `代码`"


class Receiver:
    """A robot webhook: records each call; answers from `script` ("ok", an HTTP status, ("errcode", n),
    ("sleep", seconds)), then "ok"."""

    def __init__(self):
        self.calls: list[dict] = []
        self.script: list = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                url = urllib.parse.urlsplit(self.path)
                receiver.calls.append({"path": url.path, "query": dict(urllib.parse.parse_qsl(url.query)),
                                       "raw_query": url.query, "body": json.loads(self.rfile.read(length)),
                                       "content_type": self.headers["Content-Type"]})
                action = receiver.script.pop(0) if receiver.script else "ok"
                if isinstance(action, tuple) and action[0] == "sleep":
                    time.sleep(action[1])
                status, answer = 200, {"errcode": 0, "errmsg": "ok"}
                if isinstance(action, int):
                    status, answer = action, {"errcode": -1}
                elif isinstance(action, tuple) and action[0] == "errcode":
                    answer = {"errcode": action[1], "errmsg": "send too fast"}
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def fast(settings):
    """Settings with short retry delays and timeout, pausing after two failed messages."""
    return replace(settings, CHANNEL_RETRY_SECONDS="0.05,0.05", CHANNEL_TIMEOUT_SECONDS=1, CHANNEL_PAUSE_AFTER=2)


def _subscribe(channel, **scope):
    db.session.add(ChannelSubscription(channel_id=channel.id, event="key_stage_moved", **scope))
    db.session.commit()


def _move(users, project, to_stage="contact", **kw):
    event = pipeline.move_stage(project, to_stage, actor=users["admin"], occurred_on=date.today(), **kw)
    db.session.commit()
    return event


def _deliveries():
    return db.session.scalars(sa.select(ChannelDelivery).order_by(ChannelDelivery.id)).all()


def test_wecom_gets_markdown_within_4096_bytes_with_user_text_escaped(app, users, receiver, fast):
    channel = factories.channel("wecom", url=receiver.url + "/cgi-bin/webhook/send?key=abc")
    _subscribe(channel)
    project = factories.project(name=NASTY, is_key=True, key_level="province")
    _move(users, project, evidence="合同" * 3000)
    (delivery,) = _deliveries()
    assert deliveries.deliver(delivery.id, fast) == "sent"
    (call,) = receiver.calls
    assert call["path"] == "/cgi-bin/webhook/send" and call["query"] == {"key": "abc"}
    assert call["content_type"].startswith("application/json")
    body = call["body"]
    assert body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert len(content.encode()) <= formats.WECOM_MAX_BYTES
    assert content.startswith("**重点项目阶段变更**\n") and content.endswith(f"[查看项目](http://crm.test/projects/{project.id})")
    assert "<@" not in content and "@" not in content and "](http://evil" not in content
    name_line = content.split("\n")[1]
    assert name_line.startswith("**项目**：&lt;＠all&gt;") and "\n#" not in content
    assert "谋划 → 洽谈" in content and "…" in content


def test_dingtalk_gets_a_signed_call_and_markdown_within_its_limit(app, users, receiver, fast):
    channel = factories.channel("dingtalk", url=receiver.url + "/robot/send?access_token=t0k", secret="SECabc123")
    _subscribe(channel)
    project = factories.project(name=NASTY, is_key=True)
    _move(users, project, evidence="证明" * 4000)
    assert deliveries.deliver(_deliveries()[0].id, fast) == "sent"
    (call,) = receiver.calls
    timestamp = call["query"]["timestamp"]
    expected = base64.b64encode(hmac.new(b"SECabc123", f"{timestamp}\nSECabc123".encode(), hashlib.sha256).digest())
    assert call["query"]["access_token"] == "t0k" and call["query"]["sign"] == expected.decode()
    assert abs(int(timestamp) - time.time() * 1000) < 60_000
    body = call["body"]
    assert body["msgtype"] == "markdown" and body["at"] == {"isAtAll": False}
    assert body["markdown"]["title"] == "重点项目阶段变更"
    text = body["markdown"]["text"]
    assert len(text) <= formats.DINGTALK_MAX_CHARS and text.endswith(f"/projects/{project.id})")
    assert "@" not in text and "<" not in text


def test_errors_are_retried_with_back_off_and_the_message_sent_once(app, users, receiver, fast):
    channel = factories.channel("wecom", url=receiver.url + "/hook")
    _subscribe(channel)
    receiver.script = [500, ("errcode", 45009)]
    _move(users, factories.project(is_key=True))
    (delivery,) = _deliveries()
    assert deliveries.deliver(delivery.id, fast) == "sent"
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, len(receiver.calls)) == ("sent", 3, 3)
    assert deliveries.deliver(delivery.id, fast) == "already claimed"  # the job ran twice: no second message
    assert len(receiver.calls) == 3


def test_a_channel_that_keeps_failing_is_paused_and_shown_on_the_jobs_page(app, users, receiver, fast, client, login):
    channel = factories.channel("wecom", url=receiver.url + "/hook", name="招商一群")
    _subscribe(channel)
    receiver.script = [("sleep", 2), ("sleep", 2), ("sleep", 2), 502, 502, 502]  # timeouts, then errors
    for _ in range(2):
        _move(users, factories.project(is_key=True))
    first, second = _deliveries()
    assert deliveries.deliver(first.id, fast) == "failed"
    assert deliveries.deliver(second.id, fast) == "failed"
    db.session.refresh(channel)
    assert channel.paused_at is not None and channel.failures == 2 and channel.last_error == "HTTP 502"
    assert [d.status for d in _deliveries()] == ["failed", "failed"]
    _move(users, factories.project(is_key=True))  # a paused channel hears nothing more
    assert len(_deliveries()) == 2
    login("admin")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "已暂停的消息渠道" in page and "招商一群" in page
    client.post(f"/admin/channels/{channel.id}/resume")
    db.session.refresh(channel)
    assert channel.paused_at is None and channel.failures == 0


def test_subscriptions_follow_the_projects_department_and_only_key_projects(app, users, receiver, fast):
    ours, theirs = factories.department("工信科局"), factories.department("农业农村局")
    channel = factories.channel("wecom", url=receiver.url + "/hook")
    _subscribe(channel, department_id=ours.id)
    _move(users, factories.project(is_key=True, lead_department=theirs))
    _move(users, factories.project(is_key=False, lead_department=ours))
    assert _deliveries() == []
    _move(users, factories.project(is_key=True, lead_department=ours))
    assert len(_deliveries()) == 1


def test_a_stage_move_reaches_the_robot_through_the_outbox_and_a_real_worker(app, users, receiver, redis, worker_env):
    channel = factories.channel("dingtalk", url=receiver.url + "/robot/send?access_token=x", secret="SECw")
    _subscribe(channel)
    project = factories.project(is_key=True, name="对俄木材加工园")
    _move(users, project)
    assert outbox.relay(redis) >= 1
    result = run_worker(dict(worker_env, CHANNEL_RETRY_SECONDS="0.1"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(receiver.calls) == 1 and "对俄木材加工园" in receiver.calls[0]["body"]["markdown"]["text"]
    db.session.expire_all()
    assert [d.status for d in _deliveries()] == ["sent"]


def test_the_weekly_digest_goes_once_per_channel_and_week_as_a_markdown_summary(app, users, receiver, fast):
    from crm.services.core.clock import utcnow
    from crm.services.messaging.channels import weekly
    wecom = factories.channel("wecom", url=receiver.url + "/hook")
    db.session.add(ChannelSubscription(channel_id=wecom.id, event="weekly_digest"))
    db.session.commit()
    _move(users, factories.project(name="**生物*基材料** @all", is_key=False))
    now = utcnow()
    assert weekly.announce_week(now, "http://crm.test") == 1
    db.session.commit()
    assert weekly.announce_week(now, "http://crm.test") == 0  # the job ran twice: one digest
    (delivery,) = _deliveries()
    assert delivery.event_key.startswith("digest:") and deliveries.deliver(delivery.id, fast) == "sent"
    content = receiver.calls[0]["body"]["markdown"]["content"]
    assert content.startswith("**招商周报 ") and "本周阶段变更**：1 次" in content
    assert "\\*\\*生物\\*基材料\\*\\* ＠all：谋划 → 洽谈" in content
    assert content.endswith("[查看看板](http://crm.test/pipeline/)")


def test_an_admin_adds_a_robot_subscribes_it_and_every_change_is_audited(app, users, client, login):
    from crm.models import AuditEvent, Channel
    login("admin")
    html = client.post("/admin/channels/", data={"name": "钉钉招商群", "kind": "dingtalk",
                                                 "url": "https://oapi.dingtalk.com/robot/send?access_token=x"},
                       follow_redirects=True).get_data(as_text=True)
    assert "钉钉机器人须填写加签密钥。" in html and db.session.scalar(sa.select(sa.func.count(Channel.id))) == 0
    client.post("/admin/channels/", data={"name": "钉钉招商群", "kind": "dingtalk", "secret": "SECxyz",
                                          "url": "https://oapi.dingtalk.com/robot/send?access_token=x"})
    channel = db.session.scalars(sa.select(Channel)).one()
    dept = users["officer"].department
    client.post(f"/admin/channels/{channel.id}/subscriptions", data={"event": "key_stage_moved",
                                                                      "department_id": dept.id, "leader_id": 0,
                                                                      "task_force_id": 0})
    (sub,) = db.session.scalars(sa.select(ChannelSubscription)).all()
    assert (sub.event, sub.department_id, sub.leader_id) == ("key_stage_moved", dept.id, None)
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "钉钉招商群" in page and "重点项目阶段变更：工信科局" in page and "SECxyz" not in page
    created = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "Channel")).one()
    assert created.actor_id == users["admin"].id and "secret" not in created.changes
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.object_type == "ChannelSubscription")) == 1


def test_overdue_problems_go_daily_to_each_subscription_for_its_department(app, users, receiver, fast):
    from crm.services.messaging.channels import daily
    ours, theirs = factories.department("工信科局"), factories.department("农业农村局")
    channel = factories.channel("wecom", url=receiver.url + "/hook")
    subscription = ChannelSubscription(channel_id=channel.id, event="overdue_problems", department_id=ours.id)
    db.session.add(subscription)
    db.session.commit()
    project = factories.project(name="对俄果蔬仓储项目", lead_department=ours)
    factories.problem(project, department_id=ours.id, description="用地审批<@all>迟迟未批", deadline=date(2026, 11, 1))
    factories.problem(project, department_id=theirs.id, description="别的部门的问题", deadline=date(2026, 11, 1))
    factories.problem(project, department_id=ours.id, description="还没到期", deadline=date(2027, 1, 1))
    today = date(2026, 12, 7)
    assert daily.announce_day(today, "http://crm.test") == 1
    db.session.commit()
    assert daily.announce_day(today, "http://crm.test") == 0  # once a day
    assert deliveries.deliver(_deliveries()[0].id, fast) == "sent"
    content = receiver.calls[0]["body"]["markdown"]["content"]
    assert content.startswith("**逾期问题 2026-12-07**\n**逾期未销号**：1 条\n- 对俄果蔬仓储项目：用地审批&lt;＠all&gt;迟迟未批")
    assert "别的部门" not in content and "还没到期" not in content
    assert content.endswith(f"[查看全部](http://crm.test/routines/problems?overdue=1&department={ours.id})")


def test_due_follow_ups_and_stale_projects_go_daily_for_a_leaders_projects(app, users, receiver, fast):
    from datetime import datetime

    from crm.services.messaging.channels import daily
    leader = users["leader"]
    channel = factories.channel("dingtalk", url=receiver.url + "/robot/send?access_token=x")
    for event in ("due_follow_ups", "stale_projects"):
        db.session.add(ChannelSubscription(channel_id=channel.id, event=event, leader_id=leader.id))
    db.session.commit()
    old = datetime(2026, 9, 1, 2, 0)
    ours = factories.project(name="包联的项目", liaison_leader=leader, stage="contact", created_at=old,
                             stage_on=date(2026, 9, 1), last_interaction_at=old)
    factories.project(name="别人的项目", stage="contact", created_at=old, stage_on=date(2026, 9, 1))
    factories.interaction(project=ours, next_follow_up=date(2026, 12, 1), next_step="寄送园区资料")
    factories.interaction(next_follow_up=date(2026, 12, 1), next_step="与我们无关")
    assert daily.announce_day(date(2026, 12, 7), "http://crm.test") == 2
    for delivery in _deliveries():
        assert deliveries.deliver(delivery.id, fast) == "sent"
    texts = sorted(call["body"]["markdown"]["text"] for call in receiver.calls)
    follow_ups = next(t for t in texts if "到期跟进" in t)
    stale = next(t for t in texts if "久未联系" in t)
    assert "寄送园区资料" in follow_ups and "与我们无关" not in follow_ups
    assert "包联的项目（洽谈，最近对接 2026-09-01）" in stale and "别人的项目" not in stale


def test_monthly_reports_past_due_go_daily_to_the_department_that_files_them(app, users, receiver, fast):
    from crm.services.messaging.channels import daily
    ours, theirs = factories.department("工信科局"), factories.department("农业农村局")
    channel = factories.channel("wecom", url=receiver.url + "/hook")
    db.session.add(ChannelSubscription(channel_id=channel.id, event="missing_reports", department_id=ours.id))
    db.session.commit()
    owing = factories.project(name="未报调度的项目", lead_department=ours)
    filed = factories.project(name="已报调度的项目", lead_department=ours)
    factories.progress_report(filed, month=date(2026, 12, 1))
    factories.project(name="别的部门的项目", lead_department=theirs)
    assert daily.announce_day(date(2026, 12, 7), "http://crm.test") == 1  # December's reports were due on the 5th
    assert deliveries.deliver(_deliveries()[0].id, fast) == "sent"
    content = receiver.calls[0]["body"]["markdown"]["content"]
    assert f"- {owing.name}（工信科局）" in content and "已报调度" not in content and "别的部门" not in content


def test_a_new_instruction_goes_to_the_channels_of_its_project_once(app, users, receiver, fast, client, login):
    leader = users["leader"]
    channel = factories.channel("wecom", url=receiver.url + "/hook")
    db.session.add(ChannelSubscription(channel_id=channel.id, event="new_instruction", leader_id=leader.id))
    db.session.commit()
    project = factories.project(name="中药材加工园", liaison_leader=leader)
    login("leader")
    unit, due = factories.department("自然资源局"), local_today() + timedelta(days=30)
    resp = client.post(f"/leaders/projects/{project.id}/instructions",
                       data={"text": "抓紧落实用地 @所有人", "unit_ids": [unit.id], "deadline": due.isoformat()})
    assert resp.status_code in (200, 302), resp.get_data(as_text=True)[:500]
    (delivery,) = _deliveries()
    assert delivery.event_key.startswith("instruction:") and delivery.title == "领导批示"
    assert deliveries.deliver(delivery.id, fast) == "sent"
    content = receiver.calls[0]["body"]["markdown"]["content"]
    assert "**项目**：中药材加工园" in content and "抓紧落实用地 ＠所有人" in content
    assert "**承办单位**：自然资源局" in content and f"**办理时限**：{due.isoformat()}" in content
    db.session.commit()  # later commits announce nothing again
    assert len(_deliveries()) == 1


def test_an_email_channel_gets_the_message_as_plain_text_through_smtp(app, users, smtp_server, fast, client, login):
    from crm.models import Channel
    login("admin")
    html = client.post("/admin/channels/", data={"name": "领导小组邮箱", "kind": "email", "url": "不是邮箱"},
                       follow_redirects=True).get_data(as_text=True)
    assert "请填写有效的邮箱地址。" in html
    client.post("/admin/channels/", data={"name": "领导小组邮箱", "kind": "email", "url": "ldxz@suifenhe.gov.cn"})
    channel = db.session.scalars(sa.select(Channel)).one()
    assert channel.url == "mailto:ldxz@suifenhe.gov.cn"
    _subscribe(channel)
    project = factories.project(name="**跨境*电商** @all", is_key=True)
    _move(users, project)
    smtp = replace(fast, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    assert deliveries.deliver(_deliveries()[0].id, smtp) == "sent"
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["ldxz@suifenhe.gov.cn"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "【招商项目管家】重点项目阶段变更"
    body = message.get_content()
    assert "项目：**跨境*电商** ＠all" in body and f"查看项目：http://crm.test/projects/{project.id}" in body
