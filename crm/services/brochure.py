"""Printable brochures (reportlab): one project, or a bound catalog (招商项目册).

The renderer takes plain, already-resolved data (``ProjectSheet``), never ORM objects, so it can be
tested without a database and a worker can build the sheets in one eager-loaded query.

Typography rules kept here:

* every style uses the embedded Noto Sans SC (``fonts.register_fonts``), so zh/en/ru never show tofu;
* paragraphs whose text contains CJK wrap character by character with line-breaking rules
  (禁则, kinsoku): no line starts with closing punctuation such as ，。、；：？！）》 and no line ends
  with an opening one.  reportlab's own CJK wrap only knows part of that list and only hangs one
  character, so ``_kinsoku_split`` replaces it (see ``_Para``);
* all user text goes through ``_esc`` before it meets paragraph markup;
* missing en/ru translations print the Chinese original followed by ``(中文原文)``.

Speed: fonts are registered once per process, styles are built once, QR matrices are cached by URL,
and the catalog's table of contents is seeded with its final entries so ``multiBuild`` settles in two
passes; the first pass only lays out, so it skips the QR drawing.
"""
from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Callable
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame,
                                NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer, Table,
                                TableStyle)
from reportlab.pdfbase.pdfmetrics import getAscentDescent
from reportlab.platypus.paragraph import FragLine, ParaLines, _handleBulletWidth
from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers
from reportlab import rl_config
from reportlab.rl_config import _FUZZ

from crm.services import brochure_text as T
from crm.services.fonts import BOLD, REGULAR, register_fonts

__all__ = ["ProjectSheet", "CatalogMeta", "render_project", "render_catalog"]


# --------------------------------------------------------------------------------------------
# Input data
# --------------------------------------------------------------------------------------------

@dataclass
class ProjectSheet:
    """Everything one brochure page needs, already resolved (no lazy loading here)."""
    id: int
    name: dict[str, str | None]
    description: dict[str, str | None]  # 建设主要内容
    site: dict[str, str | None]  # 拟建地点
    sector: dict[str, str]  # sector name per language (always complete)
    sector_code: str
    stage: str  # planned|contact|signed|started|operating|paused|dropped
    total_investment_wan: Decimal | None = None
    fixed_investment_wan: Decimal | None = None
    land_text: str | None = None
    capacity: str | None = None
    jobs: int | None = None
    lead_department: dict = field(default_factory=dict)  # 牵头部门 {lang: name}; Chinese where untranslated
    investors: list[str] = field(default_factory=list)
    park_name: dict[str, str | None] = field(default_factory=dict)
    park_description: dict[str, str | None] = field(default_factory=dict)
    contact_name: str | None = None  # 经合中心 contact person
    contact_phone: str | None = None
    contact_email: str | None = None
    url: str = ""  # project page URL for the QR code


@dataclass
class CatalogMeta:
    title: str
    city: str
    year: int
    preface: str
    lang: str = "zh"


# --------------------------------------------------------------------------------------------
# Geometry and colours
# --------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 22 * mm
FRAME_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
FOOTER_Y = 11 * mm

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#6B7785")
RULE = colors.HexColor("#D5DBE3")
PAPER_TINT = colors.HexColor("#F4F6F9")
BRAND = colors.HexColor("#14375E")
BRAND_DARK = colors.HexColor("#0C2440")
ACCENT = colors.HexColor("#C8A24A")
MARKER = colors.HexColor("#9AA4B2")

SECTOR_COLORS = {
    "biomed": "#A83A4B",
    "biomanufacturing": "#1F5FA8",
    "bioagriculture": "#3B7F2E",
    "bioenergy": "#C0622A",
    "bioenvironment": "#0E7C86",
}
_FALLBACK_COLORS = ("#14375E", "#5B4BA0", "#7A5C3E", "#2F6F73", "#8C3F6B", "#4F6B2E")

