"""Reports: goals dashboard (/dashboard), cohort rates, manual goal values, innovation
platforms, and the quarterly reserve-pool reviews (滚动储备库).

Everyone signed in reads; only admins enter values, edit platforms and run reviews.
"""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import current_lang
from crm.i18n import gettext as _
from crm.models import Goal, InnovationPlatform, PoolReview, Project
from crm.reports.forms import CohortForm, GoalValueForm, PlatformForm, PoolReviewForm
from crm.services import pool
from crm.services.chains import coverage as chain_coverage
from crm.services.core import money, versions
from crm.services.core.clock import local_today, quarter_label
from crm.services.core.paging import Page, page_number
from crm.services.pipeline import STAGE_LABELS
from crm.services.reports import cohorts, metrics, summaries
from crm.services.reports import dashboard as dashboard_figures
from crm.web import attach, get_or_404, roles_required, versioning

bp = Blueprint("reports", __name__)
bp.add_app_template_filter(metrics.plain_number, "plain_number")
bp.add_app_template_filter(metrics.goal_amount, "goal_amount")


def _num(value, per=1) -> float:
    """Chart data only: ECharts wants plain numbers (tables show the exact Decimals)."""
    return round(float((value or 0) / per), 4)


def _chart_data(funnel, sectors, moves) -> dict:
    # Each chart counts in the unit the table beside it prints (万元, or 亿元 once amounts reach it).
    per, unit = money.chart_unit([s.investment for s in funnel], current_lang())
    sector_per, sector_unit = money.chart_unit([row["investment"] for row in sectors], current_lang())
    return {
        "funnel": {"labels": [str(STAGE_LABELS[s.stage]) for s in funnel],
                   "counts": [s.count for s in funnel], "investment": [_num(s.investment, per) for s in funnel]},
        "sectors": [{"name": row["sector"], "value": _num(row["investment"], sector_per)} for row in sectors],
        "moves": {"months": moves["months"],
                  "series": [{"name": str(STAGE_LABELS[stage]), "data": counts}
                             for stage, counts in moves["series"].items() if any(counts)]},
        "labels": {"count": _("项目数"), "investment": _("总投资（%(unit)s）", unit=unit), "wan": sector_unit},
    }


@bp.route("/dashboard")
def dashboard():
    today = local_today()
    figures = dashboard_figures.figures(today)  # stored aggregates (services/reports/summaries.py)
    db.session.commit()  # keeps the figures when this request had to count them
    chain_trends = chain_coverage.trends(today)
    return render_template(
        "reports/dashboard.html", today=today, statuses=metrics.goal_statuses(today, figures.computed),
        elapsed=metrics.period_elapsed(today), funnel=figures.funnel, sectors=figures.sectors, moves=figures.moves,
        problems=figures.problems, chart=_chart_data(figures.funnel, figures.sectors, figures.moves),
        funnel_total=sum((s.investment for s in figures.funnel), Decimal(0)), computed_at=figures.computed_at,
        refresh_minutes=summaries.REFRESH_SECONDS // 60,
        chain_trends=chain_trends, chain_chart=chain_coverage.chart_data(chain_trends, today))


# ---- cohorts ------------------------------------------------------------------------------

def _cohort_from_request() -> tuple[CohortForm, cohorts.Cohort | None]:
    form = CohortForm(formdata=request.args).load_choices()
    if not form.validate():
        return form, None
    today = local_today()
    return form, cohorts.Cohort(as_of=form.as_of.data or today, start=form.start.data, end=form.end.data,
                                review_id=form.review.data, sector_id=form.sector.data)


@bp.route("/dashboard/cohorts", endpoint="cohorts")  # function name: the service module is `cohorts`
def cohorts_page():
    form, cohort = _cohort_from_request()
    size, rates = cohorts.cohort_rates(cohort) if cohort else (0, [])
    return render_template("reports/cohorts.html", form=form, cohort=cohort, size=size, rates=rates)


@bp.route("/dashboard/cohorts/projects")
def cohort_projects():
    rate, part = request.args.get("rate"), request.args.get("part")
    if rate not in cohorts.RATE_KEYS or part not in ("num", "den"):
        abort(404)
    _, cohort = _cohort_from_request()
    if cohort is None:
        abort(400)
    number = page_number(request.args.get("page"))
    per_page = 100
    query = cohorts.cohort_projects_query(cohort, rate, part).options(
        joinedload(Project.sector), joinedload(Project.lead_department))
    rows = db.session.execute(query.limit(per_page + 1).offset((number - 1) * per_page)).all()
    args = {k: v for k, v in request.args.items() if k != "page"}
    page = Page(number=number, per_page=per_page, items=rows[:per_page], has_next=len(rows) > per_page,
                url=lambda n: url_for("reports.cohort_projects", page=n, **args))
    _, rates = cohorts.cohort_rates(cohort)
    return render_template("reports/cohort_projects.html", page=page, cohort=cohort,
                           rate=next(r for r in rates if r.key == rate), part=part,
                           back=url_for("reports.cohorts", **cohort.params()))


