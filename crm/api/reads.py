"""The API's other read resources: contacts, contact logs, problems (问题台账), monthly reports
(月度调度), goals and the dashboard's figures.  Lists page by cursor (newest first) with the web
pages' filters; every one reads a constant number of statements."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import joinedload

from crm.api import schemas as s
from crm.api import spec
from crm.api.http import json_response, page_args, page_of
from crm.api.views import _INTERACTION_OPTIONS, _get, bp, operation
from crm.extensions import db
from crm.models import Enterprise, Interaction, Problem, ProgressReport
from crm.services.core.clock import local_today
from crm.services.core.ids import parse_id
from crm.services.reports import metrics
from crm.services.routines import dispatch, problems


def _page(query, model, dump):
    """One cursor page of `query` (any order it had is replaced by newest first)."""
    after, limit = page_args()
    query = query.order_by(None).order_by(model.id.desc())
    if after is not None:
        query = query.where(model.id < after)
    rows = db.session.scalars(query.limit(limit + 1)).unique().all()
    return json_response(page_of(rows, limit, dump))


def _with_ids(query, filters):
    """`query` narrowed to the records whose column holds the id each (argument, column) pair names
    in the query string; an absent or malformed id narrows nothing."""
    for arg, column in filters:
        ident = parse_id(request.args.get(arg))
        if ident:
            query = query.where(column == ident)
    return query


@bp.get("/enterprises/<int:enterprise_id>/contacts")
@operation("企业联系人", "An enterprise's contacts.", tag="enterprises", response=s.ContactListSchema)
def enterprise_contacts(enterprise_id: int):
    enterprise = _get(Enterprise, enterprise_id, (joinedload(Enterprise.contacts),))
    return json_response({"items": s.dumper(s.ContactSchema, many=True)(enterprise.contacts)})


@bp.get("/interactions")
@operation("对接记录", "Contact logs, newest first; of one enterprise or one project if asked.", tag="interactions",
           query=[spec.q("enterprise", "enterprise id"), spec.q("project", "project id")] + spec.PAGING,
           response=s.InteractionPageSchema)
def interactions():
    query = _with_ids(sa.select(Interaction).options(*_INTERACTION_OPTIONS),
                      (("enterprise", Interaction.enterprise_id), ("project", Interaction.project_id)))
    return _page(query, Interaction, s.dumper(s.InteractionSchema))


@bp.get("/problems")
@operation("问题台账", "Problems, newest first, filtered as on the ledger page.", tag="routines",
           query=[spec.q("department", "owner department id"), spec.q("project", "project id"),
                  spec.q("status", "status", enum=list(problems.STATUS_LABELS)),
                  spec.q("overdue", "1: past 整改时限 and not resolved")] + spec.PAGING,
           response=s.ProblemPageSchema)
def problem_list():
    query = problems.ledger_query(today=local_today(), department_id=parse_id(request.args.get("department")),
                                  project_id=parse_id(request.args.get("project")),
                                  status=request.args.get("status") or None, overdue=request.args.get("overdue") == "1")
    return _page(query, Problem, s.dumper(s.ProblemRecordSchema))


@bp.get("/progress-reports")
@operation("月度调度", "Monthly progress reports, newest first; of one month (YYYY-MM), one filing department "
           "(as the dispatch table's department filter) or one project if asked.", tag="routines",
           query=[spec.q("month", "YYYY-MM"), spec.q("department", "filing department id"),
                  spec.q("project", "project id")] + spec.PAGING,
           response=s.ProgressReportPageSchema)
def progress_reports():
    query = sa.select(ProgressReport).options(joinedload(ProgressReport.project), joinedload(ProgressReport.department))
    month = dispatch.parse_month(request.args.get("month"))
    if month:
        query = query.where(ProgressReport.month == month)
    query = _with_ids(query, (("department", ProgressReport.department_id), ("project", ProgressReport.project_id)))
    return _page(query, ProgressReport, s.dumper(s.ProgressReportSchema))


@bp.get("/goals")
@operation("发展目标", "The plan's 2025 goals with their current values.", tag="dashboard", response=s.GoalListSchema)
def goals():
    return json_response({"items": s.dumper(s.GoalStatusSchema, many=True)(metrics.goal_statuses(local_today()))})


@bp.get("/dashboard")
@operation("看板数据", "The dashboard's figures.", tag="dashboard", response=s.DashboardSchema)
def dashboard():
    today = local_today()
    moves = metrics.stage_moves_by_month(today)
    return json_response(s.dumper(s.DashboardSchema)({
        "as_of": today, "funnel": metrics.funnel(), "problems": metrics.problem_stats(today),
        "months": moves["months"], "stage_moves": moves["series"]}))
