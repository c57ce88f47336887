"""Brochure pictures through the project page's form: images only, a place replaced, captions kept."""
from __future__ import annotations

import io

from crm.models import EvidenceFile
from tests import factories
from tests.files.test_uploads import pdf_bytes


def post(client, project, data, name="封面.png", position=0, **captions):
    return client.post(f"/files/project/{project.id}/picture", content_type="multipart/form-data",
                       data={"position": str(position), "file": (io.BytesIO(data), name), **captions})


def test_a_cover_is_set_then_replaced_and_a_pdf_is_refused(client, login):
    project = factories.project()
    login("staff")
    resp = post(client, project, factories.png_bytes(color="navy"), caption="园区规划示意图",
                caption_en="Park plan (illustration)", caption_ru="План парка (схема)")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#pictures")
    first = EvidenceFile.query.one()
    assert (first.kind, first.position, first.caption, first.caption_en, first.caption_ru) == (
        "picture", 0, "园区规划示意图", "Park plan (illustration)", "План парка (схема)")
    post(client, project, factories.png_bytes(color="maroon"), caption="新封面")
    rows = EvidenceFile.query.order_by(EvidenceFile.id).all()
    assert rows[0].removed_at is not None and rows[1].removed_at is None and rows[1].position == 0
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "新封面" in html and f"/files/{rows[1].id}/thumb" in html
    page = client.get(post(client, project, pdf_bytes(), name="合同.pdf", position=2).headers["Location"])
    assert "项目册图片须是 JPEG、PNG 或 HEIC 图片。" in page.get_data(as_text=True)
    assert EvidenceFile.query.count() == 2


def test_the_brochure_pdf_carries_the_uploaded_cover(client, login):
    from pypdf import PdfReader
    project = factories.project()
    login("staff")
    post(client, project, factories.png_bytes(size=(1200, 800), color="teal"))
    pdf = client.get(f"/brochures/projects/{project.id}.pdf").data
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages) == 1