STAGE_COLORS = {
    "planned": "#5E6B7D", "contact": "#1F6FD1", "signed": "#1E8A4C", "started": "#D9822B",
    "operating": "#13795B", "paused": "#8A94A6", "dropped": "#B4343A",
}


def sector_color(code: str) -> colors.Color:
    hexcode = SECTOR_COLORS.get(code)
    if hexcode is None:
        hexcode = _FALLBACK_COLORS[zlib.crc32((code or "").encode()) % len(_FALLBACK_COLORS)]
    return colors.HexColor(hexcode)


def _mix(color: colors.Color, other: colors.Color, t: float) -> colors.Color:
    """``color`` moved a fraction ``t`` towards ``other`` (tints and shades without alpha)."""
    return colors.Color(color.red + (other.red - color.red) * t,
                        color.green + (other.green - color.green) * t,
                        color.blue + (other.blue - color.blue) * t)


def _hex(color: colors.Color) -> str:
    return "#%02X%02X%02X" % tuple(round(c * 255) for c in (color.red, color.green, color.blue))


# --------------------------------------------------------------------------------------------
# Text: escaping and line breaking
# --------------------------------------------------------------------------------------------

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _esc(text) -> str:
    """User text made safe for paragraph markup: tags print literally, newlines become breaks."""
    text = _CONTROL_RE.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(text.strip()).replace("\n", "<br/>")


def _short(text: str | None, limit: int) -> str | None:
    if text and len(text) > limit:
        return text[: limit - 1].rstrip() + "…"
    return text


# Characters that must not start a line (closing brackets and quotes, pause and stop marks,
# small kana, iteration marks, unit signs) and that must not end one (opening brackets, currency).
NO_LINE_START = frozenset(
    "，。、；：？！）》」』】〕〉］｝〗〙〛”’…‥·・％‰℃°′″,.;:?!)]}>%"
    "～〜々ー〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ゛゜ヽヾゝゞ"
)
NO_LINE_END = frozenset("（《「『【〔〈［｛〖〘〚“‘([{<￥$£€#№")
_INSEPARABLE = frozenset("—…‥")  # —— and …… stay on one line


def _is_word_char(ch: str) -> bool:
    """Latin, Cyrillic, digits and their punctuation: runs of these are words, kept whole."""
    return bool(ch) and ord(ch) < 0x2E80 and not ch.isspace()


def _can_break(chars, b: int) -> bool:
    """May a line end between ``chars[b-1]`` and ``chars[b]``?"""
    before, after = chars[b - 1], chars[b]
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before == after and before in _INSEPARABLE:
        return False
    return not (_is_word_char(before) and _is_word_char(after))


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def _char_widths(text: str, font: str, size: float) -> list[float]:
    """Advance widths of each character, memoised per font and size (the fonts do not kern)."""
    cache = _WIDTHS.get((font, size))
    if cache is None:
        cache = _WIDTHS[font, size] = {}
    out = []
    for ch in text:
        w = cache.get(ch)
        if w is None:
            w = cache[ch] = stringWidth(ch, font, size)
        out.append(w)
    return out


