"""Factories for chains and their links (kept beside the chain tests, on top of tests/factories.py)."""
from __future__ import annotations

from crm.extensions import db
from crm.models import Chain, ChainLink
from tests import factories


def chain(links=("上游环节", "中游环节", "下游环节"), commit: bool = True, **kw) -> Chain:
    """A chain whose links follow each other in the given order."""
    kw.setdefault("name", f"测试产业链{factories._n()}")
    c = Chain(**kw)
    previous = None
    for seq, name in enumerate(links, start=1):
        position = "upstream" if seq == 1 else "downstream" if seq == len(links) else "midstream"
        previous = ChainLink(chain=c, name=name, seq=seq, position=position, parent=previous)
    return factories._save(c, commit)


def local_firm(**kw):
    kw.setdefault("region", "黑龙江省绥芬河市")
    return factories.enterprise(**kw)


def target_firm(**kw):
    kw.setdefault("region", "广东省东莞市")
    return factories.enterprise(**kw)


def attach(link: ChainLink, *items) -> ChainLink:
    for item in items:
        (link.projects if hasattr(item, "stage") else link.enterprises).append(item)
    db.session.commit()
    return link


def sample_chain() -> Chain:
    """One fixed chain (found or made) for the access matrix's URL samples."""
    return Chain.query.filter_by(name="访问样例产业链").first() or chain(name="访问样例产业链")


def sample_link() -> ChainLink:
    return sample_chain().links[0]
