"""The brochure's own flowables: bands, tiles, rows, headings and markers.

Light stand-ins for Tables where possible (tables wrap their cells several times over), plus the
pieces reportlab has no equivalent for (a band bleeding to the page edge, a card anchored at the
bottom of the frame).
"""
from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer

from crm.services.brochures.fonts import BOLD
from crm.services.brochures.text import _P, _esc
from crm.services.brochures.theme import ACCENT, FRAME_H, MARGIN_TOP, PAGE_H, PAGE_W, RULE


class _Band(Flowable):
    """A coloured block that bleeds to the page edges when it sits at the top of the frame."""

    def __init__(self, content: Flowable, color: colors.Color, *, toc_entry=None, min_height=0,
                 full_page=False):
        super().__init__()
        self.content = content
        self.color = color
        self.toc_entry = toc_entry  # (level, plain text, markup, key) for the TOC and outline
        self.min_height = min_height
        self.full_page = full_page  # a divider page: colour to every edge, footer hidden

    def wrap(self, avail_width, avail_height):
        w, h = self.content.wrapOn(self.canv, avail_width, avail_height)
        self.width, self.height = avail_width, max(h, self.min_height)
        self._content_h = h
        return self.width, self.height

    def draw(self):
        canv = self.canv
        x0, y0 = canv.absolutePosition(0, 0)
        top_gap = PAGE_H - (y0 + self.height)
        left = x0
        right = PAGE_W - (x0 + self.width)
        up = top_gap if top_gap <= MARGIN_TOP + 1 else 0
        canv.saveState()
        canv.setFillColor(self.color)
        if self.full_page:
            canv.rect(-left, -y0, PAGE_W, PAGE_H, stroke=0, fill=1)
            canv.setFillColor(ACCENT)
            canv.rect(0, self.height - self._content_h - 2, 60 * mm, 2.2, stroke=0, fill=1)
        else:
            canv.rect(-left, 0, self.width + left + right, self.height + up, stroke=0, fill=1)
            # a thin accent line under the band
            canv.setFillColor(ACCENT)
            canv.rect(-left, 0, self.width + left + right, 1.6, stroke=0, fill=1)
        canv.restoreState()
        self.content.drawOn(canv, 0, self.height - self._content_h)


class _BottomAnchored(Flowable):
    """Sits at the bottom of the frame by taking up the space left (the contact card).

    At the top of an empty frame it keeps its own height, so an overflowing card never sits
    alone at the bottom of an otherwise blank page.
    """

    def __init__(self, content: Flowable, gap: float = 10):
        super().__init__()
        self.content = content
        self.gap = gap

    def wrap(self, avail_width, avail_height):
        w, h = self.content.wrapOn(self.canv, avail_width, avail_height)
        self._content_h = h
        self.width = avail_width
        natural = h + self.gap
        at_top = avail_height >= FRAME_H - 1
        self.height = natural if at_top or natural > avail_height else avail_height - 0.5
        return self.width, self.height

    def draw(self):
        self.content.drawOn(self.canv, 0, 0)


class _KeepCardWith(Flowable):
    """A page break when the last block of text and the contact card after it do not both fit.

    Placed before that block: the card then never starts a page of its own, it moves over with
    the text it closes.  A block too tall for any page is left to flow as it would."""

    def __init__(self, items: list[Flowable]):
        super().__init__()
        self.items = items

    def _needed(self, avail_width: float) -> float:
        return sum(item.wrapOn(self.canv, avail_width, FRAME_H)[1] + item.getSpaceBefore() + item.getSpaceAfter()
                   for item in self.items)

    def wrap(self, avail_width, avail_height):
        needed = self._needed(avail_width)
        if needed > avail_height and needed <= FRAME_H and avail_height < FRAME_H - 1:
            frame = self._doctemplateAttr("frame")
            if frame is not None:
                from reportlab.platypus.doctemplate import FrameBreak
                frame.add_generated_content(FrameBreak)
        return 0, 0

    def draw(self):
        pass


def keep_card_with_text(story: list[Flowable], card: Flowable, block_start: int | None = None) -> list[Flowable]:
    """The story with the card appended, kept on one page with the block it closes: from
    `block_start` (the last section's first flowable) when that block and the card fit on one
    page, else with the last flowable before the card."""
    last = max((i for i, item in enumerate(story) if not isinstance(item, Spacer)), default=None)
    if last is None:
        return [*story, card]
    starts = [last] if block_start is None or block_start >= last else [block_start, last]
    guards = [_KeepCardWith([*story[start:], card]) for start in starts]
    if len(starts) == 1:
        return [*story[:last], guards[0], *story[last:], card]
    # The block's guard breaks the page when the whole block fits on a fresh one; the
    # last flowable's guard still holds when the block alone is too tall for a page.
    return [*story[:block_start], guards[0], *story[block_start:last], guards[1], *story[last:], card]


