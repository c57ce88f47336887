"""Brochure pages: a project's PDF in zh/en/ru for every role, the catalog builder (a build row
and its outbox row in one commit), the job run as the worker runs it, the polled status (live
from RQ's job.meta, or from the row without Redis), the download and the cleanup."""
from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
import redis as redis_lib
from redis.backoff import NoBackoff
from redis.retry import Retry

from crm.extensions import db
from crm.models import CatalogBuild, OutboxMessage
from crm.services.brochures import brochure_data, catalog_builds
from crm.services.messaging import outbox
from tests import factories
from tests.conftest import run_worker
from tests.services.brochures.test_brochure import pdf_pages, squash
from workers.jobs import execute_row

PAYLOAD = '<script>alert("x")</script>'


@pytest.fixture
def biomed(app):
    return factories.sector("biomed", name="生物医药", name_en="Biomedicine", name_ru="Биомедицина", column_no=1)


@pytest.fixture
def project(biomed):
    return factories.foreign_project(
        name="对俄中药材进口加工产业园项目", name_en="Russian Herbal Medicine Processing Park",
        description="集国际贸易、落地加工、集中展示于一体", total_investment=Decimal("50000"), sector=biomed)


def _text(resp) -> str:
    return squash(" ".join(pdf_pages(resp.data)))


# --- one project ------------------------------------------------------------------------

