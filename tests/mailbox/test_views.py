"""The mail outbox page: .eml files listed with subject/to/date, one shown inert."""
from __future__ import annotations

from crm.services.messaging import mail
from tests import factories


def test_the_mailbox_lists_the_eml_files(client, login):
    name = factories.eml_file(to="wang@example.cn", subject="【招商项目管家】跟进到期：润宏经贸")
    login("admin")
    listing = client.get("/admin/mail/").get_data(as_text=True)
    assert "【招商项目管家】跟进到期：润宏经贸" in listing and "wang@example.cn" in listing
    assert f"/admin/mail/{name}" in listing


def test_a_message_shows_its_text_and_its_html_in_a_sandboxed_iframe(client, login, settings):
    msg = mail.build_message("王招商 <wang@example.cn>", "脚本<b>测试</b>", "正文<script>x</script>",
                             '<p onclick="x()">HTML 正文</p><script>alert(1)</script>', sender=settings.MAIL_FROM)
    path = mail.deliver(msg, settings)
    login("admin")
    page = client.get(f"/admin/mail/{path.rsplit('/', 1)[-1]}").get_data(as_text=True)
    assert 'sandbox=""' in page and 'srcdoc="&lt;p onclick=&#34;x()&#34;&gt;HTML 正文' in page
    assert "<script>alert(1)" not in page and "正文&lt;script&gt;x" in page and "脚本&lt;b&gt;测试" in page


def test_only_bare_eml_names_inside_the_outbox_open(client, login):
    factories.eml_file()
    login("admin")
    for bad in ("..%2Fsecret_key", "..%2F..%2Fetc%2Fpasswd", "missing.eml", "x.txt", "%2Fetc%2Fpasswd"):
        assert client.get(f"/admin/mail/{bad}").status_code == 404, bad


def test_the_mailbox_runs_the_same_statements_for_3_or_40_files(client, login, page_statements):
    login("admin")

    def count(n):
        for _ in range(n):
            factories.eml_file()
        return page_statements(client, "/admin/mail/")
    assert count(3) == count(37)
