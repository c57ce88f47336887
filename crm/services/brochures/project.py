"""One project: its story (band, key figures, facts, texts, contact card) and ``render_project``.

The catalog reuses ``_project_story`` for each of its project pages, with a table-of-contents level.
"""
from __future__ import annotations

import io
from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Image, Spacer

from crm.services.brochures import brochure_text as T
from crm.services.brochures.document import _Canvas, _Doc, _today
from crm.services.brochures.flowables import (
    _Band,
    _BottomAnchored,
    _Chips,
    _Heading,
    _Mark,
    _Row,
    _Stack,
    keep_card_with_text,
)
from crm.services.brochures.fonts import register_fonts
from crm.services.brochures.images import pixels, print_image
from crm.services.brochures.qr import _QR
from crm.services.brochures.sheet import ProjectSheet
from crm.services.brochures.text import _P, _esc, _own, _plain_in, _short, _text_block, _tr
from crm.services.brochures.theme import FRAME_W, MUTED, RULE, STAGE_COLORS, _hex, _mix, sector_color

MAX_INVESTORS = 12  # a fact row must never outgrow a page
COVER_H = 52 * mm  # the cover across the page under the band
PICTURE_H = 50 * mm  # each of the pictures, two to a row
PICTURE_GAP = 8
PICTURE_W = (FRAME_W - PICTURE_GAP) / 2


def frame(position: int) -> tuple[float, float]:
    """A picture's printed size in points: the cover across the frame, the others half of it."""
    return (FRAME_W, COVER_H) if position == 0 else (PICTURE_W, PICTURE_H)
_KEEP_WITH_HEADING = 70  # points: a heading starts a new page unless three lines fit under it


def _sector_name(sheet: ProjectSheet, lang: str) -> str:
    return sheet.sector.get(lang) or sheet.sector.get("zh") or sheet.sector_code


def _project_band(sheet: ProjectSheet, lang: str, color: colors.Color, toc_level: int | None):
    name = _tr(sheet.name, lang)
    name_markup, name_raw = name or (_esc(f"#{sheet.id}"), f"#{sheet.id}")
    if len(name_raw) > 200:
        name_raw = _short(name_raw, 200)
        name_markup = _esc(name_raw)
    title_style = "band_title" if len(name_raw) <= 40 else "band_title_small"
    stage = T.stage_name(sheet.stage, lang)
    kicker = T.brand_line(lang)
    number = f"{T.label('project_no', lang)} {sheet.id:04d}" if isinstance(sheet.id, int) \
        else f"{T.label('project_no', lang)} {sheet.id}"
    stage_color = colors.HexColor(STAGE_COLORS.get(sheet.stage, "#5E6B7D"))
    chips = _Chips([
        (_sector_name(sheet, lang), None, colors.white, colors.white),
        (stage, colors.white, stage_color, None),
    ])
    qr_w = 29 * mm
    left_w = FRAME_W - qr_w - 10
    left = _Stack([
        _P(f'{_esc(kicker)}<font color="{_hex(_mix(color, colors.white, 0.55))}">   |   '
           f'{_esc(number)}</font>', "band_kicker", kicker + number,
           textColor=_mix(color, colors.white, 0.8)),
        Spacer(1, 10),
        _P(name_markup, title_style, name_raw),
        Spacer(1, 9),
        chips,
    ], valign="bottom")
    right = _Stack([_QR(sheet.url, qr_w), Spacer(1, 3),
                    _P(_esc(T.label("qr_caption", lang)), "qr_caption", T.label("qr_caption", lang))])
    row = _Row([left, right], [left_w, qr_w + 10], gap=0, stretch=True)
    inner = _Stack([row], pad=(14, 0, 16, 0))
    toc = None
    if toc_level is not None:
        plain = T.pick(sheet.name, lang)[0] or f"#{sheet.id}"
        toc = (toc_level, plain, _esc(_short(plain, 120)), f"p{sheet.id}")
    return _Band(inner, color, toc_entry=toc, min_height=46 * mm)


