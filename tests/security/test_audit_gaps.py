"""Changes that once left no audit row: a password reset (recorded without the hash), a leader's
本周已阅, a catalog build, and the 分管 table (written with plain SQL, audited by hand)."""
from __future__ import annotations

import json

import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, CatalogBuild, LiaisonReview, User
from crm.services.brochures import catalog_builds
from tests import factories


def _rows(object_type: str, object_id: int) -> list[AuditEvent]:
    db.session.rollback()
    return AuditEvent.query.filter_by(object_type=object_type, object_id=object_id).order_by(AuditEvent.id).all()


def test_a_password_reset_is_audited_without_the_hash(client, login, users):
    admin = login("admin")
    target = users["staff"]
    resp = client.post(f"/admin/users/{target.id}/edit", data={
        "username": target.username, "display_name": target.display_name, "role": "staff", "department_id": 0,
        "password": "a-new-secret-99", "is_enabled": "y"})
    assert resp.status_code == 302
    new_hash = db.session.get(User, target.id, populate_existing=True).password_hash
    rows = [r for r in _rows("User", target.id) if r.action == "update"]
    assert len(rows) == 1 and rows[0].actor_id == admin.id
    # The reset also ends the user's sessions (a new session generation), in the same audit row.
    assert rows[0].changes == {"password": ["[redacted]", "[redacted]"], "session_generation": [0, 1]}
    logged = json.dumps([r.changes for r in AuditEvent.query.all()], ensure_ascii=False)
    assert new_hash not in logged and new_hash.split("$")[-1] not in logged and "a-new-secret-99" not in logged


def test_a_leaders_weekly_review_is_audited(client, login, users):
    leader = users["leader"]
    project = factories.project(liaison_leader_id=leader.id)
    login("leader")
    assert client.post(f"/leaders/projects/{project.id}/reviewed", data={}).status_code == 302
    review = db.session.scalars(sa.select(LiaisonReview)).one()
    rows = _rows("LiaisonReview", review.id)
    assert [(r.action, r.actor_id) for r in rows] == [("create", leader.id)]
    assert rows[0].changes["project_id"] == [None, project.id] and rows[0].changes["iso_week"] == [None, review.iso_week]


def test_a_catalog_build_is_audited_from_request_to_file(client, login, app, users):
    staff = login("staff")
    factories.project(name="审计册项目")
    resp = client.post("/brochures/catalog", data={"lang": "zh", "pool": "1", "year": "2026", "title": "",
                                                    "preface": "", "stages": ["planned", "contact"]})
    assert resp.status_code == 302
    build = db.session.scalars(sa.select(CatalogBuild)).one()
    catalog_builds.run_build(build.id, app.extensions["settings"])
    db.session.commit()
    rows = _rows("CatalogBuild", build.id)
    assert rows[0].action == "create" and rows[0].actor_id == staff.id
    assert rows[0].changes["lang"] == [None, "zh"] and rows[0].changes["status"] == [None, "queued"]
    statuses = [r.changes["status"] for r in rows[1:] if "status" in r.changes]
    assert statuses == [["queued", "running"], ["running", "done"]]
    assert not any("progress" in r.changes for r in rows)


def test_the_sector_leaders_table_is_audited(client, login):
    biomed, vice = factories.sector("biomed"), factories.leader()
    admin = login("admin")
    assert client.post("/admin/liaison/sectors", data={f"sector-{biomed.id}": [str(vice.id)]}).status_code == 302
    rows = _rows("Sector", biomed.id)
    assert [(r.action, r.actor_id) for r in rows if r.action == "liaison"] == [("liaison", admin.id)]
    assert rows[-1].changes["liaison_leaders"][1] == [vice.display_name]
