"""Real files through the real upload view: what is kept, how it is served, and who may fetch it."""
from __future__ import annotations

import io
import os
import zipfile
from datetime import date

import pytest
from docx import Document
from PIL import Image
from reportlab.pdfgen import canvas

from crm.extensions import db
from crm.models import AuditEvent, EvidenceFile
from crm.services.files import store
from tests import factories


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Investment agreement No. 2026-018")
    page.save()
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (120, 90), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (44.0, 23.0, 55.0), 3: "E", 4: (131.0, 9.0, 10.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("施工许可证（复印件说明）")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, project, files, caption="佐证"):
    return client.post(f"/files/project/{project.id}", content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(data), name) for data, name in files], "caption": caption})


@pytest.fixture
def settings_(app):
    return app.extensions["settings"]


@pytest.fixture
def own_project(users):
    return factories.project(lead_department=users["officer"].department, liaison_leader=users["leader"])


def _only_row():
    row, = db.session.scalars(db.select(EvidenceFile)).all()
    return row


def test_a_pdf_is_stored_by_hash_and_served_as_a_download(client, login, own_project, settings_):
    login("officer")
    data = pdf_bytes()
    resp = upload(client, own_project, [(data, "投资协议.pdf")], caption="投资协议扫描件")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#files")
    row = _only_row()
    assert (row.kind, row.mime, row.display_name, row.caption) == ("project", "application/pdf", "投资协议.pdf",
                                                                    "投资协议扫描件")
    assert store.path_of(settings_, row.sha256).read_bytes() == data
    got = client.get(f"/files/{row.id}")
    assert got.status_code == 200 and got.data == data
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    audit = db.session.scalars(db.select(AuditEvent).where(AuditEvent.object_type == "EvidenceFile")).one()
    assert audit.action == "create" and audit.actor_id == factories.User.query.filter_by(role="officer").one().id
    page = client.get(f"/projects/{own_project.id}").get_data(as_text=True)
    assert "投资协议.pdf" in page and "投资协议扫描件" in page


def test_a_jpeg_loses_its_gps_exif_and_shows_inline_with_a_thumbnail(client, login, own_project, settings_):
    login("staff")
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825) is not None
    assert upload(client, own_project, [(original, "IMG_0001.JPG")]).status_code == 302
    row = _only_row()
    assert row.mime == "image/jpeg" and row.has_thumbnail and row.display_name == "IMG_0001.jpg"
    got = client.get(f"/files/{row.id}")
    assert got.status_code == 200 and "attachment" not in got.headers.get("Content-Disposition", "")
    stored = Image.open(io.BytesIO(got.data))
    assert dict(stored.getexif()) == {} and b"PhoneMaker" not in got.data and b"Exif" not in got.data
    thumb = client.get(f"/files/{row.id}/thumb")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 320


def test_png_and_docx_are_kept_with_their_types(client, login, own_project):
    login("staff")
    resp = upload(client, own_project, [(factories.png_bytes(), "园区平面图.png"), (docx_bytes(), "许可证.docx")])
    assert resp.status_code == 302
    rows = db.session.scalars(db.select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [r.mime for r in rows] == [
        "image/png", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    got = client.get(f"/files/{rows[1].id}")
    assert got.headers["Content-Disposition"].startswith("attachment") and zipfile.is_zipfile(io.BytesIO(got.data))
    assert "attachment" not in client.get(f"/files/{rows[0].id}").headers.get("Content-Disposition", "")


def _refused(client, project, settings_, files, message):
    before = store.stored_hashes(settings_)
    resp = upload(client, project, files)
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert message in page, page[:2000]
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceFile)) == 0
    assert store.stored_hashes(settings_) == before


def test_a_renamed_executable_is_refused_and_leaves_nothing(client, login, own_project, settings_):
    login("staff")
    with open("/bin/ls", "rb") as handle:
        program = handle.read()
    # One good file in the same batch: the batch is all or nothing.
    _refused(client, own_project, settings_, [(factories.png_bytes(color="navy"), "ok.png"), (program, "合同.pdf")],
             "不在允许的类型内")


def test_an_oversized_image_is_refused(client, login, own_project, settings_, monkeypatch):
    login("staff")
    big = io.BytesIO()
    Image.new("1", (8000, 7000)).save(big, "PNG")  # 56 million pixels in a small file
    _refused(client, own_project, settings_, [(big.getvalue(), "航拍.png")], "图片尺寸过大")
    monkeypatch.setattr(settings_, "FILE_MAX_MB", 1)
    noise = io.BytesIO()
    Image.frombytes("RGB", (800, 800), os.urandom(800 * 800 * 3)).save(noise, "PNG")
    assert len(noise.getvalue()) > store.MB
    _refused(client, own_project, settings_, [(noise.getvalue(), "噪点.png")], "超过单个文件 1 MB 的上限")


