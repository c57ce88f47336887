"""The file store: decide what an upload is from its bytes, make it safe, keep it on disk by hash.

Nothing the user sends reaches the file system: the type comes from the content (the `filetype`
library), images are decoded and re-encoded by Pillow (which drops EXIF, GPS included, and any
bytes hidden after the picture), HEIC photos become JPEG, and the stored name is the SHA-256 of
the stored bytes under FILES_DIR/evidence/.  The name the user gave is kept only as a label,
sanitised.  `prepare` refuses before anything is written, so a refused upload leaves no trace.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype
from PIL import Image, ImageOps

from crm.i18n import gettext as _
from crm.services.core.errors import RuleError

try:  # HEIC (iPhone photos): decoded through libheif when pillow-heif is installed
    import pillow_heif
    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - a dependency of the project
    pillow_heif = None

MB = 1024 * 1024
THUMB_SIZE = (320, 320)
# Decompression bombs: a 2 MB PNG can unpack into gigabytes; no site photo needs more than this.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 88

# Sniffed MIME type → the extension the file is stored and offered under.
DOCUMENTS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
}
IMAGES = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "jpg", "image/heif": "jpg"}
TEXT = "text/plain"

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


class FileRefused(RuleError):
    """An upload the store will not keep; the message says why, in the UI language."""


@dataclass
class Prepared:
    """An accepted upload, ready to be written: the bytes as they will be stored."""
    data: bytes
    mime: str
    display_name: str
    thumbnail: bytes | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def accepted_types() -> str:
    return _("PDF、JPEG/PNG/HEIC 图片、Office 文档（doc、docx、xls、xlsx、ppt、pptx）和纯文本")


def sanitize_name(name: str | None, extension: str) -> str:
    """The label of a file: the last part of whatever path the browser sent, without control or
    path characters, at most 120 characters, ending in the extension of its real type."""
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" ._")
    stem = base.rsplit(".", 1)[0].strip(" ._") if "." in base else base
    stem = stem[:100] or _("文件")
    return f"{stem}.{extension}"


def prepare(data: bytes, name: str | None, *, max_bytes: int) -> Prepared:
    """Check and convert one upload; FileRefused says why it cannot be kept."""
    label = sanitize_name(name, "x")[:-2]
    if not data:
        raise FileRefused(_("“%(name)s”是空文件。", name=label), code="empty")
    if len(data) > max_bytes:
        raise FileRefused(_("“%(name)s”超过单个文件 %(mb)s MB 的上限。", name=label, mb=max_bytes // MB),
                          code="too-large")
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime in IMAGES:
        return _image(data, mime, name)
    if mime in DOCUMENTS:
        return Prepared(data, mime, sanitize_name(name, DOCUMENTS[mime]))
    if mime is None:
        text = _as_text(data)
        if text is not None:
            return Prepared(text.encode("utf-8"), TEXT, sanitize_name(name, "txt"))
    found = kind.extension if kind else _("未知格式")
    raise FileRefused(_("“%(name)s”的内容是 %(found)s，不在允许的类型内（只接受%(types)s）。",
                        name=label, found=found, types=accepted_types()), code="type")


def _image(data: bytes, mime: str, name: str | None) -> Prepared:
    """Decode and re-encode: EXIF, GPS and anything appended to the picture are left behind.  The
    EXIF orientation is applied first, so a phone photo stays upright without its tags."""
    label = sanitize_name(name, "x")[:-2]
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise FileRefused(_("“%(name)s”的图片尺寸过大（%(w)s×%(h)s 像素），请缩小后再上传。",
                                    name=label, w=probe.width, h=probe.height), code="too-large")
            image = ImageOps.exif_transpose(probe)
            image.load()
    except FileRefused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise FileRefused(_("“%(name)s”不是可以打开的图片。", name=label), code="broken") from None
    keep_png = mime == "image/png"
    out = io.BytesIO()
    if keep_png:
        image = image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        _rgb(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Prepared(out.getvalue(), "image/png" if keep_png else "image/jpeg",
                    sanitize_name(name, "png" if keep_png else "jpg"), thumbnail=thumbnail(image))


def _rgb(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: lay a transparent picture on white rather than on black."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def thumbnail(image: Image.Image) -> bytes:
    small = _rgb(image)
    small.thumbnail(THUMB_SIZE)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def _as_text(data: bytes) -> str | None:
    """Plain text in UTF-8 or GB18030 (what Chinese Windows saves), without binary control bytes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(ch < " " and ch not in "\t\r\n\f" for ch in text):
            return text
        return None
    return None


# ---------------------------------------------------------------------------------------
# Disk

def evidence_dir(settings) -> Path:
    return settings.files_dir / "evidence"


def path_of(settings, sha256: str, *, thumb: bool = False) -> Path:
    """Where a hash lives: two levels of fan-out keep directories small.  Only hex reaches here."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256")
    return evidence_dir(settings) / sha256[:2] / sha256[2:4] / (sha256 + (".thumb.jpg" if thumb else ""))


def write(settings, prepared: Prepared) -> str:
    """Store the bytes (and thumbnail) under their hash; the same content is stored once."""
    sha = prepared.sha256
    _write_once(path_of(settings, sha), prepared.data)
    if prepared.thumbnail is not None:
        _write_once(path_of(settings, sha, thumb=True), prepared.thumbnail)
    return sha


def _write_once(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a reader never sees half a file, even if the process dies mid-write.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def delete(settings, sha256: str) -> None:
    """The file, its thumbnail and any print copy made of it (brochures/images.py)."""
    path = path_of(settings, sha256)
    for related in path.parent.glob(sha256 + "*"):
        related.unlink(missing_ok=True)


def stored_hashes(settings) -> set[str]:
    """Every hash with bytes on disk (the backup's purge compares them with the rows)."""
    root = evidence_dir(settings)
    return {p.name for p in root.glob("??/??/*") if re.fullmatch(r"[0-9a-f]{64}", p.name)} if root.exists() else set()
