"""The one way a list page answers "导出 Excel": the sheet at once when it is small, else a
background job (services/sheets/exports) and its progress page (crm/exports/views.py)."""
from __future__ import annotations

from flask import current_app, redirect, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import select_locale
from crm.services.core.clock import local_now, local_today
from crm.services.sheets import exports
from crm.web import xlsx_response


def file_name(kind: str, day) -> str:
    """The download's name, in the reader's language: the list's title and the day it was made."""
    title = _("招商项目清单") if kind == "projects" else _("招商目标企业清单")
    return title + f"-{day:%Y%m%d}.xlsx"


def export_response(kind: str, conditions: dict):
    """The .xlsx of `conditions` ({"filters": …} or {"ids": …}), or a redirect to the progress
    page of the job that builds it (the export row and its outbox row committed together)."""
    if not exports.runs_as_job(kind, conditions, current_app.extensions["settings"]):
        data, _count, _cut = exports.build(kind, conditions, local_now())
        return xlsx_response(data, file_name(kind, local_today()))
    export = exports.request_export(current_user._get_current_object(), kind, conditions, select_locale())
    db.session.commit()
    return redirect(url_for("exports.show", export_id=export.id))
