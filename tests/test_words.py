"""Words a reader sees on the pages this issue fixed: names instead of ids, Chinese instead of
queue and worker names, local times instead of RFC dates, amounts whose unit matches the label."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from crm.extensions import db
from crm.services.core import audit
from crm.services.messaging import mail
from tests import factories


def test_a_problem_history_names_its_project_department_and_author(client, login, users):
    with audit.acting_as(users["admin"]):
        problem = factories.problem()
    login("admin")
    page = client.get(f"/routines/problems/{problem.id}/edit").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert f"责任部门：{problem.department}" in history and f"项目：{problem.project.display_name}" in history
    assert "id：" not in history


def test_a_project_history_hides_its_id_and_groups_its_amounts(client, login, users):
    with audit.acting_as(users["staff"]):
        project = factories.project(total_investment=Decimal("120000"))
    login("admin")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "id：" not in page and "总投资（万元）：120,000" in page
    assert ">总投资</th><td>12 亿元</td>" in page and "总投资（万元）</th>" not in page


def test_changes_made_by_no_user_are_signed_by_the_system_in_chinese(client, login):
    project = factories.project()  # no signed-in user: the audit row says "system"
    login("admin")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert '<span class="timeline-who">系统</span>' in page and "system<" not in page


def test_the_jobs_page_names_queues_and_workers_in_chinese(client, login):
    login("admin")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "常规任务队列" in page and "邮件发送队列" in page and "运行中的后台进程" in page
    assert "队列 default" not in page and "worker" not in page


def test_the_mailbox_shows_when_a_message_was_sent_in_local_time(client, login, settings):
    path = mail.deliver(mail.build_message("wang@example.cn", "测试", "正文", sender=settings.MAIL_FROM), settings)
    sent = mail.read_headers(Path(path))["date"]
    assert sent.tzinfo is None  # naive UTC, as stored times are
    login("admin")
    page = client.get("/admin/mail/").get_data(as_text=True)
    assert "+0800" not in page and "+0000" not in page


def test_a_board_column_without_amounts_says_not_stated(client, login):
    factories.project(stage="contact", total_investment=None)
    db.session.commit()
    login("admin")
    page = client.get("/pipeline/").get_data(as_text=True)
    assert "总投资 未填报" in page and "总投资 0 万元" in page  # 洽谈 unstated, the empty columns 0


def test_the_dashboard_says_not_stated_for_a_stage_without_amounts(client, login):
    factories.project(stage="signed", total_investment=None)
    factories.project(stage="contact", total_investment=Decimal("120000"))
    login("admin")
    page = client.get("/dashboard").get_data(as_text=True)
    signed = page[page.index('data-stage="signed"'):]
    assert signed[:signed.index("</tr>")].endswith(">未填报</td>")
    chart = json.loads(re.search(r'<script id="dashboard-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    # the funnel's axis counts in the unit of the table beside it
    assert chart["labels"]["investment"] == "总投资（亿元）" and 12.0 in chart["funnel"]["investment"]