def _kinsoku_split(frags, max_widths, calc_bounds=False):
    """Break paragraph fragments into lines character by character, honouring the rules above.

    Same result shape as reportlab's ``cjkFragSplit`` (kind=1 lines), but the break is pushed back
    (追い出し) until it is legal: the line that would have started with a comma instead takes the
    character before it along.  Nothing hangs into the margin.  When no legal break exists within
    the last two thirds of the line (a very long URL, say), the line is cut where it overflows.
    A space at a break stays at the end of its line, so joining the lines gives back the text.
    ``calc_bounds`` is accepted for parity with reportlab's splitter; line heights come from the
    font metrics because no style here uses autoLeading.
    """
    chars: list[str] = []
    owner: list[int] = []
    widths: list[float] = []
    breaks_after: set[int] = set()
    for k, frag in enumerate(frags):
        text = frag.text
        if isinstance(text, bytes):
            text = text.decode("utf8")
        if hasattr(frag, "cbDefn"):  # onDraw callbacks and images: one zero-or-fixed width item
            w = getattr(frag.cbDefn, "width", 0) or 0
            if hasattr(w, "normalizedValue"):
                w = w.normalizedValue(max_widths[0])
            chars.append(text or "")
            owner.append(k)
            widths.append(float(w))
            continue
        if hasattr(frag, "lineBreak"):
            breaks_after.add(len(chars))
            chars.append(text or "")
            owner.append(k)
            widths.append(0.0)
            continue
        if not text:
            chars.append("")
            owner.append(k)
            widths.append(0.0)
            continue
        chars.extend(text)
        owner.extend([k] * len(text))
        widths.extend(_char_widths(text, frag.fontName, frag.fontSize))

    n = len(chars)
    lines = []
    metrics: dict[int, tuple[float, float, float]] = {}
    start = 0
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used = 0.0
        i = start
        line_break = False
        while i < n:
            if i in breaks_after:
                i += 1
                line_break = True
                break
            w = widths[i]
            if used + w > max_width + _FUZZ and i > start:
                break
            used += w
            i += 1
        end = i
        if not line_break and i < n:
            limit = start + max(1, (i - start) // 3)
            b = i
            while b > limit and not _can_break(chars, b):
                b -= 1
            if _can_break(chars, b):
                end = b
            used = sum(widths[start:end])
            while end < n and chars[end] == " ":  # the space at the break ends this line
                end += 1
        lines.append(_cjk_line(frags, chars, owner, start, end, used, max_width, line_break, metrics))
        start = end
    return ParaLines(kind=1, lines=lines)


def _cjk_line(frags, chars, owner, start, end, used, max_width, line_break, metrics) -> FragLine:
    """One kind=1 line: runs of characters of the same fragment become one word each."""
    words = []
    max_size = max_ascent = min_descent = 0.0
    k = start
    while k < end:
        index = owner[k]
        j = k + 1
        while j < end and owner[j] == index:
            j += 1
        frag = frags[index]
        words.append(frag.clone(text="".join(chars[k:j])))
        m = metrics.get(index)
        if m is None:
            ascent, descent = getAscentDescent(frag.fontName, frag.fontSize)
            m = metrics[index] = (frag.fontSize, ascent, descent)
        max_size = max(max_size, m[0])
        max_ascent = max(max_ascent, m[1])
        min_descent = min(min_descent, m[2])
        k = j
    return FragLine(kind=1, extraSpace=max_width - used, wordCount=1, words=words, fontSize=max_size,
                    ascent=max_ascent, descent=min_descent, maxWidth=max_width, currentWidth=used,
                    lineBreak=line_break)


def _join_lines(blPara, start, stop):
    """Fragments of lines ``start:stop`` for the continuation of a split paragraph.

    reportlab's version appends a space to each line's last word, in place; that inserts gaps
    into Chinese text and would spoil the cached layout.  Our lines keep their spaces, so a plain
    copy rejoins the text exactly.
    """
    return [word.clone() for line in blPara.lines[start:stop] for word in line.words]


class _Para(Paragraph):
    """A Paragraph whose CJK wrapping follows ``_kinsoku_split``.

    It also remembers its line breaks for the last width: tables wrap their cells several times
    and the catalog lays everything out twice, and breaking lines is the costly part.
    """

    def wrap(self, availWidth, availHeight):
        cached = self.__dict__.get("_wrap_cache")
        if cached is not None and cached[0] == availWidth and not getattr(self, "_splitpara", 0):
            _, self.blPara, self.height, self._wrapWidths = cached
            self.width = availWidth
            return availWidth, self.height
        result = super().wrap(availWidth, availHeight)
        if not getattr(self, "_splitpara", 0):
            self._wrap_cache = (availWidth, self.blPara, self.height, self._wrapWidths)
        return result

    def _get_split_blParaFunc(self):
        if self.blPara.kind == 1:
            return _join_lines
        return super()._get_split_blParaFunc()

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        style = self.style
        self.height = 0
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if not self.frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName,
                             textColor=style.textColor, lines=[], ascent=style.fontSize,
                             descent=-0.2 * style.fontSize)
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return _kinsoku_split(self.frags, maxWidths, auto_leading not in ("", "off"))