def test_any_role_downloads_a_project_pdf_with_extractable_chinese(client, login, project):
    login("leader")
    resp = client.get(f"/brochures/projects/{project.id}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("inline;") and f'filename="project-{project.id}-zh.pdf"' in disposition
    assert f"filename*=UTF-8''{quote(f'项目介绍-{project.id}-zh.pdf')}" in disposition
    text = _text(resp)
    assert "对俄中药材进口加工产业园项目" in text and "集国际贸易、落地加工、集中展示于一体" in text
    assert "5亿元" in text and "(中文原文)" not in text


@pytest.mark.parametrize("lang, expected, also", [
    ("en", "RussianHerbalMedicineProcessingPark", "CNY500million"),
    ("ru", "对俄中药材进口加工产业园项目", "500млнюаней"),  # a name with no Russian form prints as it is
])
def test_english_and_russian_editions_use_translations_and_leave_untranslated_text_out(client, login, project, lang,
                                                                                      expected, also):
    login("officer")
    resp = client.get(f"/brochures/projects/{project.id}.pdf?lang={lang}")
    assert resp.status_code == 200
    assert f"-{lang}.pdf" in resp.headers["Content-Disposition"]
    text = _text(resp)
    assert expected in text and also in text
    assert "集国际贸易" not in text and "中文原文" not in text


def test_unknown_project_is_404_and_an_unknown_language_is_400(client, login, project):
    login("staff")
    assert client.get(f"/brochures/projects/{project.id + 1000}.pdf").status_code == 404
    assert client.get(f"/brochures/projects/{project.id}.pdf?lang=fr").status_code == 400


def test_the_project_page_offers_the_three_editions(client, login, project):
    login("leader")
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "下载项目介绍" in html
    for lang in ("zh", "en", "ru"):
        assert f"/brochures/projects/{project.id}.pdf?lang={lang}" in html


# --- the catalog builder ----------------------------------------------------------------

def _post_catalog(client, **data):
    values = {"lang": "en", "pool": "1", "year": "2026", "title": "", "preface": "", "stages": ["planned", "contact"]}
    values.update(data)
    return client.post("/brochures/catalog", data=values)


def test_building_a_catalog_commits_the_build_and_its_outbox_row_together(client, login, project, biomed):
    user = login("staff")
    resp = _post_catalog(client, sectors=[str(biomed.id)], stages=["planned"], key="", title=PAYLOAD)
    build = db.session.query(CatalogBuild).one()
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/brochures/builds/{build.id}")
    message = db.session.query(OutboxMessage).one()
    assert (message.job, message.payload) == ("brochure.catalog", {"build_id": build.id})
    assert build.job_id == f"outbox-{message.id}"
    assert (build.status, build.lang, build.year, build.project_count, build.requested_by_id) == (
        "queued", "en", 2026, 1, user.id)
    assert build.filters == {"sectors": [biomed.id], "stages": ["planned"], "pool": "1"}
    page = client.get(f"/brochures/builds/{build.id}").get_data(as_text=True)
    assert PAYLOAD not in page and "&lt;script&gt;" in page and 'role="progressbar"' in page
    assert "js/job_progress.js" in page


@pytest.mark.parametrize("data, message", [
    ({"stages": ["operating"]}, "没有符合筛选条件的项目"),
    ({"stages": []}, "请至少选择一个阶段"),
    ({"lang": "fr"}, "不是有效的选择"),
    ({"year": "1800"}, "年份应在 2000 到 2100 之间"),
    ({"title": "长" * 61}, "不能超过 60 个字符"),
    ({"sectors": ["abc"], "stages": ["signed"]}, "不是有效的选择|无效"),
])
def test_a_refused_catalog_request_saves_nothing(client, login, project, data, message):
    login("admin")
    resp = _post_catalog(client, **data)
    assert resp.status_code == 200
    assert db.session.query(CatalogBuild).count() == 0 and db.session.query(OutboxMessage).count() == 0
    html = resp.get_data(as_text=True)
    assert re.search(message, html)


def test_the_builder_page_defaults_to_this_year_and_lists_recent_builds(client, login, biomed):
    login("staff")
    factories.catalog_build(title="二〇二六年项目册")
    html = client.get("/brochures/catalog").get_data(as_text=True)
    assert 'name="sectors"' in html and "生物医药" in html and "二〇二六年项目册" in html
    assert re.search(r'name="year"[^>]*value="20\d\d"', html)


# --- the job, the status, the download ------------------------------------------------

def _request(client, login) -> CatalogBuild:
    login("staff")
    assert _post_catalog(client).status_code == 302
    return db.session.query(CatalogBuild).one()


def test_the_worker_job_renders_the_catalog_and_marks_the_build_done(app, client, login, project, settings):
    build = _request(client, login)
    status = client.get(f"/brochures/builds/{build.id}/status").get_json()
    assert status["status"] == "queued" and status["download_url"] is None

    message = db.session.query(OutboxMessage).one()
    assert execute_row(message.id) == "done"  # as workers.jobs.run_outbox does, inside its context
    db.session.commit()

    db.session.refresh(build)
    assert (build.status, build.progress, build.error) == ("done", 100, None)
    assert (catalog_builds.catalog_dir(settings) / build.file_name).is_file()
    assert db.session.get(OutboxMessage, message.id).done_at is not None
    status = client.get(f"/brochures/builds/{build.id}/status").get_json()
    assert status == {"status": "done", "progress": 100, "error": None,
                      "download_url": f"/brochures/builds/{build.id}/download"}

    resp = client.get(status["download_url"])
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert quote("Investment Project Catalog-2026-en.pdf") in resp.headers["Content-Disposition"]
    text = _text(resp)
    assert "RussianHerbalMedicineProcessingPark" in text and "Contents" in text
    resp.close()
    assert execute_row(message.id) == "already done"  # a row relayed twice runs once


def test_a_failed_render_marks_the_build_failed_with_the_reason(app, client, login, project, settings, tmp_path):
    build = _request(client, login)
    blocked = replace(settings, instance_path=tmp_path)
    blocked.files_dir.mkdir()
    (blocked.files_dir / "catalogs").write_text("a file where the folder should be")
    with pytest.raises(OSError):
        catalog_builds.run_build(build.id, blocked)
    db.session.expire_all()
    assert build.status == "failed" and "Error" in build.error and build.finished_at is not None
    state = client.get(f"/brochures/builds/{build.id}/status").get_json()
    assert state["status"] == "failed" and state["download_url"] is None


def test_status_shows_the_jobs_live_progress_and_falls_back_to_the_row_without_redis(client, login, project, redis):
    build = _request(client, login)  # the request's commit relays the outbox row to RQ at once
    assert db.session.query(OutboxMessage).one().status == "enqueued"
    build.status, build.progress = "running", 10  # the row is written every few percent only
    db.session.commit()
    job = outbox.fetch_job(build.job_id, redis)
    job.meta["progress"] = 40
    job.save_meta()
    assert client.get(f"/brochures/builds/{build.id}/status").get_json()["progress"] == 40
    dead = redis_lib.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    assert catalog_builds.build_status(build, dead) == {"status": "running", "progress": 10, "error": None}


def test_a_real_rq_worker_builds_the_requested_catalog(client, login, project, redis, worker_env, settings):
    build = _request(client, login)
    result = run_worker(worker_env)
    assert result.returncode == 0, result.stderr[-2000:]
    db.session.expire_all()
    assert (build.status, build.progress) == ("done", 100), result.stderr[-2000:]
    assert outbox.fetch_job(build.job_id, redis).meta["progress"] == 100
    assert catalog_builds.file_path(build, settings).read_bytes().startswith(b"%PDF")


def test_download_of_an_unfinished_or_cleaned_build_is_404(client, login):
    login("admin")
    queued = factories.catalog_build(content=None)
    assert client.get(f"/brochures/builds/{queued.id}/download").status_code == 404
    done = factories.catalog_build()
    assert client.get(f"/brochures/builds/{done.id}/download").status_code == 200
    done.file_name = None
    db.session.commit()
    assert client.get(f"/brochures/builds/{done.id}/download").status_code == 404
    assert "文件已过期清理" in client.get(f"/brochures/builds/{done.id}").get_data(as_text=True)


def test_cleanup_removes_files_past_their_age_and_keeps_fresh_ones(app, settings):
    now = datetime(2026, 11, 28, 12, 0)
    old = factories.catalog_build(finished_at=now - timedelta(hours=settings.BROCHURE_MAX_AGE_HOURS + 1))
    fresh = factories.catalog_build(finished_at=now - timedelta(hours=1))
    folder = catalog_builds.catalog_dir(settings)
    stray = folder / "catalog-999-zh.pdf.part"  # left by a killed job
    stray.write_bytes(b"partial")
    stale = (now - timedelta(days=30)).timestamp() + 8 * 3600  # mtime is real epoch time
    os.utime(stray, (stale, stale))
    old_file, fresh_file = folder / old.file_name, folder / fresh.file_name

    assert catalog_builds.cleanup(settings, now) == 2
    db.session.commit()
    assert not old_file.exists() and not stray.exists() and fresh_file.exists()
    assert old.file_name is None and fresh.file_name is not None
    assert catalog_builds.cleanup(settings, now) == 0


def test_a_catalog_takes_in_only_projects_an_investor_can_take_up_unless_asked(client, login, biomed):
    for stage in ("planned", "contact", "signed", "paused", "dropped"):
        factories.project(name=f"{stage}项目", stage=stage, sector=biomed)
    login("staff")
    page = client.get("/brochures/catalog").get_data(as_text=True)
    assert 'id="stage-planned" value="planned" checked' in page and 'id="stage-contact" value="contact" checked' in page
    assert 'id="stage-paused" value="paused" checked' not in page and 'id="stage-dropped" value="dropped" checked' not in page
    _post_catalog(client)
    _post_catalog(client, stages=["planned", "contact", "paused"])
    first, second = db.session.query(CatalogBuild).order_by(CatalogBuild.id).all()
    assert (first.project_count, second.project_count) == (2, 3)
    names = [sheet.name["zh"] for sheet in brochure_data.sheets_for(first.filters, client.application.extensions["settings"])]
    assert sorted(names) == ["contact项目", "planned项目"]


def test_the_builder_lists_the_projects_that_lack_a_translation_before_printing(client, login, biomed):
    factories.project(name="全译项目", name_en="Fully translated", name_ru="Полностью переведён",
                      description="内容", description_en="Content", description_ru="Содержание", sector=biomed)
    factories.project(name="缺俄文项目", name_en="No Russian", description="内容", description_en="Content",
                      sector=biomed)
    factories.project(name="暂缓的缺译项目", stage="paused", sector=biomed)  # not in a default catalog
    login("staff")
    html = client.get("/brochures/catalog").get_data(as_text=True)
    panel = html.split('id="untranslated"')[1].split("</ul>")[0]
    assert "缺俄文项目" in panel and "缺俄文：项目名称 / 建设主要内容" in panel and "缺英文" not in panel
    assert "全译项目" not in panel and "暂缓的缺译项目" not in panel


def test_the_builder_page_runs_a_constant_number_of_statements(client, login, biomed, page_statements):
    login("staff")

    def untranslated(n):
        for number in range(n):
            factories.project(name=f"缺译项目{number}", sector=biomed, commit=False)
        db.session.commit()
        return page_statements(client, "/brochures/catalog", fresh=True)

    few = untranslated(3)
    assert untranslated(40) == few
