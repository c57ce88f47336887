"""The page template shared by single projects and the catalog.

Footer with "第 x 页 / 共 y 页", the catalog cover background, table-of-contents notifications and
progress reports; the catalog's first pass only lays out, so its frames skip drawing then.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from crm.services.brochures import brochure_text as T
from crm.services.brochures.flowables import _Mark
from crm.services.brochures.fonts import BOLD, REGULAR
from crm.services.brochures.theme import (
    ACCENT,
    BRAND,
    BRAND_DARK,
    FOOTER_Y,
    FRAME_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    PAGE_W,
    RULE,
    _mix,
)
from crm.services.core.clock import local_today

_TOTAL_FORM = "brochurePageTotal"


def _skip_draw(canvas, x, y, _sW=0):
    pass


class _Frame(Frame):
    """On a layout-only pass (the catalog's first), place flowables without drawing them."""

    def _add(self, flowable, canv, trySplit=0):
        if not getattr(canv, "_layout_only", False):
            return Frame._add(self, flowable, canv, trySplit)
        flowable.drawOn = _skip_draw
        try:
            return Frame._add(self, flowable, canv, trySplit)
        finally:
            flowable.__dict__.pop("drawOn", None)

    add = _add


class _Canvas(Canvas):
    """Defines the page-total form just before saving, when the page count is known.

    Each footer draws "第 x 页 / 共 " and then this form, so one pass suffices for "共 y 页".
    """

    _total_lang = "zh"
    _layout_only = False

    def save(self):
        total = self._pageNumber if self._code else self._pageNumber - 1
        self.beginForm(_TOTAL_FORM)
        self.setFont(REGULAR, 8)
        self.setFillColor(MUTED)
        self.drawString(0, 0, T.page_label_total(max(total, 1), self._total_lang))
        self.endForm()
        # Plain Flate streams: ASCII85 on top makes the file a quarter larger and the save slower.
        previous = rl_config.useA85
        rl_config.useA85 = 0
        try:
            super().save()
        finally:
            rl_config.useA85 = previous


class _Doc(BaseDocTemplate):
    def __init__(self, buffer, *, lang: str, today: date, footer_text: str, title: str,
                 progress: Callable[[int, int], None] | None = None, project_count: int = 0,
                 **kw):
        super().__init__(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=title,
                         author=T.label("contact_org", lang), creator="招商项目管家",
                         subject=T.label("brand", lang), lang={"zh": "zh-CN", "en": "en",
                                                                 "ru": "ru"}[lang], **kw)
        self.lang = lang
        self.today = today
        self.cover_year = None
        self.footer = f"{footer_text}  ·  {T.format_date(today, lang)}"
        self.progress = progress
        self.project_count = project_count
        self.passes = 0
        self.layout_only_first_pass = False
        self._done_projects = 0
        frame = _Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        cover = _Frame(MARGIN_X + 6 * mm, 110 * mm, FRAME_W - 12 * mm, PAGE_H - 140 * mm,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="cover")
        self.addPageTemplates([
            PageTemplate("body", frames=[frame], onPage=self._footer),
            PageTemplate("cover", frames=[cover], onPage=_draw_cover_background),
        ])

    def handle_documentBegin(self):
        self.passes += 1
        self.canv._total_lang = self.lang
        self.canv._layout_only = self.layout_only_first_pass and self.passes == 1
        self._done_projects = 0
        super().handle_documentBegin()

    def _footer(self, canv, doc):
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN_X, FOOTER_Y + 11, PAGE_W - MARGIN_X, FOOTER_Y + 11)
        canv.setFont(REGULAR, 8)
        canv.setFillColor(MUTED)
        prefix = T.page_label_prefix(doc.page, self.lang)
        canv.drawString(MARGIN_X, FOOTER_Y, prefix)
        canv.drawRightString(PAGE_W - MARGIN_X, FOOTER_Y, self.footer)
        canv.translate(MARGIN_X + stringWidth(prefix, REGULAR, 8), FOOTER_Y)
        canv.doForm(_TOTAL_FORM)
        canv.restoreState()

    def afterFlowable(self, flowable):
        entry = getattr(flowable, "toc_entry", None)
        if entry:
            level, plain, markup, key = entry
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(plain, key, level=level, closed=level == 0)
            self.notify("TOCEntry", (level, markup, self.page, key))
        if isinstance(flowable, _Mark) and self.progress is not None:
            self._done_projects += 1
            # two layout passes are the norm (see catalog.render_catalog): report both as one scale
            done = min(self._done_projects + (self.passes - 1) * self.project_count,
                       2 * self.project_count - 1)
            self.progress(done, 2 * self.project_count)


def _draw_cover_background(canv, doc):
    """The catalog cover: navy page, ornament, the year in gold, the issuer in the dark foot."""
    lang = doc.lang
    canv.saveState()
    canv.setFillColor(BRAND)
    canv.rect(0, 0, PAGE_W, PAGE_H, stroke=0, fill=1)
    canv.setFillColor(BRAND_DARK)
    canv.rect(0, 0, PAGE_W, 58 * mm, stroke=0, fill=1)
    # quiet geometric ornament: concentric arcs in the upper right
    canv.setStrokeColor(_mix(BRAND, colors.white, 0.12))
    canv.setLineWidth(1)
    for r in range(40, 260, 22):
        canv.circle(PAGE_W + 10, PAGE_H - 40, r, stroke=1, fill=0)
    x = MARGIN_X + 6 * mm
    canv.setFillColor(_mix(BRAND, colors.white, 0.55))
    canv.setFont(REGULAR, 9)
    canv.drawString(x, PAGE_H - 30 * mm, T.brand_line(lang))
    if doc.cover_year is not None:
        canv.setFillColor(ACCENT)
        canv.setFont(BOLD, 64)
        canv.drawString(x, 58 * mm + 16 * mm, str(doc.cover_year))
    canv.setFillColor(ACCENT)
    canv.rect(x, 58 * mm - 1.1, 60 * mm, 2.2, stroke=0, fill=1)
    canv.setFillColor(colors.white)
    canv.setFont(BOLD, 11)
    canv.drawString(x, 36 * mm, T.label("cover_issuer", lang))
    canv.setFillColor(_mix(BRAND, colors.white, 0.55))
    canv.setFont(REGULAR, 9)
    canv.drawString(x, 29 * mm, f"{T.label('issued_on', lang)}  {T.format_date(doc.today, lang)}")
    canv.restoreState()


def _today(today: date | None) -> date:
    """The issue date: ``today`` when given (tests, rebuilds), else the app clock's local date."""
    return today if today is not None else local_today()
