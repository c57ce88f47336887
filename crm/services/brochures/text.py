"""User text to paragraphs: escaping, the paragraph styles, and the small markup helpers.

Everything that turns a value into a ``_Para`` goes through here, so all user text is escaped
(``_esc``) before it meets markup, and every style uses the embedded fonts.  The styles are built
once per process (``_styles`` is cached), as are style variants and template fragments.
"""
from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from crm.services.brochures import brochure_text as T
from crm.services.brochures.fonts import BOLD, REGULAR, register_fonts
from crm.services.brochures.linebreak import _Para
from crm.services.brochures.theme import BRAND, INK, MUTED

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _esc(text) -> str:
    """User text made safe for paragraph markup: tags print literally, newlines become breaks."""
    text = _CONTROL_RE.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(text.strip()).replace("\n", "<br/>")


def _short(text: str | None, limit: int) -> str | None:
    if text and len(text) > limit:
        return text[: limit - 1].rstrip() + "…"
    return text


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


def _tr(values: dict | None, lang: str) -> tuple[str, str] | None:
    """Markup and raw text of a proper name: its Chinese form when it has none in ``lang``."""
    text, _fallback = T.pick(values, lang)
    return None if text is None else (_esc(text), text)


def _own(values: dict | None, lang: str) -> tuple[str, str] | None:
    """Markup and raw text of a free text in ``lang`` only (left out when untranslated)."""
    text = T.own(values, lang)
    return None if text is None else (_esc(text), text)


def _plain_in(text: str | None, lang: str) -> tuple[str, str] | None:
    """Untranslated free text (the land wording): left out of en/ru when it is Chinese."""
    text = (text or "").strip()
    if not text or (lang != "zh" and T.has_cjk(text)):
        return None
    return _esc(text), text


def _text_block(text: str, style: str) -> list[Flowable]:
    """Several paragraphs from a multi-line user text."""
    parts = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    return [_P(_esc(part), style, part, spaceAfter=4) for part in parts]
