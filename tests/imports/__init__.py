"""Excel imports: the preview and confirmation pages, and helpers other tests upload with."""
from __future__ import annotations


def upload(client, url: str, stream, name: str = "清单.xlsx"):
    """Upload a sheet on an import page; the answer after the redirect to its preview (or the
    form page again when the file was refused)."""
    return client.post(url, data={"file": (stream, name)}, content_type="multipart/form-data", follow_redirects=True)


def confirm(client, preview):
    """Press 确认导入 on the preview page `preview` (a response)."""
    return client.post(preview.request.path.rstrip("/") + "/apply")