# --------------------------------------------------------------------------------------------
# Styles (built once per process)
# --------------------------------------------------------------------------------------------

_STYLE_SPECS = {
    # name: (font, size, leading, colour, alignment, extra)
    "body": (REGULAR, 10, 17, INK, TA_LEFT, {}),
    "small": (REGULAR, 8.5, 13, MUTED, TA_LEFT, {}),
    "fact_label": (REGULAR, 9, 15, MUTED, TA_LEFT, {}),
    "fact_value": (REGULAR, 10, 15, INK, TA_LEFT, {}),
    "kpi_label": (REGULAR, 8.5, 12, MUTED, TA_LEFT, {}),
    "kpi_value": (BOLD, 16, 21, INK, TA_LEFT, {}),
    "h2": (BOLD, 12, 17, BRAND, TA_LEFT, {}),
    "band_kicker": (REGULAR, 8.5, 12, colors.white, TA_LEFT, {}),
    "band_title": (BOLD, 21, 29, colors.white, TA_LEFT, {}),
    "band_title_small": (BOLD, 17, 24, colors.white, TA_LEFT, {}),
    "qr_caption": (REGULAR, 7, 9, colors.white, TA_CENTER, {}),
    "contact_title": (BOLD, 11, 16, colors.white, TA_LEFT, {}),
    "contact": (REGULAR, 9.5, 15, colors.white, TA_LEFT, {}),
    "cover_city": (BOLD, 18, 24, colors.white, TA_LEFT, {}),
    "cover_title": (BOLD, 38, 50, colors.white, TA_LEFT, {}),
    "cover_sub": (REGULAR, 12, 18, colors.HexColor("#C9D6E6"), TA_LEFT, {}),
    "cover_title_small": (BOLD, 26, 36, colors.white, TA_LEFT, {}),
    "h1": (BOLD, 20, 28, BRAND, TA_LEFT, {}),
    "preface": (REGULAR, 10.5, 19, INK, TA_LEFT, {"firstLineIndent": 21, "spaceAfter": 6}),
    "table_head": (BOLD, 9, 13, colors.white, TA_LEFT, {}),
    "table_cell": (REGULAR, 9, 13, INK, TA_LEFT, {}),
    "table_num": (REGULAR, 9, 13, INK, TA_RIGHT, {}),
    "table_num_bold": (BOLD, 9, 13, INK, TA_RIGHT, {}),
    "table_bold": (BOLD, 9, 13, INK, TA_LEFT, {}),
    "toc0": (BOLD, 11.5, 17, BRAND, TA_LEFT, {"spaceBefore": 9, "rightIndent": 40}),
    "toc1": (REGULAR, 9.5, 14, INK, TA_LEFT, {"leftIndent": 14, "rightIndent": 40}),
    "sector_kicker": (REGULAR, 11, 16, colors.white, TA_LEFT, {}),
    "sector_title": (BOLD, 34, 44, colors.white, TA_LEFT, {}),
    "sector_stats": (REGULAR, 12, 18, colors.white, TA_LEFT, {}),
}


@lru_cache(maxsize=1)
def _styles() -> dict[tuple[str, bool], ParagraphStyle]:
    register_fonts()
    styles = {}
    for name, (font, size, leading, color, align, extra) in _STYLE_SPECS.items():
        for cjk in (False, True):
            styles[name, cjk] = ParagraphStyle(
                f"brochure-{name}{'-cjk' if cjk else ''}", fontName=font, fontSize=size,
                leading=leading, textColor=color, alignment=align,
                wordWrap="CJK" if cjk else None, splitLongWords=1, allowWidows=0, **extra)
    return styles


def _style(name: str, cjk: bool = False) -> ParagraphStyle:
    return _styles()[name, cjk]


_VARIANTS: dict[tuple, ParagraphStyle] = {}
_TEMPLATE_FRAGS: dict[int, object] = {}


