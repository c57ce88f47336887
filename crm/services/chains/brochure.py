"""A chain's map as the opening page of a catalog built for that chain (reportlab): the links laid
out as on the chain map page (services/chains/chart.py), coloured by state, with the plan's words."""
from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Chain
from crm.services.brochures.fonts import REGULAR
from crm.services.brochures.text import _P, _esc
from crm.services.brochures.theme import FRAME_W, MUTED
from crm.services.chains.chart import COLUMN_GAP, ROW_GAP, STATE_COLOURS, STATE_LABELS, map_data
from crm.services.chains.gaps import link_states

BOX_W, BOX_H, FONT_SIZE = 96, 30, 8.5


def _fit(text: str, width: float) -> str:
    """The label cut to the box, with an ellipsis when it does not fit."""
    while text and stringWidth(text, REGULAR, FONT_SIZE) > width:
        text = text[:-2] + "…" if len(text) > 1 else ""
    return text


class _Map(Flowable):
    """A Drawing as a plain flowable (the catalog's document sets attributes a Drawing refuses)."""

    def __init__(self, drawing: Drawing):
        super().__init__()
        self.drawing = drawing

    def wrap(self, availWidth, availHeight):
        return self.drawing.width, self.drawing.height

    def draw(self):
        renderPDF.draw(self.drawing, self.canv, 0, 0)


def _drawing(data: dict) -> Drawing:
    nodes = data["nodes"]
    columns = max((n["x"] for n in nodes), default=0) / COLUMN_GAP + 1
    rows = max((n["y"] for n in nodes), default=0) / ROW_GAP + 1
    scale = min(1.0, (FRAME_W - BOX_W) / max((columns - 1) * COLUMN_GAP, 1))
    height = rows * (BOX_H + 24)
    drawing = Drawing(FRAME_W, height)
    place = {n["id"]: (n["x"] * scale, height - BOX_H - n["y"] / ROW_GAP * (BOX_H + 24)) for n in nodes}
    for edge in data["edges"]:
        (x1, y1), (x2, y2) = place[edge["source"]], place[edge["target"]]
        drawing.add(Line(x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2, strokeColor=MUTED, strokeWidth=1))
    for node in nodes:
        x, y = place[node["id"]]
        drawing.add(Rect(x, y, BOX_W, BOX_H, rx=4, ry=4, fillColor=colors.HexColor(STATE_COLOURS[node["state"]]),
                         strokeColor=None))
        drawing.add(String(x + BOX_W / 2, y + BOX_H / 2 - 3, _fit(node["name"], BOX_W - 8), fontName=REGULAR,
                           fontSize=FONT_SIZE, fillColor=colors.white, textAnchor="middle"))
    return drawing


def opening_page(chain_id: int) -> list[Flowable]:
    """The chain's name, its plan sentence, the map and the legend; empty for a missing chain."""
    chain = db.session.get(Chain, chain_id, options=[selectinload(Chain.links)])
    if chain is None:
        return []
    data = map_data(chain, link_states(chain.id), lambda link: "")
    story: list[Flowable] = [_P(_esc(chain.label()), "h1"), Spacer(1, 6)]
    if chain.plan_quote:
        story += [_P(_esc(chain.plan_quote), "small"), Spacer(1, 10)]
    story += [_Map(_drawing(data)), Spacer(1, 10)]
    legend = "　".join(f'<font color="{STATE_COLOURS[s]}">■</font> {_esc(str(label))}'
                      for s, label in STATE_LABELS.items())
    story.append(_P(legend, "small"))
    return story
