"""The store's rules without HTTP: names, types, HEIC, text."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from crm.services.files import store
from crm.services.files.store import FileRefused

LIMIT = 5 * store.MB


@pytest.mark.parametrize(("given", "label"), [
    ("../../etc/passwd.png", "passwd.jpg"), ("C:\\Users\\张三\\合同.PDF", "合同.jpg"), ("..", "文件.jpg"),
    ("a\x00b\x1f.png", "a_b.jpg"), (None, "文件.jpg"),
])
def test_names_lose_their_paths_and_control_characters(app, given, label):
    assert store.sanitize_name(given, "jpg") == label


def test_heic_photos_become_jpeg(app):
    import pillow_heif
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (80, 60), "purple")).save(out, quality=60)
    prepared = store.prepare(out.getvalue(), "IMG_2001.HEIC", max_bytes=LIMIT)
    assert (prepared.mime, prepared.display_name) == ("image/jpeg", "IMG_2001.jpg")
    assert Image.open(io.BytesIO(prepared.data)).format == "JPEG" and prepared.thumbnail


def test_text_in_gb18030_is_kept_as_utf8_and_binary_is_not_text(app):
    prepared = store.prepare("会议纪要：项目已签约。\n".encode("gb18030"), "纪要.txt", max_bytes=LIMIT)
    assert prepared.data.decode("utf-8") == "会议纪要：项目已签约。\n" and prepared.mime == "text/plain"
    with pytest.raises(FileRefused):
        store.prepare(b"abc\x00\x01\x02", "x.txt", max_bytes=LIMIT)


def test_an_empty_or_broken_image_is_refused(app):
    with pytest.raises(FileRefused, match="空文件"):
        store.prepare(b"", "a.png", max_bytes=LIMIT)
    with pytest.raises(FileRefused, match="不是可以打开的图片"):
        store.prepare(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "a.png", max_bytes=LIMIT)


def test_paths_are_only_made_of_hashes(app):
    with pytest.raises(ValueError):
        store.path_of(app.extensions["settings"], "../../etc/passwd")