def _variant(name: str, cjk: bool, overrides: dict) -> ParagraphStyle:
    """A named style with a few attributes changed, built once per distinct set of changes."""
    base = _style(name, cjk)
    if not overrides:
        return base
    key = (name, cjk, tuple(sorted((k, repr(v)) for k, v in overrides.items())))
    style = _VARIANTS.get(key)
    if style is None:
        style = _VARIANTS[key] = ParagraphStyle(f"{base.name}-{len(_VARIANTS)}", parent=base,
                                                **overrides)
    return style


def _P(markup: str, style: str, raw: str | None = None, **overrides) -> _Para:
    """A paragraph of ready markup; CJK wrapping whenever the text holds CJK.

    Text without any markup (most labels and values) skips reportlab's markup parser: its one
    fragment is a copy of a template fragment of the style, which is several times cheaper.
    """
    st = _variant(style, T.has_cjk(raw if raw is not None else markup), overrides)
    if "<" in markup or "&" in markup:
        return _Para(markup, st)
    template = _TEMPLATE_FRAGS.get(id(st))
    if template is None:
        template = _TEMPLATE_FRAGS[id(st)] = Paragraph("x", st).frags[0]
    return _Para(None, st, frags=[template.clone(text=" ".join(markup.split()))])


def _tr(values: dict | None, lang: str, *, marker_size: float | None = None,
        marker_color: colors.Color = MARKER) -> tuple[str, str] | None:
    """Markup and raw text of a translatable field; the Chinese original plus marker if missing."""
    text, fallback = T.pick(values, lang)
    if text is None:
        return None
    markup = _esc(text)
    if fallback:
        size = f' size="{marker_size}"' if marker_size else ""
        markup += f' <font color="{_hex(marker_color)}"{size}>{T.ORIGINAL_MARKER}</font>'
        text += " " + T.ORIGINAL_MARKER
    return markup, text


def _plain_with_marker(text: str | None, lang: str) -> tuple[str, str] | None:
    """Untranslated free text (land, capacity): in en/ru a Chinese text carries the marker."""
    text = (text or "").strip()
    if not text:
        return None
    if lang != "zh" and T.has_cjk(text):
        return _tr({"zh": text}, lang)
    return _esc(text), text


def _text_block(text: str, style: str, fallback: bool = False) -> list[Flowable]:
    """Several paragraphs from a multi-line user text; the marker goes after the last one."""
    parts = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    out = []
    for index, part in enumerate(parts):
        markup = _esc(part)
        raw = part
        if fallback and index == len(parts) - 1:
            markup += f' <font color="{_hex(MARKER)}">{T.ORIGINAL_MARKER}</font>'
            raw += T.ORIGINAL_MARKER
        out.append(_P(markup, style, raw, spaceAfter=4))
    return out


# --------------------------------------------------------------------------------------------
# Flowables
# --------------------------------------------------------------------------------------------

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


# QR codes.  reportlab's encoder picks the mask by trying all eight through its generic code,
# about 9 ms a symbol; a 500-project catalog would spend seconds there.  We let it encode the data
# once, apply the eight masks ourselves on integer bit rows, score them with the ISO/IEC 18004
# penalty rules, and let reportlab draw the final matrix with the winner.

_QR_RUN = re.compile(r"0{5,}|1{5,}")
_QR_FINDER = re.compile(r"(?=10111010000|00001011101)")
_QR_MASKS = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r * c) % 3 + (r + c) % 2) % 2 == 0,
)


