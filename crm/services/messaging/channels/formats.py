"""Message bodies in each vendor's documented markdown, with user text escaped.

企业微信 group robot: {"msgtype": "markdown", "markdown": {"content": …}}, content at most 4096
bytes of UTF-8.  钉钉 custom robot: {"msgtype": "markdown", "markdown": {"title", "text"}, "at":
{"isAtAll": false}}; we keep text within 5000 characters.  User text (a project's name, evidence)
is flattened to one line, its markdown and tag characters neutralised and its @ made full-width,
so a name cannot break the layout, open a link or mention anyone (@all included).
"""
from __future__ import annotations

import html
import re

WECOM_MAX_BYTES = 4096
DINGTALK_MAX_CHARS = 5000
ELLIPSIS = "…"
_MARKDOWN = re.compile(r"([\\`*_\[\]()#>!|~{}+-])")


def escape(text) -> str:
    """User text safe inside a markdown line: one line, no markup, no mention, no tag."""
    text = " ".join(str(text or "").split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("@", "＠")  # neither robot treats a full-width ＠ as a mention
    return _MARKDOWN.sub(r"\\\1", text)


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode())
    return data[:room].decode(errors="ignore").rstrip("\\") + ELLIPSIS


def _cut_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip("\\") + ELLIPSIS


def payload(kind: str, title: str, body: str) -> dict:
    """The robot's JSON for a message whose `body` is markdown already escaped; cut to the limit,
    the link line (the last) kept."""
    *lines, link = body.split("\n")
    if kind == "wecom":
        head = f"**{title}**\n"
        room = WECOM_MAX_BYTES - len((head + "\n" + link).encode())
        return {"msgtype": "markdown", "markdown": {"content": head + _cut_bytes("\n".join(lines), room) + "\n" + link}}
    room = DINGTALK_MAX_CHARS - len(f"### {title}\n\n") - len(link) - 1
    text = f"### {title}\n\n" + _cut_chars("\n".join(lines), room) + "\n" + link
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}, "at": {"isAtAll": False}}


def plain(title: str, body: str) -> str:
    """The message as plain text for email: markdown escapes and entities undone, the link spelled out."""
    text = re.sub(r"(?<!\\)\*\*", "", body)  # our bold marks; a name's own ** is escaped
    text = re.sub(r"\[([^\]]+)\]\((\S+)\)$", r"\1：\2", text)  # the link line
    return f"{title}\n\n" + html.unescape(re.sub(r"\\(.)", r"\1", text))
