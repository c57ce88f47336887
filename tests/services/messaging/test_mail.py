"""Mail: one recipient, no header injection, SMTP to a real (aiosmtpd) server or .eml files."""
import email.policy
from dataclasses import replace
from email import message_from_bytes

import pytest

from crm.services.messaging import mail

SENDER = "招商项目管家 <noreply@jhzx.suifenhe.gov.cn>"


def build(to="王招商 <wang@example.cn>", subject="【招商项目管家】跟进到期", **kw):
    return mail.build_message(to, subject, "文本正文", "<p>HTML 正文</p>", sender=SENDER, **kw)


def test_a_message_has_one_recipient_text_and_html_in_chinese():
    msg = build()
    assert msg["To"].addresses[0].addr_spec == "wang@example.cn" and msg["To"].addresses[0].display_name == "王招商"
    assert msg["Subject"] == "【招商项目管家】跟进到期" and msg["Date"] and msg["Message-ID"]
    assert msg.get_body(("plain",)).get_content().strip() == "文本正文"
    assert "HTML 正文" in msg.get_body(("html",)).get_content()


@pytest.mark.parametrize("field, value", [
    ("subject", "跟进到期\r\nBcc: victim@example.com"),
    ("subject", "跟进\n到期"),
    ("to", "wang@example.cn\r\nBcc: victim@example.com"),
    ("to", "wang@example.cn, li@example.cn"),
    ("to", "wang@example.cn; li@example.cn"),
    ("to", "不是地址"),
])
def test_line_breaks_in_headers_and_several_recipients_are_refused(field, value):
    with pytest.raises(mail.HeaderInjection):
        build(**{field: value})


def test_a_display_name_with_a_comma_is_quoted_not_split():
    msg = build(to=mail.address("王, 招商", "wang@example.cn"))
    assert [a.addr_spec for a in msg["To"].addresses] == ["wang@example.cn"]
    with pytest.raises(mail.HeaderInjection):
        mail.address("王\r\nBcc: x@example.com", "wang@example.cn")


def test_inline_images_are_related_to_the_html_part():
    msg = build(inline_images={"chart": (b"\x89PNG\r\n\x1a\nfake", "png")})
    images = [part for part in msg.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<chart>"


def test_without_smtp_messages_are_written_to_the_outbox_and_read_back(settings):
    path = mail.deliver(build(), settings)
    name = path.rsplit("/", 1)[-1]
    assert mail.outbox_file(settings, name) is not None and mail.outbox_files(settings)[0].name == name
    read = mail.read_message(mail.outbox_file(settings, name))
    assert read["subject"] == "【招商项目管家】跟进到期" and "HTML 正文" in read["html"] and read["text"].strip() == "文本正文"


@pytest.mark.parametrize("name", ["../secret_key", "..", "a/b.eml", "x.txt", ""])
def test_only_bare_eml_names_can_be_opened(settings, name):
    assert mail.outbox_file(settings, name) is None


def test_with_smtp_settings_messages_go_to_the_smtp_server(settings, smtp_server):
    smtp = replace(settings, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    assert mail.deliver(build(), smtp) == "smtp:127.0.0.1"
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["wang@example.cn"]
    parsed = message_from_bytes(received.content, policy=email.policy.default)
    assert parsed["Subject"] == "【招商项目管家】跟进到期"