def _qr_penalty(rows: list[int], n: int) -> int:
    """ISO/IEC 18004 §7.8.3 penalty (N1 runs, N2 blocks, N3 finder-like, N4 balance)."""
    text = [format(x, f"0{n}b") for x in rows]
    lines = "|".join(text + ["".join(col) for col in zip(*text)])
    runs = _QR_RUN.findall(lines)
    score = sum(map(len, runs)) - 2 * len(runs) + 40 * len(_QR_FINDER.findall(lines))
    full = (1 << n) - 1
    for a, b in zip(rows, rows[1:]):
        same = ~(a ^ b) & full
        score += 3 * (same & (same >> 1) & ~(a ^ (a >> 1)) & (full >> 1)).bit_count()
    dark = sum(x.bit_count() for x in rows)
    return score + 10 * int(abs(dark * 100 / (n * n) - 50) // 5)


_QR_LAYOUTS: dict[int, tuple] = {}  # version → (function-pattern rows, mask rows, data positions)


def _qr_layout(qr) -> tuple:
    layout = _QR_LAYOUTS.get(qr.version)
    if layout is None:
        qr.makeImpl(True, 0)  # function patterns with blank format info
        n = qr.moduleCount
        positions = list(qr.dataPosIterator())
        base = [sum(1 << c for c, m in enumerate(row) if m) for row in qr.modules]
        masks = [[0] * n for _ in _QR_MASKS]
        for col, row in positions:
            bit = 1 << col
            base[row] &= ~bit
            for k, mask in enumerate(_QR_MASKS):
                if mask(row, col):
                    masks[k][row] |= bit
        layout = _QR_LAYOUTS[qr.version] = (base, masks, positions)
    return layout


def _qr_matrix(url: str) -> tuple[str, ...]:
    widget = QrCodeWidget(url, barLevel="M")
    qr = widget.qr
    try:
        qr.version = qr.calculate_version()
        base, masks, positions = _qr_layout(qr)
        qr._dataPosList = positions
        qr.dataCache = type(qr).createData(qr.version, qr.errorCorrectLevel, qr.dataList)
        data = [0] * len(base)
        for (col, row), dark in zip(positions, qr.dataBitIterator(qr.dataCache)):
            if dark:
                data[row] |= 1 << col
        n = len(base)
        best = min(range(8), key=lambda k: (_qr_penalty(
            [f | (d ^ m) for f, d, m in zip(base, data, masks[k])], n), k))
        qr.makeImpl(False, best)
    except (AttributeError, TypeError):  # encoder internals changed: let reportlab choose
        qr.version = None
        qr.make()
    return tuple("".join("1" if m else "0" for m in row) for row in qr.modules)


@lru_cache(maxsize=4096)
def qr_modules(url: str) -> tuple[str, ...]:
    """The QR matrix of ``url`` as rows of '0'/'1' (computed once per URL and process)."""
    return _qr_matrix(url)


@lru_cache(maxsize=4096)
def _qr_operators(url: str) -> str:
    """PDF path operators filling the dark modules, in module units (scaled by the caller).

    Written straight as operators because formatting ~600 rectangles through the canvas API
    costs more than encoding the symbol.
    """
    rows = qr_modules(url)
    count = len(rows)
    ops = []
    for r, row in enumerate(rows):
        y = count - r - 1
        for match in re.finditer("1+", row):
            c0, c1 = match.span()
            ops.append(f"{c0} {y} {c1 - c0} 1 re")
    return "\n".join(ops)


class _QR(Flowable):
    """The QR code of a URL on a white square with a quiet zone."""

    QUIET = 2.5  # modules of white around the symbol (the card around it adds more)

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url = url
        self.size = size

    def wrap(self, avail_width, avail_height):
        self.width = self.height = self.size
        return self.size, self.size

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colors.white)
        canv.roundRect(0, 0, self.size, self.size, 3, stroke=0, fill=1)
        canv.restoreState()
        if self.url:
            count = len(qr_modules(self.url))
            box = self.size / (count + 2 * self.QUIET)
            offset = self.QUIET * box
            canv.addLiteral(f"q 0 g {box:.5f} 0 0 {box:.5f} {offset:.4f} {offset:.4f} cm\n"
                            f"{_qr_operators(self.url)}\nf Q")


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


# --------------------------------------------------------------------------------------------
# One project
# --------------------------------------------------------------------------------------------

