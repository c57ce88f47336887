"""The stage form's files, its evidence rule and its confirm step."""
from __future__ import annotations

import io
from datetime import date

from crm.extensions import db
from crm.models import EvidenceFile, StageEvent
from tests import factories


def move(client, project, **data):
    return client.post(f"/projects/{project.id}/stage", data=data, content_type="multipart/form-data")


def _signable():
    return factories.project(stage="contact", contacted_on=date(2025, 1, 5))


def test_a_signing_without_a_file_is_refused_saying_what_is_missing(client, login):
    login("staff")
    project = _signable()
    html = move(client, project, to_stage="signed", occurred_on="2025-02-05", contract_amount="800",
                confirmed="y").get_data(as_text=True)
    assert "变更到“签约”须上传佐证材料：签约合同或投资协议。" in html
    assert StageEvent.query.count() == 0 and EvidenceFile.query.count() == 0


def test_nothing_moves_until_the_confirm_box_is_ticked(client, login):
    login("staff")
    project = _signable()
    resp = move(client, project, **{k: v for k, v in factories.stage_post(
        to_stage="signed", occurred_on="2025-02-05", contract_amount="800").items() if k != "confirmed"})
    assert "请核对后勾选确认，再记录阶段变更。" in resp.get_data(as_text=True)
    assert StageEvent.query.count() == 0 and EvidenceFile.query.count() == 0


def test_a_confirmed_signing_keeps_its_contract_on_the_stage_record(client, login):
    login("staff")
    project = _signable()
    photo = io.BytesIO(factories.png_bytes(color="teal"))
    resp = move(client, project, to_stage="signed", occurred_on="2025-02-05", contract_amount="800", confirmed="y",
                file_caption="签约仪式", files=[(photo, "签约.png")])
    assert resp.status_code == 302
    event = StageEvent.query.one()
    row = EvidenceFile.query.one()
    assert (row.kind, row.stage_event_id, row.project_id, row.caption) == ("stage", event.id, project.id, "签约仪式")
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/files/{row.id}/thumb" in html


def test_a_bad_file_refuses_the_whole_move(client, login):
    login("staff")
    project = _signable()
    move(client, project, to_stage="signed", occurred_on="2025-02-05", contract_amount="800", confirmed="y",
         files=[(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "合同.pdf")])
    db.session.refresh(project)
    assert project.stage == "contact" and StageEvent.query.count() == 0 and EvidenceFile.query.count() == 0


def test_the_administrator_decides_which_stages_need_a_file(client, login):
    login("admin")
    page = client.get("/files/stage-rules").get_data(as_text=True)
    assert "施工许可证或注明日期的现场照片" in page
    form = {"required_contact": "y", "what_contact": "洽谈纪要"}  # 签约 left unticked
    assert client.post("/files/stage-rules", data=form).status_code == 302
    planned, signable = factories.project(), _signable()
    html = move(client, planned, to_stage="contact", occurred_on="2025-01-05", confirmed="y").get_data(as_text=True)
    assert "变更到“洽谈”须上传佐证材料：洽谈纪要。" in html
    assert move(client, signable, to_stage="signed", occurred_on="2025-02-05", contract_amount="800",
                confirmed="y").status_code == 302
    assert StageEvent.query.one().to_stage == "signed"
