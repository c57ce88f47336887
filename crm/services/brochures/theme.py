"""Page geometry and the colour palette, shared by every part of a brochure.

One place for the numbers so the project pages, the catalog parts and the page template agree
on margins and colours.
"""
from __future__ import annotations

import zlib

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

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
    return "#" + "".join(f"{round(c * 255):02X}" for c in (color.red, color.green, color.blue))