MAX_INVESTORS = 12  # a fact row must never outgrow a page
_KEEP_WITH_HEADING = 70  # points: a heading starts a new page unless three lines fit under it


def _sector_name(sheet: ProjectSheet, lang: str) -> str:
    return sheet.sector.get(lang) or sheet.sector.get("zh") or sheet.sector_code


def _project_band(sheet: ProjectSheet, lang: str, color: colors.Color, toc_level: int | None):
    name = _tr(sheet.name, lang, marker_size=10, marker_color=_mix(color, colors.white, 0.65))
    name_markup, name_raw = name or (_esc(f"#{sheet.id}"), f"#{sheet.id}")
    if len(name_raw) > 200:
        name_raw = _short(name_raw, 200)
        name_markup = _esc(name_raw)
    title_style = "band_title" if len(name_raw) <= 40 else "band_title_small"
    stage = T.stage_name(sheet.stage, lang)
    kicker = f"{T.label('brand', lang)}  ·  {T.label('brand_sub', lang)}"
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
    add("land", _plain_with_marker(_short(sheet.land_text, 300), lang))
    add("capacity", _plain_with_marker(_short(sheet.capacity, 300), lang))
    add("lead_department", _tr(sheet.lead_department, lang))
    investors = [_short(i.strip(), 120) for i in sheet.investors if i and i.strip()]
    if len(investors) > MAX_INVESTORS:
        investors = investors[:MAX_INVESTORS - 1] + ["…"]
    if investors:
        add("investors", ("<br/>".join(_esc(i) for i in investors), "".join(investors)))
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


def _project_story(sheet: ProjectSheet, lang: str, *, toc_level: int | None = None) -> list[Flowable]:
    color = sector_color(sheet.sector_code)
    story: list[Flowable] = [_project_band(sheet, lang, color, toc_level), Spacer(1, 12),
                             _kpis(sheet, lang, color), Spacer(1, 16),
                             CondPageBreak(_KEEP_WITH_HEADING), _Heading(T.label("overview", lang), color)]
    story += _facts(sheet, lang, color)
    story.append(Spacer(1, 16))
    text, fallback = T.pick(sheet.description, lang)
    if text:
        body = _text_block(text, "body", fallback)
        story += [CondPageBreak(_KEEP_WITH_HEADING), _Heading(T.label("description", lang), color),
                  Spacer(1, 6), *body, Spacer(1, 10)]
    park = _tr(sheet.park_name, lang)
    park_text, park_fallback = T.pick(sheet.park_description, lang)
    if park or park_text:
        block: list[Flowable] = [_Heading(T.label("park_intro", lang), color), Spacer(1, 6)]
        if park:
            block.append(_P(f"<b>{park[0]}</b>", "body", park[1], spaceAfter=2))
        if park_text:
            block += _text_block(park_text, "small", park_fallback)
        story += [CondPageBreak(_KEEP_WITH_HEADING), *block, Spacer(1, 10)]
    story += [_BottomAnchored(_contact(sheet, lang, color)), _Mark(sheet.id)]
    return story


# --------------------------------------------------------------------------------------------
# Document template: footer with "第 x 页 / 共 y 页", TOC notifications, progress
# --------------------------------------------------------------------------------------------

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
            # two layout passes are the norm (see render_catalog): report both as one scale
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
    canv.drawString(x, PAGE_H - 30 * mm, f"{T.label('brand', lang)}  ·  {T.label('brand_sub', lang)}")
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


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

def _today(today: date | None) -> date:
    if today is not None:
        return today
    try:
        from crm.services.clock import local_today
        return local_today()
    except ImportError:  # pragma: no cover - clock is part of the app
        return date.today()


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
    zh_name = group[0].sector.get("zh") or ""
    stats = T.label("projects_in_sector", lang, n=len(group))
    total = _sum_wan(group)
    if total is not None:
        stats += f"  ·  {T.label('investment_sum', lang)} {T.format_wan(total, lang)}"
    kicker = f"{index:02d}" + (f"  ·  {zh_name}" if lang != "zh" and zh_name else "")
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