def _kpis(sheet: ProjectSheet, lang: str, color: colors.Color) -> _Row:
    tbd = T.label("tbd", lang)

    def money(v):
        return T.format_wan(v, lang) if v is not None else tbd

    jobs = T.format_int(sheet.jobs, lang) if sheet.jobs is not None else tbd
    if sheet.jobs is not None and T.label("jobs_unit", lang):
        jobs += " " + T.label("jobs_unit", lang)
    items = [("total_investment", money(sheet.total_investment_wan)),
             ("fixed_investment", money(sheet.fixed_investment_wan)),
             ("jobs", jobs)]
    tint = _mix(color, colors.white, 0.9)
    value_color = _mix(color, colors.black, 0.15)
    tiles = []
    for key, value in items:
        muted = value == tbd
        tiles.append(_Stack([
            _P(_esc(T.label(key, lang)), "kpi_label", T.label(key, lang)),
            Spacer(1, 2),
            _P(_esc(value), "kpi_value", value, textColor=MUTED if muted else value_color,
               fontSize=12 if muted else 16),
        ], pad=(9, 8, 9, 10), fill=tint, top_rule=(color, 2)))
    gap = 8
    col = (FRAME_W - 2 * gap) / 3
    return _Row(tiles, [col, col, col], gap=gap, stretch=True)


def _facts(sheet: ProjectSheet, lang: str, color: colors.Color) -> list[Flowable]:
    """One row flowable per fact, so the list breaks between rows when a page fills up."""
    label_w = 38 * mm if lang != "zh" else 28 * mm
    rows: list[Flowable] = []

    def add(key, pair):
        if pair is None:
            return
        markup, raw = pair
        label = T.label(key, lang)
        rows.append(_Row([_P(_esc(label), "fact_label", label), _P(markup, "fact_value", raw)],
                         [label_w, FRAME_W - label_w - 6], gap=6, rule_below=(RULE, 0.4),
                         pad_y=(5.5, 5)))

    sector = _sector_name(sheet, lang)
    add("sector", (_esc(sector), sector))
    stage = T.stage_name(sheet.stage, lang)
    add("stage", (_esc(stage), stage))
    add("site", _tr(sheet.site, lang))
    add("park", _tr(sheet.park_name, lang))
    add("land", _plain_in(_short(sheet.land_text, 300), lang))
    add("capacity", _own({code: _short(text, 300) for code, text in sheet.capacity.items()}, lang))
    add("lead_department", _tr(sheet.lead_department, lang))
    # Each firm in the edition's language where it has a name in it, else its Chinese name marked.
    investors = [pair for names in sheet.investors
                 if (pair := _tr({code: _short(name, 120) for code, name in names.items() if name}, lang))]
    if len(investors) > MAX_INVESTORS:
        investors = investors[:MAX_INVESTORS - 1] + [("…", "…")]
    if investors:
        add("investors", ("<br/>".join(markup for markup, _raw in investors),
                          "".join(raw for _markup, raw in investors)))
    else:
        text = T.label("investors_open", lang)
        add("investors", (f'<font color="{_hex(color)}">{_esc(text)}</font>', text))
    return rows


def _contact(sheet: ProjectSheet, lang: str, color: colors.Color) -> _Stack:
    sep = "：" if lang == "zh" else ": "
    parts = []
    for key, value in (("contact_person", sheet.contact_name), ("phone", sheet.contact_phone),
                       ("email", sheet.contact_email)):
        if value and str(value).strip():
            parts.append(f"{_esc(T.label(key, lang))}{sep}{_esc(_short(str(value).strip(), 120))}")
    org = T.label("contact_org", lang)
    lines = [_P(_esc(T.label("contact", lang)), "contact_title", T.label("contact", lang)),
             Spacer(1, 2),
             _P(_esc(org), "contact", org)]
    if parts:
        raw = " ".join(parts)
        lines.append(_P("&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;".join(parts), "contact", raw))
    return _Stack(lines, pad=(9, 12, 11, 12), fill=_mix(color, colors.black, 0.2))


