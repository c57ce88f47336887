"""每月调度 pages: the month's dispatch table, its Excel sheet, filing and correcting a report."""
from __future__ import annotations

from types import SimpleNamespace

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from crm.files.forms import accepts_uploads, uploads_of
from crm.i18n import gettext as _
from crm.models import ProgressReport, Project
from crm.routines.forms import CorrectionForm, ReportForm
from crm.routines.views import FILERS, bp, department_choices, save_form
from crm.services.core import access, audit
from crm.services.core.clock import local_now, local_today, month_label
from crm.services.files import evidence
from crm.services.routines import dispatch
from crm.services.sheets import xlsx
from crm.web import get_or_404, roles_required, versioning, xlsx_response


def _month_arg(raw, today):
    month = dispatch.parse_month(raw) if raw else dispatch.month_start(today)
    if month is None or month > dispatch.month_start(today):
        abort(404)
    return month



@bp.route("/dispatch", endpoint="dispatch")
def dispatch_table():
    """The month's table, a page at a time, narrowed by 牵头部门, 专栏 and status; everyone sees
    the whole table (officers get their department's owed reports on top and a 本部门 link)."""
    today = local_today()
    month = _month_arg(request.args.get("month"), today)
    departments, columns = department_choices(), _column_choices()
    filters = dispatch.table_filters(request.args, [d for d, _label in departments], [c for c, _t in columns])

    def table_url(**changes):
        """This page's URL with its month and filters, changed (a None value drops a filter)."""
        args = {"month": f"{month:%Y-%m}", **filters.args(), **changes}
        return url_for("routines.dispatch", **{k: v for k, v in args.items() if v is not None})

    counts = dispatch.month_counts(month, today, filters)
    page = dispatch.month_page(month, today, filters, request.args.get("page"), lambda n: table_url(page=n))
    due = dispatch.due_date(month, dispatch.routine_settings().report_due_day)
    return render_template(
        "routines/dispatch.html", page=page, owed=_owed_card(month, today), month=month, due=due, today=today,
        counts=counts, total=counts[filters.status] if filters.status else sum(counts.values()),
        filters=filters, departments=departments, columns=columns, table_url=table_url,
        column_title=xlsx.column_title, can_file=dispatch.can_file, STATUS_LABELS=dispatch.STATUS_LABELS,
        prev_month=dispatch.add_months(month, -1),
        next_month=dispatch.add_months(month, 1) if month < dispatch.month_start(today) else None)


def _owed_card(month, today) -> dispatch.Owed | None:
    """An officer's 本部门本月待报: the first OWED_SHOWN owed reports and how many there are."""
    department_id = current_user.department_id if current_user.role == "officer" else None
    return dispatch.owed_summary(month, today, department_id) if department_id else None


def _column_choices() -> list[tuple]:
    """(value, title) of the 专栏 filter: each numbered 专栏 titled as the table's group headers,
    then 其他项目.  The title helper reads only column_no and sector, so a stand-in will do."""
    sectors = dispatch.column_sectors()
    return [(no, xlsx.column_title(SimpleNamespace(column_no=no, sector=sector))) for no, sector in sectors.items()] \
        + [(dispatch.NO_COLUMN, xlsx.column_title(SimpleNamespace(column_no=None, sector=None)))]


@bp.route("/dispatch.xlsx")
@roles_required("admin")
def dispatch_xlsx():
    today = local_today()
    month = _month_arg(request.args.get("month"), today)
    due = dispatch.due_date(month, dispatch.routine_settings().report_due_day)
    data = xlsx.dispatch_workbook(month, dispatch.month_table(month, today), due=due, generated=local_now())
    return xlsx_response(data, f"dispatch-{month:%Y-%m}.xlsx")


@bp.route("/reports/<int:project_id>/<month>", methods=["GET", "POST"])
@roles_required(*FILERS)
@accepts_uploads
def report_file(project_id: int, month: str):
    project = get_or_404(Project, project_id, visible=dispatch.can_file,
                         options=[joinedload(Project.lead_department)])
    today = local_today()
    month = dispatch.parse_month(month)
    if month is None or month > dispatch.month_start(today):
        abort(404)
    existing = dispatch.report_for(project.id, month)
    form = ReportForm(obj=existing)
    # The first figure has the focus: the workbench's 填报 opens a form ready to type into.
    form.invest_month.render_kw = dict(form.invest_month.render_kw or {}, autofocus=True)
    if form.validate_on_submit():
        done = save_form(form, lambda: evidence.with_files(
            current_user, current_app.extensions["settings"], uploads_of(form, caption="file_caption"), kind="report",
            project_id=project.id, action=lambda: dispatch.file_report(current_user, project, month, form.data,
                                                                       today=today)),
                     _("已保存 %(project)s %(month)s 的月度调度。", project=project.display_name,
                       month=month_label(month)),
                     url_for("routines.dispatch", month=f"{month:%Y-%m}"))
        if done:
            return done
    return render_template(
        "routines/report_form.html", form=form, project=project, month=month, report=existing,
        files=_report_files(project, existing),
        previous=dispatch.previous_report(project.id, month),
        due=dispatch.due_date(month, dispatch.routine_settings().report_due_day)), versioning.status(form)


def _report_files(project: Project, report: ProgressReport | None) -> list:
    """The files already filed with this month's report (filers may see them: they may file)."""
    if report is None or not access.can_see_project_files(current_user, project):
        return []
    return evidence.for_owners("report", [report.id])[report.id]


@bp.route("/reports/<int:report_id>/correct", methods=["GET", "POST"])
@roles_required("admin")
def report_correct(report_id: int):
    report = get_or_404(ProgressReport, report_id,
                        options=[joinedload(ProgressReport.project), joinedload(ProgressReport.department)])
    form = CorrectionForm(obj=report)
    if form.validate_on_submit():
        done = save_form(form, lambda: dispatch.correct_report(current_user, report, form.data, form.reason.data),
                     _("已更正调度数据，原因已记入操作日志。"), url_for("routines.dispatch", month=f"{report.month:%Y-%m}"))
        if done:
            return done
    history = audit.history("ProgressReport", report.id)
    return render_template("routines/report_correct.html", form=form, report=report, history=history,
                           labels=dispatch.FIELD_LABELS,
                           value_labels=audit.reference_labels(history, dispatch.REFERENCES)), versioning.status(form)
