"""The bound catalog (招商项目册): cover, preface and overview, contents, sector openers, and
``render_catalog`` that binds them with one project story per project.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers

from crm.services.brochures import brochure_text as T
from crm.services.brochures.document import _Canvas, _Doc, _today
from crm.services.brochures.flowables import _Band
from crm.services.brochures.fonts import register_fonts
from crm.services.brochures.linebreak import _Para
from crm.services.brochures.project import _project_story
from crm.services.brochures.sheet import CatalogMeta, ProjectSheet
from crm.services.brochures.text import _P, _esc, _short, _style, _text_block
from crm.services.brochures.theme import ACCENT, BRAND, FRAME_H, FRAME_W, PAPER_TINT, RULE, sector_color


class _Toc(TableOfContents):
    """TableOfContents whose entries wrap by content (CJK or not) and break by our rules."""

    def wrap(self, availWidth, availHeight):
        entries = self._lastEntries or [(0, "", 0, None)]

        def draw_entry_end(canvas, kind, label):
            page, level, key = label.split(",", 2)
            style = self.getLevelStyle(int(level))
            dot = " . " if int(level) >= self.dotsMinLevel else ""
            drawPageNumbers(canvas, style, [(int(page), key or None)], availWidth, availHeight, dot)

        self.canv.setNamedCB("drawTOCEntryEnd", draw_entry_end)
        rows = []
        for level, text, page, key in entries:
            style = self.getLevelStyle(level)
            markup = f'<a href="#{key}">{text}</a>' if key else text
            para = _Para(f'{markup}<onDraw name="drawTOCEntryEnd" label="{page},{level},{key or ""}"/>',
                         _style(style.name.removeprefix("brochure-").removesuffix("-cjk"),
                                T.has_cjk(text)))
            if style.spaceBefore:
                rows.append([Spacer(1, style.spaceBefore)])
            rows.append([para])
        self._table = Table(rows, colWidths=(availWidth,), style=self.tableStyle)
        self.width, self.height = self._table.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height


def _group_by_sector(sheets: list[ProjectSheet]) -> list[tuple[str, list[ProjectSheet]]]:
    groups: dict[str, list[ProjectSheet]] = {}
    for sheet in sheets:
        groups.setdefault(sheet.sector_code, []).append(sheet)
    return list(groups.items())


def _sum_wan(sheets) -> Decimal | None:
    values = [Decimal(str(s.total_investment_wan)) for s in sheets if s.total_investment_wan is not None]
    return sum(values, Decimal(0)) if values else None


def _cover_story(meta: CatalogMeta, sheets, groups, lang) -> list[Flowable]:
    count = T.label("cover_count", lang, n=len(sheets), s=len(groups))
    return [
        Spacer(1, 50 * mm),
        _P(_esc(meta.city), "cover_city", meta.city),
        Spacer(1, 8),
        _P(_esc(_short(meta.title, 60)), "cover_title" if len(meta.title) <= 12 else "cover_title_small",
           meta.title),
        Spacer(1, 14),
        _P(_esc(count), "cover_sub", count),
    ]


def _overview_table(groups, lang) -> Table:
    head = [_P(_esc(T.label(k, lang)), "table_head") for k in ("sector", "projects_count", "investment_sum")]
    head[1].style = head[2].style = ParagraphStyle("th-r", parent=_style("table_head"), alignment=TA_RIGHT)
    rows = [head]
    all_sheets = []
    for code, group in groups:
        all_sheets += group
        name = group[0].sector.get(lang) or group[0].sector.get("zh") or code
        total = _sum_wan(group)
        rows.append([_P(_esc(name), "table_cell", name), _P(str(len(group)), "table_num"),
                     _P(_esc(T.format_wan(total, lang)), "table_num")])
    total = _sum_wan(all_sheets)
    rows.append([_P(_esc(T.label("all_sectors", lang)), "table_bold"),
                 _P(str(len(all_sheets)), "table_num_bold"),
                 _P(_esc(T.format_wan(total, lang)), "table_num_bold")])
    t = Table(rows, colWidths=[FRAME_W * 0.5, FRAME_W * 0.2, FRAME_W * 0.3], repeatRows=1)
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), BRAND),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, PAPER_TINT]),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, BRAND),
        ("LINEBELOW", (0, 1), (-1, -2), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
    ]))
    return t


def _sector_opener(code: str, group: list[ProjectSheet], lang: str, index: int) -> list[Flowable]:
    color = sector_color(code)
    name = group[0].sector.get(lang) or group[0].sector.get("zh") or code
    stats = T.label("projects_in_sector", lang, n=len(group))
    total = _sum_wan(group)
    if total is not None:
        stats += f"  ·  {T.label('investment_sum', lang)} {T.format_wan(total, lang)}"
    kicker = f"{index:02d}"  # an en/ru edition prints no Chinese beside the sector's name
    content = [
        Spacer(1, 80 * mm),
        _P(_esc(kicker), "sector_kicker", kicker),
        Spacer(1, 8),
        _P(_esc(name), "sector_title", name),
        Spacer(1, 10),
        _P(_esc(stats), "sector_stats", stats),
        Spacer(1, 18),
    ]
    inner = Table([[content]], colWidths=[FRAME_W])
    inner.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [_Band(inner, color, toc_entry=(0, name, _esc(name), f"s-{code}"), min_height=FRAME_H - 1,
                  full_page=True)]


def render_catalog(sheets: list[ProjectSheet], meta: CatalogMeta, *,
                   progress: Callable[[int, int], None] | None = None,
                   today: date | None = None) -> bytes:
    """The bound catalog: cover, preface and overview, contents, then per sector an opener page
    and one page (two if the text runs long) per project.

    ``progress(done, total)`` is called after each project is laid out.  The catalog needs two
    layout passes (the second one prints the real page numbers in the contents), so ``total`` is
    twice the project count and ``done`` runs up through both passes; the last call is
    ``(total, total)`` once the PDF is written.
    """
    register_fonts()
    lang = T.norm_lang(meta.lang)
    groups = _group_by_sector(sheets)
    buffer = io.BytesIO()
    doc = _Doc(buffer, lang=lang, today=_today(today), footer_text=f"{meta.city} · {meta.title}",
               title=f"{meta.city} {meta.title} {meta.year}", progress=progress,
               project_count=len(sheets))
    doc._firstPageTemplateIndex = 1  # cover
    doc.cover_year = meta.year
    doc.layout_only_first_pass = bool(sheets)

    toc = _Toc(levelStyles=[_style("toc0"), _style("toc1")], dotsMinLevel=1,
               tableStyle=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                      ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                      ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                      ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    story: list[Flowable] = _cover_story(meta, sheets, groups, lang)
    story += [NextPageTemplate("body"), PageBreak()]
    if meta.opening:
        story += meta.opening + [PageBreak()]
    story += [_P(_esc(T.label("preface", lang)), "h1"), Spacer(1, 4),
              Table([[""]], colWidths=[24 * mm], rowHeights=[2.2],
                    style=[("BACKGROUND", (0, 0), (-1, -1), ACCENT)], hAlign="LEFT"),
              Spacer(1, 14)]
    story += _text_block(meta.preface or "", "preface")
    story += [Spacer(1, 16), _P(_esc(T.label("at_a_glance", lang)), "h2"), Spacer(1, 8),
              _overview_table(groups, lang), PageBreak()]
    story += [_P(_esc(T.label("contents", lang)), "h1"), Spacer(1, 4),
              Table([[""]], colWidths=[24 * mm], rowHeights=[2.2],
                    style=[("BACKGROUND", (0, 0), (-1, -1), ACCENT)], hAlign="LEFT"),
              Spacer(1, 10), toc]

    seed = []
    for index, (code, group) in enumerate(groups, start=1):
        story.append(PageBreak())
        opener = _sector_opener(code, group, lang, index)
        seed.append(opener[0].toc_entry)
        story += opener
        for sheet in group:
            story.append(PageBreak())
            project = _project_story(sheet, lang, toc_level=1)
            seed.append(project[0].toc_entry)
            story += project
    # Seed the contents with the final entries (page numbers unknown yet, 0 never matches a real
    # page): pass 1 then lays out a contents of the right length and collects the real numbers,
    # pass 2 prints them and finds nothing changed.
    toc._entries = [(level, markup, 0, key) for level, _plain, markup, key in seed]
    doc.multiBuild(story, canvasmaker=_Canvas, maxPasses=6)
    if progress is not None:
        progress(2 * len(sheets), 2 * len(sheets))
    return buffer.getvalue()
