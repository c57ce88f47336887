"""Pictures for print: each cut to its frame and scaled to PRINT_DPI at its printed size.

A phone photo is 4000 pixels wide; a 9 cm frame needs about 700 at 200 dpi.  Scaling before
reportlab embeds the picture keeps a brochure small and fast to build; the cache serves the same
picture to every page and build of a process (a catalog's covers, the bench's repeated builds).
"""
from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageOps

PRINT_DPI = 200
PRINT_QUALITY = 82


def pixels(points: float) -> int:
    """A printed length in points as pixels at PRINT_DPI."""
    return max(1, round(points / 72 * PRINT_DPI))


@lru_cache(maxsize=256)
def print_image(path: str, width_px: int, height_px: int) -> bytes | None:
    """The picture at `path` cut to the frame's proportions at its pixel size, as JPEG; None when the
    file cannot be read (the brochure prints without it rather than failing)."""
    try:
        with Image.open(path) as source:
            source.draft("RGB", (width_px, height_px))  # JPEG: decode at a reduced scale, much faster
            image = source.convert("RGB")
    except OSError:
        return None
    fitted = ImageOps.fit(image, (width_px, height_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    fitted.save(out, "JPEG", quality=PRINT_QUALITY, optimize=True)
    return out.getvalue()
