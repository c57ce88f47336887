"""季度晾晒 pages: the quarter's ranking, its Excel sheet, the weights and freezing a quarter."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import gettext as _
from crm.routines.forms import NoteForm, RankingSettingsForm
from crm.routines.views import bp
from crm.services.core.clock import local_now, local_today
from crm.services.routines import dispatch, ranking
from crm.services.sheets import xlsx
from crm.web import attach, roles_required, xlsx_response


def _quarter_arg(raw, today) -> ranking.Quarter:
    quarter = ranking.Quarter.parse(raw) if raw else ranking.Quarter.of(today)
    if quarter is None or quarter not in ranking.quarters_until(today):
        abort(404)
    return quarter


@bp.route("/ranking", endpoint="ranking")
def ranking_page():
    today = local_today()
    quarter = _quarter_arg(request.args.get("quarter"), today)
    result = ranking.ranking_for(quarter, today)
    db.session.commit()  # a first view of a finished quarter has just frozen it
    unfrozen = None
    if current_user.role == "admin" and result.provisional and ranking.snapshot_of(quarter.prev()) is None \
            and quarter.prev() in ranking.quarters_until(today):
        unfrozen = quarter.prev()
    return render_template("routines/ranking.html", ranking=result, quarters=ranking.quarters_until(today),
                           unfrozen=unfrozen, note_form=NoteForm(), grade_label=ranking.grade_label,
                           method_note=ranking.method_note)



@bp.route("/ranking.xlsx")
def ranking_xlsx():
    today = local_today()
    quarter = _quarter_arg(request.args.get("quarter"), today)
    result = ranking.ranking_for(quarter, today)
    db.session.commit()
    return xlsx_response(xlsx.ranking_workbook(result, generated=local_now()), f"ranking-{quarter}.xlsx")


@bp.route("/ranking/weights", methods=["GET", "POST"])
@roles_required("admin")
def ranking_weights():
    form = RankingSettingsForm(obj=dispatch.routine_settings())
    if form.validate_on_submit():
        dispatch.update_settings(current_user, {name: getattr(form, name).data for name in dispatch.EDITABLE_SETTINGS})
        db.session.commit()
        flash(_("权重与规则已保存；已封存的季度不受影响。"), "success")
        return redirect(url_for("routines.ranking"))
    return render_template("routines/ranking_weights.html", form=form)


@bp.route("/ranking/freeze", methods=["POST"])
@roles_required("admin")
def ranking_freeze():
    today = local_today()
    quarter = ranking.Quarter.parse(request.values.get("quarter")) or ranking.Quarter.of(today).prev()
    if quarter not in ranking.quarters_until(today):
        abort(404)
    if NoteForm().validate_on_submit():
        try:
            ranking.freeze(quarter, today, current_user)
        except ranking.RankingError as error:
            attach(None, error)
            return redirect(url_for("routines.ranking"))
        db.session.commit()
        flash(_("%(q)s 的晾晒结果已封存。", q=str(quarter)), "success")
    return redirect(url_for("routines.ranking", quarter=str(quarter)))