def _picture(picture, lang: str, width: float, height: float) -> _Stack | None:
    """One picture cut to its frame at print resolution, its caption in the edition's language
    under it (left out when untranslated, like any free text); None when its file is gone."""
    scaled = print_image(picture.path, pixels(width), pixels(height))
    if scaled is None:
        return None
    parts: list[Flowable] = [Image(scaled, width=width, height=height)]
    caption = _own(picture.caption, lang)
    if caption:
        parts += [Spacer(1, 3), _P(caption[0], "small", caption[1])]
    return _Stack(parts)


def _pictures(sheet: ProjectSheet, lang: str, color: colors.Color) -> list[Flowable]:
    """The pictures after the cover, two to a row under their heading."""
    gap, width = PICTURE_GAP, PICTURE_W
    cells = [cell for p in sheet.pictures if p.position > 0 and (cell := _picture(p, lang, width, PICTURE_H))]
    if not cells:
        return []
    rows: list[Flowable] = [CondPageBreak(PICTURE_H + 40), _Heading(T.label("pictures", lang), color), Spacer(1, 6)]
    for i in range(0, len(cells), 2):
        pair = cells[i:i + 2]
        rows += [_Row(pair, [width] * len(pair), gap=gap), Spacer(1, 8)]
    return rows


def _project_story(sheet: ProjectSheet, lang: str, *, toc_level: int | None = None) -> list[Flowable]:
    color = sector_color(sheet.sector_code)
    cover = next((_picture(p, lang, FRAME_W, COVER_H) for p in sheet.pictures if p.position == 0), None)
    story: list[Flowable] = [_project_band(sheet, lang, color, toc_level), Spacer(1, 12),
                             *([cover, Spacer(1, 12)] if cover else []),
                             _kpis(sheet, lang, color), Spacer(1, 16),
                             CondPageBreak(_KEEP_WITH_HEADING), _Heading(T.label("overview", lang), color)]
    story += _facts(sheet, lang, color)
    story.append(Spacer(1, 16))
    text = T.own(sheet.description, lang)
    last_block = None  # where the section the contact card closes begins
    if text:
        body = _text_block(text, "body")
        last_block = len(story) + 1  # its heading, after the CondPageBreak
        story += [CondPageBreak(_KEEP_WITH_HEADING), _Heading(T.label("description", lang), color),
                  Spacer(1, 6), *body, Spacer(1, 10)]
    pictures = _pictures(sheet, lang, color)
    if pictures:
        last_block = len(story) + 1
        story += pictures
    park = _tr(sheet.park_name, lang)
    park_text = T.own(sheet.park_description, lang)
    if park or park_text:
        block: list[Flowable] = [_Heading(T.label("park_intro", lang), color), Spacer(1, 6)]
        if park:
            block.append(_P(f"<b>{park[0]}</b>", "body", park[1], spaceAfter=2))
        if park_text:
            block += _text_block(park_text, "small")
        last_block = len(story) + 1
        story += [CondPageBreak(_KEEP_WITH_HEADING), *block, Spacer(1, 10)]
    story = keep_card_with_text(story, _BottomAnchored(_contact(sheet, lang, color)), last_block)
    return [*story, _Mark(sheet.id)]


def render_project(sheet: ProjectSheet, lang: str = "zh", *, today: date | None = None) -> bytes:
    """One project as a 1–2 page A4 PDF."""
    register_fonts()
    lang = T.norm_lang(lang)
    buffer = io.BytesIO()
    name = T.pick(sheet.name, lang)[0] or f"#{sheet.id}"
    doc = _Doc(buffer, lang=lang, today=_today(today), footer_text=T.label("brand", lang),
               title=name)
    doc.build(_project_story(sheet, lang), canvasmaker=_Canvas)
    return buffer.getvalue()
