"""A merge of two firms, done by the service as an administrator would (for URL samples and page tests)."""
from __future__ import annotations

from crm.extensions import db
from crm.models import AuditEvent
from crm.services.duplicates import merge
from tests import factories


def merge_event(admin, **loser_fields) -> AuditEvent:
    n = factories._n()
    survivor = factories.enterprise(name=f"合并样例{n}有限公司", short_name=f"样例{n}")
    loser = factories.enterprise(name=f"合并样例{n}集团", short_name=f"样例{n}", **loser_fields)
    factories.contact(loser)
    event = merge.merge(admin, survivor.id, loser.id, {"name": "loser"}, {survivor.id: survivor.version, loser.id: loser.version})
    db.session.commit()
    return event
