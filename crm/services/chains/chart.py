"""The chain map's data for ECharts (a graph series with fixed positions): one node per link, laid
out left to right by depth (a link sits one column right of its parent, so branches fan out),
coloured by state, sized by investment; one edge per parent → link."""
from __future__ import annotations

from collections.abc import Callable
from math import sqrt

from crm.i18n import lazy_gettext as _l
from crm.models import Chain, ChainLink
from crm.services.chains.gaps import LinkState, state_of

STATE_LABELS = {"local": _l("有本地企业"), "talks": _l("有在谈项目"), "gap": _l("空白")}
STATE_COLOURS = {"local": "#198754", "talks": "#fd7e14", "gap": "#dc3545"}
POSITION_LABELS = {"upstream": _l("上游"), "midstream": _l("中游"), "downstream": _l("下游")}
COLUMN_GAP, ROW_GAP, MIN_SIZE, MAX_SIZE = 180, 90, 28, 72


def _depths(links: list[ChainLink]) -> dict[int, int]:
    by_id = {link.id: link for link in links}
    depths: dict[int, int] = {}
    for link in links:  # links come in plan order, so a parent usually precedes its child
        depth, parent, seen = 0, by_id.get(link.parent_id), {link.id}
        while parent is not None and parent.id not in seen:
            depth, seen = depth + 1, seen | {parent.id}
            parent = by_id.get(parent.parent_id)
        depths[link.id] = depth
    return depths


def _size(investment, largest) -> float:
    if not largest:
        return MIN_SIZE
    return round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * sqrt(float(investment) / float(largest)), 1)


def map_data(chain: Chain, states: dict[int, LinkState], link_url: Callable[[ChainLink], str]) -> dict:
    links = list(chain.links)
    depths = _depths(links)
    rows: dict[int, int] = {}
    largest = max((state_of(states, link).investment for link in links), default=0)
    nodes = []
    for link in links:
        state = state_of(states, link)
        depth = depths[link.id]
        row = rows[depth] = rows.get(depth, -1) + 1
        nodes.append({"id": str(link.id), "name": link.label(), "x": depth * COLUMN_GAP, "y": row * ROW_GAP,
                      "state": state.state, "stateLabel": str(STATE_LABELS[state.state]),
                      "position": str(POSITION_LABELS.get(link.position, link.position)),
                      "investment": float(state.investment), "symbolSize": _size(state.investment, largest),
                      "itemStyle": {"color": STATE_COLOURS[state.state]}, "url": link_url(link)})
    edges = [{"source": str(link.parent_id), "target": str(link.id)} for link in links
             if link.parent_id in depths]
    legend = [{"state": s, "label": str(label), "colour": STATE_COLOURS[s]} for s, label in STATE_LABELS.items()]
    return {"nodes": nodes, "edges": edges, "legend": legend, "wan": str(_l("万元"))}
