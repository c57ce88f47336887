"""Two records of one firm with something of every kind pointing at the second, for the merge
and undo tests."""
from __future__ import annotations

from datetime import datetime

from crm.extensions import db
from crm.models import EvidenceFile, InnovationPlatform
from tests import factories
from tests.chains import factories as chain_factories


def file_of(firm) -> EvidenceFile:
    row = EvidenceFile(kind="enterprise", enterprise_id=firm.id, sha256="0" * 64, mime="application/pdf", size=10,
                       display_name="营业执照.pdf")
    return factories._save(row)


def twin_firms() -> dict:
    """survivor 东北农业集团有限公司 and loser 东北农业（集团）股份公司, each with its own rows,
    the loser also sharing a project, a chain link and a tag with the survivor."""
    survivor = factories.enterprise(name="东北农业集团有限公司", short_name="东北农业", tags=["龙头企业"],
                                    region="黑龙江省哈尔滨市")
    loser = factories.enterprise(name="东北农业（集团）股份公司", short_name="东北农业", tags=["龙头企业", "专精特新"],
                                 credit_code=factories.valid_credit_code(), region="黑龙江省绥芬河市",
                                 website="https://dbny.example.cn")
    shared, own = factories.project(), factories.project()
    shared.investors.extend([survivor, loser])
    own.investors.append(loser)
    chain = chain_factories.chain(lead_enterprise=loser)
    chain_factories.attach(chain.links[0], survivor, loser)
    chain_factories.attach(chain.links[1], loser)
    platform = factories._save(InnovationPlatform(name="寒地农业工程技术研究中心", level="省级", enterprise=loser,
                                                  recognized_on=datetime(2024, 5, 1).date()))
    rows = {
        "contact": factories.contact(loser), "interaction": factories.interaction(
            loser, occurred_at=datetime(2026, 12, 1, 2, 0), next_follow_up=datetime(2026, 12, 20).date()),
        "file": file_of(loser), "platform": platform, "chain": chain, "shared": shared, "own": own,
        "survivor_contact": factories.contact(survivor),
    }
    loser.last_interaction_at = datetime(2026, 12, 1, 2, 0)
    db.session.commit()
    return {"survivor": survivor, "loser": loser, **rows}
