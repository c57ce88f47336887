"""Mail: one recipient per message, no CR/LF in headers, SMTP or an .eml outbox.

Without SMTP_HOST, messages are written to instance/outbox/*.eml (the default for a single
machine and for demos); an admin reads them in the app.
"""
from __future__ import annotations

import email
import email.policy
import re
import smtplib
import uuid
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import formataddr, formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path

from crm.config import Settings
from crm.services.core.clock import utcnow

_EML_NAME = re.compile(r"[A-Za-z0-9_.-]+\.eml")


class HeaderInjection(ValueError):
    pass


def _clean(value: str, what: str) -> str:
    value = str(value or "")
    if "\r" in value or "\n" in value:
        raise HeaderInjection(f"{what} contains a line break")
    return value


def address(name: str, addr: str) -> str:
    """"Name <addr>" with the name quoted as needed; refuses line breaks."""
    return formataddr((_clean(name, "display name"), _clean(addr, "address")))


def build_message(to: str, subject: str, text: str, html: str | None = None,
                  inline_images: dict[str, tuple[bytes, str]] | None = None,
                  sender: str | None = None) -> EmailMessage:
    """A multipart message to exactly one address; inline images are referenced as cid:<key>."""
    to = _clean(to, "recipient").strip()
    parsed = getaddresses([to])
    if len(parsed) != 1 or "@" not in parsed[0][1] or ";" in parsed[0][1]:
        raise HeaderInjection("exactly one recipient address is required")
    name, addr = parsed[0]
    if sender is None:
        from flask import current_app
        sender = current_app.extensions["settings"].MAIL_FROM
    msg = EmailMessage()
    msg["Subject"] = _clean(subject, "subject")
    msg["From"] = _clean(sender, "sender")
    msg["To"] = formataddr((name, addr)) if name else addr
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=Address(addr_spec=parseaddr(sender)[1] or "crm@localhost").domain)
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        if inline_images:
            html_part = msg.get_payload()[-1]
            for cid, (data, subtype) in inline_images.items():
                html_part.add_related(data, maintype="image", subtype=subtype, cid=f"<{cid}>")
    return msg


def deliver(msg: EmailMessage, settings: Settings) -> str:
    """Send through SMTP when configured, else write an .eml file; returns where it went."""
    if settings.SMTP_HOST:
        with smtplib.SMTP(settings.SMTP_HOST, settings.SMTP_PORT, timeout=30) as smtp:
            if settings.SMTP_STARTTLS:
                smtp.starttls()
            if settings.SMTP_USER:
                smtp.login(settings.SMTP_USER, settings.SMTP_PASSWORD)
            smtp.send_message(msg)
        return f"smtp:{settings.SMTP_HOST}"
    outbox = settings.outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    # Microseconds in the name keep "newest first" (a sort by name) right within one second.
    path = outbox / f"{utcnow():%Y%m%dT%H%M%S.%f}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(msg))
    return str(path)


def outbox_files(settings: Settings) -> list[Path]:
    """The .eml files of the local outbox, newest first."""
    if not settings.outbox_dir.exists():
        return []
    return sorted(settings.outbox_dir.glob("*.eml"), reverse=True)


def outbox_file(settings: Settings, name: str) -> Path | None:
    """One .eml file of the local outbox by its bare name (no paths: nothing outside the outbox)."""
    if not _EML_NAME.fullmatch(name or ""):
        return None
    path = settings.outbox_dir / name
    return path if path.is_file() else None


def read_headers(path: Path) -> dict:
    """Subject, To, Date of an .eml file, decoded, for the admin list.  The date is naive UTC, as
    stored datetimes are, so the page shows it in local time like every other (never the RFC text)."""
    with path.open("rb") as fh:
        msg = BytesHeaderParser(policy=email.policy.default).parse(fh)
    sent = getattr(msg["Date"], "datetime", None)
    if sent is not None and sent.tzinfo is not None:
        sent = sent.astimezone(UTC).replace(tzinfo=None)
    return {"name": path.name, "subject": str(msg["Subject"] or ""), "to": str(msg["To"] or ""),
            "date": sent}


def read_message(path: Path) -> dict:
    """The headers plus the text and HTML bodies of an .eml file."""
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    return {**read_headers(path), "from": str(msg["From"] or ""),
            "text": text.get_content() if text is not None else "",
            "html": html.get_content() if html is not None else ""}
