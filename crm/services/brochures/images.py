"""Pictures for print: each cut to its frame and scaled to PRINT_DPI at its printed size.

A phone photo is 4000 pixels wide; a 9 cm frame needs about 700 at 200 dpi.  The scaled copy is
kept beside the stored file (`<hash>.print-<w>x<h>.jpg`), made when the picture is uploaded or
else at its first print, so a catalog of 500 covers reads 500 small JPEGs, which reportlab embeds
as they are from a path (from memory it would decode and hash each one again).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

PRINT_DPI = 200
PRINT_QUALITY = 82


def pixels(points: float) -> int:
    """A printed length in points as pixels at PRINT_DPI."""
    return max(1, round(points / 72 * PRINT_DPI))


def print_path(path: str, width_px: int, height_px: int) -> Path:
    return Path(f"{path}.print-{width_px}x{height_px}.jpg")


def print_image(path: str, width_px: int, height_px: int) -> str | None:
    """The path of the picture at `path` cut to the frame's proportions at its pixel size (made now if
    missing); None when the picture cannot be read (the brochure prints without it rather than failing)."""
    target = print_path(path, width_px, height_px)
    if target.is_file():
        return str(target)
    try:
        with Image.open(path) as source:
            source.draft("RGB", (width_px, height_px))  # JPEG: decode at a reduced scale when it can
            image = source.convert("RGB")
    except OSError:
        return None
    fitted = ImageOps.fit(image, (width_px, height_px), Image.Resampling.BICUBIC)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as handle:
            fitted.save(handle, "JPEG", quality=PRINT_QUALITY, optimize=True)
        os.replace(tmp, target)  # a concurrent build sees the whole file or none
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(target)