def test_a_request_over_the_upload_limit_gets_a_page_that_says_so(client, login, own_project, settings_, monkeypatch):
    login("staff")
    monkeypatch.setattr(settings_, "UPLOAD_MAX_MB", 1)
    resp = upload(client, own_project, [(b"%PDF-1.4" + b"0" * (2 * store.MB), "big.pdf")])
    assert resp.status_code == 413
    assert "超过了 1 MB 的上限，什么都没有保存" in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceFile)) == 0


def test_a_path_in_the_file_name_is_cut_to_a_safe_label(client, login, own_project, settings_):
    login("staff")
    upload(client, own_project, [(pdf_bytes(), "../../../etc/cron.d/协议<1>.pdf")])
    upload(client, own_project, [(b"meeting notes\n", "..\\..\\boot.ini")])
    rows = db.session.scalars(db.select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [r.display_name for r in rows] == ["协议_1.pdf", "boot.txt"]
    assert rows[1].mime == "text/plain"
    for row in rows:
        assert store.path_of(settings_, row.sha256).is_file()
    assert not any(p.name.startswith("协议") for p in settings_.files_dir.rglob("*"))


def test_officers_of_other_departments_get_404_and_the_liaison_leader_gets_the_file(client, login, users):
    foreign = factories.foreign_project(liaison_leader=users["leader"])
    row = factories.evidence_file(foreign)
    login("officer")
    assert client.get(f"/files/{row.id}").status_code == 404
    assert client.get(f"/files/{row.id}/thumb").status_code == 404
    assert "佐证材料" not in client.get(f"/projects/{foreign.id}").get_data(as_text=True)
    login("leader")
    assert client.get(f"/files/{row.id}").status_code == 200
    assert client.get(f"/files/{row.id}/thumb").status_code == 200
    other = factories.evidence_file(factories.foreign_project())
    assert client.get(f"/files/{other.id}").status_code == 404


def test_a_removed_file_is_hidden_audited_and_kept_on_disk(client, login, own_project, settings_):
    row = factories.evidence_file(own_project)
    login("officer")
    assert client.post(f"/files/{row.id}/remove").status_code == 302
    db.session.expire_all()
    assert row.removed_at is not None
    assert client.get(f"/files/{row.id}").status_code == 404
    assert store.path_of(settings_, row.sha256).is_file()
    audit = db.session.scalars(db.select(AuditEvent).where(AuditEvent.object_type == "EvidenceFile",
                                                           AuditEvent.action == "update")).one()
    assert audit.changes["removed_at"][0] is None and audit.changes["removed_at"][1]


def test_enterprise_files_need_staff_to_upload_and_a_shared_project_to_read(client, login, users):
    firm = factories.enterprise()
    login("staff")
    resp = client.post(f"/files/enterprise/{firm.id}", content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(pdf_bytes()), "营业执照.pdf")], "caption": "营业执照"})
    assert resp.status_code == 302
    row = _only_row()
    assert (row.kind, row.enterprise_id, row.project_id) == ("enterprise", firm.id, None)
    login("officer")
    assert client.get(f"/files/{row.id}").status_code == 404
    factories.project(lead_department=users["officer"].department, investors=[firm])
    assert client.get(f"/files/{row.id}").status_code == 200
    assert "营业执照.pdf" in client.get(f"/enterprises/{firm.id}").get_data(as_text=True)


def test_project_page_statements_do_not_grow_with_files(client, login, own_project, page_statements):
    from crm.services import pipeline
    login("staff")
    pipeline.move_stage(own_project, "contact", actor=factories.User.query.filter_by(role="staff").one(),
                        occurred_on=date(2026, 11, 2))
    db.session.commit()
    factories.evidence_file(own_project)
    few = page_statements(client, f"/projects/{own_project.id}")
    for n in range(4):
        factories.evidence_file(own_project, data=factories.png_bytes(color=(n * 40, 10, 10)))
        factories.evidence_file(own_project, data=factories.png_bytes(color=(10, n * 40, 10)), kind="stage",
                                owner_id=own_project.stage_events[0].id)
    assert page_statements(client, f"/projects/{own_project.id}") == few


def test_enterprise_page_statements_do_not_grow_with_files(client, login, page_statements):
    firm = factories.enterprise()
    login("staff")
    upload_one = lambda color: client.post(  # noqa: E731
        f"/files/enterprise/{firm.id}", content_type="multipart/form-data",
        data={"files": [(io.BytesIO(factories.png_bytes(color=color)), "执照.png")]})
    upload_one("red")
    few = page_statements(client, f"/enterprises/{firm.id}")
    for color in ("blue", "green", "black", "white"):
        upload_one(color)
    assert page_statements(client, f"/enterprises/{firm.id}") == few