# ---- manual goal values -------------------------------------------------------------------

@bp.route("/dashboard/goals/<goal_id>/value", methods=["GET", "POST"])
@roles_required("admin")
def goal_value(goal_id):
    goal = get_or_404(Goal, goal_id)
    if not metrics.is_manual(goal):
        abort(404)
    form = GoalValueForm(version=goal.version)
    if form.validate_on_submit():
        try:
            metrics.record_goal_value(goal, value=form.value.data, as_of=form.as_of.data, source=form.source.data,
                                      actor=current_user, today=local_today(), version=form.version.data)
        except metrics.FieldError as exc:
            attach(form, exc)
        except versions.StaleEdit as stale:
            versioning.conflict(stale, form, labels={"manual_value": form.value.label.text,
                                                     "manual_as_of": form.as_of.label.text,
                                                     "manual_source": form.source.label.text})
        else:
            db.session.commit()
            flash(_("已录入“%(name)s”的最新值。", name=goal.name), "success")
            return redirect(url_for("reports.dashboard"))
    return render_template("reports/goal_value.html", goal=goal, form=form,
                           history=metrics.goal_history(goal)), versioning.status(form)


# ---- innovation platforms -----------------------------------------------------------------

@bp.route("/dashboard/platforms")
def platforms():
    return render_template("reports/platforms.html", platforms=metrics.platforms())


def _edit_platform(platform: InnovationPlatform):
    form = PlatformForm(obj=platform)
    if not form.is_submitted() and platform.enterprise:
        form.enterprise_name.data = platform.enterprise.name
    if form.validate_on_submit():
        try:
            metrics.save_platform(platform, name=form.name.data, level=form.level.data,
                                  enterprise_name=form.enterprise_name.data, recognized_on=form.recognized_on.data,
                                  note=form.note.data, actor=current_user, today=local_today())
        except metrics.FieldError as exc:
            db.session.rollback()
            attach(form, exc)
        else:
            db.session.commit()
            flash(_("已保存创新平台“%(name)s”。", name=platform.name), "success")
            return redirect(url_for("reports.platforms"))
    return render_template("reports/platform_form.html", form=form, platform=platform)


@bp.route("/dashboard/platforms/new", methods=["GET", "POST"])
@roles_required("admin")
def platform_new():
    return _edit_platform(InnovationPlatform())


@bp.route("/dashboard/platforms/<platform_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def platform_edit(platform_id):
    return _edit_platform(get_or_404(InnovationPlatform, platform_id))


@bp.route("/dashboard/platforms/<platform_id>/delete", methods=["POST"])
@roles_required("admin")
def platform_delete(platform_id):
    platform = get_or_404(InnovationPlatform, platform_id)
    db.session.delete(platform)
    db.session.commit()
    flash(_("已删除创新平台“%(name)s”。", name=platform.name), "success")
    return redirect(url_for("reports.platforms"))


# ---- reserve-pool reviews -----------------------------------------------------------------

@bp.route("/pool-reviews")
def pool_reviews():
    return render_template("reports/pool_reviews.html", reviews=pool.reviews(), last=pool.last_review())


@bp.route("/pool-reviews/new", methods=["GET", "POST"])
@roles_required("admin")
def pool_review_new():
    today = local_today()
    form = PoolReviewForm()
    if not form.is_submitted():
        form.quarter.data, form.reviewed_on.data = pool.quarter_of(today), today
    chosen, refused = (pool.parse_decisions(request.form) if form.is_submitted() else {}), None
    if form.validate_on_submit():
        try:
            review = pool.run_review(quarter=form.quarter.data, reviewed_on=form.reviewed_on.data,
                                     note=form.note.data, actor=current_user, today=today, decisions=chosen)
            db.session.commit()
        except pool.PoolError as exc:
            db.session.rollback()
            refused = str(exc)
        except IntegrityError:  # another admin recorded the same quarter a moment ago
            db.session.rollback()
            form.quarter.errors.append(_("该季度已经评审过，每个季度只评审一次。"))
        else:
            flash(_("已完成 %(q)s 储备库评审。", q=quarter_label(review.quarter)), "success")
            return redirect(url_for("reports.pool_review_detail", review_id=review.id))
    return render_template("reports/pool_review_new.html", form=form, preview=pool.preview_review(), chosen=chosen,
                           refused=refused, proposed=pool.proposed, DECISIONS=pool.DECISION_LABELS)


@bp.route("/pool-reviews/<review_id>")
def pool_review_detail(review_id):
    review = get_or_404(PoolReview, review_id, options=[joinedload(PoolReview.reviewed_by)])
    return render_template("reports/pool_review_detail.html", review=review, lists=pool.review_lists(review),
                           DECISIONS=pool.DECISION_LABELS, ACTIONS=pool.ACTION_LABELS)
