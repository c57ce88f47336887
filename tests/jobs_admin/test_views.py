"""Admin operations pages: background jobs (a real failed job, requeue, Redis down) and the
reminder rules."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from rq import Queue
from rq.registry import FailedJobRegistry

from crm.extensions import db
from crm.services.messaging import outbox
from crm.services.routines import reminders
from tests import factories
from tests.conftest import _free_port, run_worker


def test_a_failed_job_shows_with_its_error_and_the_admin_requeues_it(client, login, redis, worker_env):
    broken = outbox.enqueue("reminders.scan", now="不是日期")  # a real job with a bad argument
    db.session.commit()
    assert outbox.relay(redis) == 1
    result = run_worker(worker_env)
    assert result.returncode == 0, result.stderr[-2000:]
    job_id = outbox.job_id(broken.id)
    assert FailedJobRegistry("default", connection=redis).get_job_ids() == [job_id]

    login("admin")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert job_id in page and "ValueError: Invalid isoformat string" in page and "reminders.scan" in page
    assert "排队 0 · 失败 1" in page
    resp = client.post(f"/admin/jobs/{job_id}/requeue", follow_redirects=True)
    assert "已重新排队" in resp.get_data(as_text=True)
    assert len(FailedJobRegistry("default", connection=redis)) == 0
    assert Queue("default", connection=redis).job_ids == [job_id]
    resp = client.post(f"/admin/jobs/{job_id}/requeue", follow_redirects=True)  # no longer failed
    assert "不存在或已不在失败列表中" in resp.get_data(as_text=True)


def test_the_jobs_page_says_when_redis_is_down(app, client, login, settings):
    login("admin")
    outbox.enqueue("interactions.logged", interaction_id=1)
    db.session.commit()
    app.extensions["settings"] = replace(settings, REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")  # nobody listens
    try:
        resp = client.get("/admin/jobs/")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "暂时无法连接" in html and 'data-stat="pending">1<' in html
        resp = client.post("/admin/jobs/outbox-1/requeue", follow_redirects=True)
        assert resp.status_code == 200 and "暂时无法连接" in resp.get_data(as_text=True)
    finally:
        app.extensions["settings"] = settings


def test_reminder_rules_are_edited_by_the_admin_and_change_the_scan(client, login):
    project = factories.project(stage="contact", owner=factories.user("staff"), stage_on=date(2026, 1, 5),
                                created_at=datetime(2026, 1, 1), last_interaction_at=datetime(2026, 11, 18, 2))
    scan_at = datetime(2026, 11, 27, 23, 30)  # 07:30 on the 28th: 10 days since the last contact
    assert reminders.scan(scan_at)["stale"] == 0
    db.session.rollback()

    login("admin")
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert 'name="contact_stale"' in page and 'value="14"' in page and 'value="28"' in page
    form = {"contact_stale": "7", "contact_escalate": "20", "signed_stale": "30", "signed_escalate": "60",
            "started_stale": "21", "started_escalate": "45"}
    assert client.post("/admin/reminders", data=form).status_code == 302
    assert reminders.stage_settings() == {"contact": (7, 20), "signed": (30, 60), "started": (21, 45)}
    assert reminders.scan(scan_at)["stale"] == 1 and project.id


def test_bad_reminder_rules_show_errors_and_save_nothing(client, login):
    login("admin")
    form = {"contact_stale": "10", "contact_escalate": "5", "signed_stale": "abc", "signed_escalate": "60",
            "started_stale": "0", "started_escalate": "400"}
    resp = client.post("/admin/reminders", data=form)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请填写 1–365 的整数" in html
    assert reminders.stage_settings()["contact"] == (14, 28)
    form.update(signed_stale="30", started_stale="21", started_escalate="45")
    html = client.post("/admin/reminders", data=form).get_data(as_text=True)
    assert "升级天数须大于提醒天数" in html and reminders.stage_settings()["contact"] == (14, 28)
