"""Chains to and from Excel in one layout: an exported sheet imports back whole; a bad sheet is
refused row by row in Chinese with nothing saved."""
import io

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from crm.extensions import db
from crm.models import AuditEvent, Chain, ChainLink
from seeds import seeding
from tests.chains import factories as cf


def chains():
    return sorted((c.name, c.priority, c.description, c.plan_quote, c.to_confirm) for c in Chain.query)


def snapshot():
    return sorted((link.chain.name, link.name, link.position, link.parent.name if link.parent else None,
                   tuple(sorted(e.name for e in link.enterprises)), tuple(sorted(p.name for p in link.projects)))
                  for link in ChainLink.query)


def upload(client, data: bytes, follow=True):
    return client.post("/chains/import", data={"file": (io.BytesIO(data), "chains.xlsx")},
                       content_type="multipart/form-data", follow_redirects=follow)


def test_the_plans_chains_export_and_import_back_whole(client, login):
    seeding.load_plan()
    db.session.commit()
    before, chains_before = snapshot(), chains()
    login("admin")
    data = client.get("/chains/export.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[3]][:5] == ["产业链*", "优先级", "环节*", "位置*", "上一环节"]
    db.session.execute(sa.delete(ChainLink))
    db.session.execute(sa.delete(Chain))
    db.session.commit()

    html = upload(client, data).get_data(as_text=True)
    assert f"已导入 {len(before)} 个环节。" in html
    db.session.expire_all()
    assert snapshot() == before and chains() == chains_before
    created = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.object_type == "ChainLink",
                                                            AuditEvent.action == "create")
    assert db.session.scalar(created) == len(before)


def test_a_bad_sheet_is_refused_row_by_row_and_nothing_is_saved(client, login):
    chain = cf.chain(name="已有测试链", links=("种植",))
    book = Workbook()
    ws = book.active
    ws.append(["产业链", "环节", "位置", "上一环节", "企业"])
    ws.append(["已有测试链", "加工", "中游", "种植", None])  # good
    ws.append(["已有测试链", "销售", "末端", "包装", "不存在的贸易公司"])
    ws.append([None, "储运", "下游", None, None])
    out = io.BytesIO()
    book.save(out)
    login("admin")
    html = upload(client, out.getvalue()).get_data(as_text=True)
    assert "没有导入任何记录：表中有 4 处问题。" in html
    for message in ("请填写上游、中游或下游。", "上一环节须是同一产业链中已有或表中前面的环节。",
                    "系统中没有这些企业：不存在的贸易公司", "必填。"):
        assert message in html
    assert [link.name for link in db.session.get(Chain, chain.id).links] == ["种植"]
