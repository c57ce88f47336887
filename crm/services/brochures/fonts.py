"""The embedded CJK font for PDFs (Noto Sans SC, OFL), registered with reportlab once per process.

The TTFs live in ``crm/static/fonts`` (see the README there for how they were made).  They cover
CJK Unified Ideographs, Latin and Cyrillic, so one family serves the zh, en and ru editions and no
text ever falls back to a Type-1 font without Chinese glyphs (tofu).  Parsing the 10 MB TTF is slow
enough to matter per request, which is why registration is cached and guarded by a lock.
"""
from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
FAMILY = "NotoSansSC"
REGULAR = "NotoSansSC"
BOLD = "NotoSansSC-Bold"
FILES = {REGULAR: "NotoSansSC-Regular.ttf", BOLD: "NotoSansSC-Bold.ttf"}

_lock = threading.Lock()
_done = False


def register_fonts() -> str:
    """Register the family (idempotent, thread-safe) and return its name.

    ``<b>`` in paragraph markup maps to the bold face; italics map to the upright faces because
    the family has none (CJK has no italic tradition).
    """
    global _done
    if _done:
        return FAMILY
    with _lock:
        if _done:
            return FAMILY
        known = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in FILES.items():
            if name not in known:
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, REGULAR)
        addMapping(FAMILY, 1, 1, BOLD)
        _done = True
    return FAMILY
