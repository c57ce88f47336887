"""Reference choices kept per process until a committed write of their tables raises the version."""
import pytest
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.models import Park, RefVersion, Sector
from crm.services.core import refcache
from tests import factories


@pytest.fixture
def cached(app, monkeypatch):
    """The cache on, from an empty memory and a version row (the suite's cleanup deletes it)."""
    monkeypatch.setattr(current_app.extensions["settings"], "REF_CACHE", True)
    refcache.clear()
    if db.session.get(RefVersion, 1) is None:
        db.session.add(RefVersion(id=1, version=0))
        db.session.commit()
    yield
    refcache.clear()


def board(client, statements):
    with statements() as counted:
        response = client.get("/pipeline/")
    assert response.status_code == 200
    flat = [" ".join(s.split()) for s in counted.statements]
    reads = sum(" FROM sectors " in s or " FROM parks " in s for s in flat)
    return response.get_data(as_text=True), reads


def test_the_next_request_reads_no_reference_table(client, login, statements, cached):
    factories.project(sector=factories.sector("biomed"))
    login("staff")
    html, reads = board(client, statements)
    assert reads == 2 and "生物医药" in html
    html, reads = board(client, statements)
    assert reads == 0 and "生物医药" in html


def test_a_rename_committed_by_another_worker_shows_on_the_next_request(client, login, statements, cached):
    sector_id = factories.sector("biomed").id
    login("staff")
    board(client, statements)
    with Session(db.engine) as other:  # another process's session: only the database links them
        other.get(Sector, sector_id).name = "生物医药与健康"
        other.commit()
    html, reads = board(client, statements)
    assert reads == 2 and "生物医药与健康" in html


def test_a_core_statement_through_the_session_raises_the_version_too(client, login, statements, cached):
    park_id = factories.park("zbq", name="综合保税区").id
    login("staff")
    board(client, statements)
    db.session.execute(sa.update(Park).where(Park.id == park_id).values(name="绥芬河综合保税区"))
    db.session.commit()
    html, _reads = board(client, statements)
    assert "绥芬河综合保税区" in html


def test_the_writer_sees_its_own_uncommitted_rows_and_a_rollback_changes_nothing(app, cached):
    sector = factories.sector("biomed")
    before = db.session.scalar(sa.select(RefVersion.version))
    assert "生物医药" in dict(refcache_options()["sectors"]).values()
    sector.name = "生物医药（改）"
    db.session.flush()
    assert "生物医药（改）" in dict(refcache_options()["sectors"]).values()
    db.session.rollback()
    assert "生物医药" in dict(refcache_options()["sectors"]).values()
    assert db.session.scalar(sa.select(RefVersion.version)) == before


def test_outside_a_request_a_rename_committed_elsewhere_shows_at_once(app, cached):
    """A long-lived app context (the cron's) keeps no version: each use reads it."""
    sector_id = factories.sector("biomed").id
    assert "生物医药" in dict(refcache_options()["sectors"]).values()
    with db.engine.begin() as other:  # another process: a raw connection raises the version itself
        other.execute(sa.update(Sector).where(Sector.id == sector_id).values(name="生物医药与健康"))
        refcache.bump(other)
    assert "生物医药与健康" in dict(refcache_options()["sectors"]).values()


def refcache_options():
    from crm.services.projects import filter_options
    return filter_options()  # outside a request: the version is read on each call


def test_without_the_version_row_nothing_is_kept(client, login, statements, cached):
    db.session.execute(sa.delete(RefVersion))
    db.session.commit()
    factories.sector("biomed")
    login("staff")
    assert board(client, statements)[1] == 2
    assert board(client, statements)[1] == 2
