"""Small PNG charts for emails (the weekly digest's pipeline by stage), drawn with Pillow.

Why not reportlab.graphics.renderPM: reportlab 5 renders bitmaps only through the rlPyCairo
backend, whose pycairo dependency has no wheel for Linux (it needs the cairo headers and a
compiler); Pillow is already installed with reportlab.  Labels use the embedded Noto Sans SC
font (crm/static/fonts) so Chinese never shows as tofu.
"""
from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from crm.services.brochures.fonts import FILES, FONT_DIR, REGULAR

WIDTH, ROW, PAD, LABEL_W, VALUE_W = 560, 30, 14, 70, 60


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FILES[REGULAR]), size)


def _hex(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))


@lru_cache(maxsize=256)
def bar_chart_png(title: str, bars: tuple[tuple[str, int, str], ...]) -> bytes:
    """A horizontal bar chart: bars = ((label, value, "#rrggbb"), …).  Cached: many recipients
    share the same counts, and a tuple of plain values is a safe key."""
    height = PAD * 3 + 24 + ROW * len(bars)
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((PAD, PAD), title, fill=(33, 37, 41), font=_font(16))
    top = PAD * 2 + 24
    biggest = max([value for _l, value, _c in bars] + [1])
    span = WIDTH - PAD * 2 - LABEL_W - VALUE_W
    for i, (label, value, color) in enumerate(bars):
        y = top + i * ROW
        draw.text((PAD, y + 4), label, fill=(73, 80, 87), font=_font(14))
        length = round(span * value / biggest)
        if length:
            draw.rectangle((PAD + LABEL_W, y + 4, PAD + LABEL_W + length, y + ROW - 6), fill=_hex(color))
        draw.text((PAD + LABEL_W + length + 6, y + 4), str(value), fill=(33, 37, 41), font=_font(14))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
