"""邮件发件箱: without SMTP, mail is written as .eml files to instance/outbox; admins read them here.

The message page shows the text part as text and the HTML part in a sandboxed iframe
(srcdoc, no scripts, no same-origin), so a message's markup can do nothing in the app.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from crm.services.core.paging import Page, page_number
from crm.services.messaging import mail
from crm.web import app_settings, roles_required

bp = Blueprint("mailbox", __name__, url_prefix="/admin/mail")


@bp.route("/")
@roles_required("admin")
def index():
    settings = app_settings()
    number, per_page = page_number(request.args.get("page")), settings.PAGE_SIZE
    files = mail.outbox_files(settings)
    shown = files[(number - 1) * per_page: number * per_page]  # only this page's files are opened
    page = Page(number=number, per_page=per_page, items=[mail.read_headers(p) for p in shown],
                has_next=len(files) > number * per_page, url=lambda n: url_for("mailbox.index", page=n))
    return render_template("mailbox/index.html", page=page, smtp=settings.SMTP_HOST, total=len(files))


@bp.route("/<filename>")
@roles_required("admin")
def message(filename: str):
    path = mail.outbox_file(app_settings(), filename)  # a bare *.eml name inside the outbox, else None
    if path is None:
        abort(404)
    return render_template("mailbox/message.html", message=mail.read_message(path))