class _Chips(Flowable):
    """Small rounded labels in a row: (text, fill, text colour, border)."""

    def __init__(self, chips, size=8.5, pad_x=6, height=16):
        super().__init__()
        self.chips = chips
        self.size, self.pad_x, self.chip_h = size, pad_x, height

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.height = self.chip_h
        return self.width, self.height

    def draw(self):
        canv = self.canv
        x = 0
        for text, fill, ink, border in self.chips:
            w = stringWidth(text, BOLD, self.size) + 2 * self.pad_x
            if x + w > self.width:
                break
            canv.saveState()
            if fill is not None:
                canv.setFillColor(fill)
            if border is not None:
                canv.setStrokeColor(border)
                canv.setLineWidth(0.8)
            canv.roundRect(x, 0, w, self.chip_h, 3, stroke=border is not None, fill=fill is not None)
            canv.setFillColor(ink)
            canv.setFont(BOLD, self.size)
            canv.drawString(x + self.pad_x, (self.chip_h - self.size) / 2 + 1.2, text)
            canv.restoreState()
            x += w + 6


class _Mark(Flowable):
    """Zero-size marker: the document template counts a project as laid out when it passes."""

    def __init__(self, project_id: int):
        super().__init__()
        self.project_id = project_id
        self.width = self.height = 0

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        pass


class _Stack(Flowable):
    """Flowables one above the other inside padding, on an optional fill with a top rule.

    A light stand-in for a one-cell Table (tables wrap their cells several times over).  It does
    not split, so it is only used for small blocks: tiles, cards, the band.
    """

    def __init__(self, children, *, pad=(0, 0, 0, 0), fill=None, top_rule=None, valign="top"):
        super().__init__()
        self.children = children
        self.pad = pad  # top, right, bottom, left
        self.fill = fill
        self.top_rule = top_rule  # (colour, width)
        self.valign = valign
        self.min_height = 0

    def wrap(self, avail_width, avail_height):
        top, right, bottom, left = self.pad
        inner = avail_width - left - right
        self._sizes = [child.wrapOn(self.canv, inner, 1e6)[1] for child in self.children]
        self._content_h = sum(self._sizes)
        self.width = avail_width
        self.height = max(top + self._content_h + bottom, self.min_height)
        return self.width, self.height

    def draw(self):
        canv = self.canv
        top, right, bottom, left = self.pad
        if self.fill is not None:
            canv.saveState()
            canv.setFillColor(self.fill)
            canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
            canv.restoreState()
        if self.top_rule is not None:
            color, width = self.top_rule
            canv.saveState()
            canv.setFillColor(color)
            canv.rect(0, self.height - width, self.width, width, stroke=0, fill=1)
            canv.restoreState()
        if self.valign == "bottom":
            y = bottom + self._content_h
        else:
            y = self.height - top
        for child, h in zip(self.children, self._sizes):
            y -= h
            child.drawOn(canv, left, y)


class _Row(Flowable):
    """Flowables side by side at fixed widths; ``stretch`` gives every column the row height."""

    def __init__(self, columns, widths, *, gap=0, valign="top", stretch=False, rule_below=None,
                 pad_y=(0, 0)):
        super().__init__()
        self.columns = columns
        self.widths = widths
        self.gap = gap
        self.valign = valign
        self.stretch = stretch
        self.rule_below = rule_below  # (colour, width)
        self.pad_y = pad_y  # top, bottom

    def wrap(self, avail_width, avail_height):
        self._sizes = [col.wrapOn(self.canv, w, 1e6)[1] for col, w in zip(self.columns, self.widths)]
        inner = max(self._sizes) if self._sizes else 0
        if self.stretch:
            for col in self.columns:
                col.height = inner
            self._sizes = [inner] * len(self.columns)
        self.width = avail_width
        self.height = inner + sum(self.pad_y)
        return self.width, self.height

    def draw(self):
        canv = self.canv
        x = 0
        top = self.height - self.pad_y[0]
        for col, w, h in zip(self.columns, self.widths, self._sizes):
            y = self.pad_y[1] if self.valign == "bottom" else top - h
            col.drawOn(canv, x, y)
            x += w + self.gap
        if self.rule_below is not None:
            color, width = self.rule_below
            canv.saveState()
            canv.setStrokeColor(color)
            canv.setLineWidth(width)
            canv.line(0, 0, self.width, 0)
            canv.restoreState()


class _Heading(Flowable):
    """Section heading: a colour bar on the left, the title, a hairline under it."""

    def __init__(self, text: str, color: colors.Color):
        super().__init__()
        self.color = color
        self.para = _P(_esc(text), "h2", text, textColor=color)

    def wrap(self, avail_width, avail_height):
        _, h = self.para.wrapOn(self.canv, avail_width - 8, avail_height)
        self._para_h = h
        self.width, self.height = avail_width, h + 6
        return self.width, self.height

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setFillColor(self.color)
        canv.rect(0, 2, 3, self.height - 2, stroke=0, fill=1)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(0, 0, self.width, 0)
        canv.restoreState()
        self.para.drawOn(canv, 8, 4)
