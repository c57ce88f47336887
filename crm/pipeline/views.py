"""The pipeline board (项目看板): a column per stage with its count and total investment.

Counts and totals come from one GROUP BY; each column shows only its most recently moved
cards (one ranked query), so the page runs the same statements at 10 or 10,000 projects.
Cards the user may edit can be dragged to another column (static/js/board.js), which opens the
project page's stage form in a dialog; without JavaScript a card is a link to its project.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from crm.models.project import MAIN_STAGES, SIDE_STAGES
from crm.services import board as board_svc
from crm.services import projects as svc
from crm.services.core.clock import local_today

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")

# A column shows the projects that moved most recently; the rest are one click away in the
# filtered list ("查看全部 N 个").  Twelve cards fit a column on one or two screens; fifty made
# a column six screens tall and the page five times slower, with nothing a glance could use.
CARDS_PER_STAGE = 12


@bp.route("/")
def board():
    conditions = svc.project_filters(request.args)
    totals = svc.stage_totals(conditions)
    # 暂缓/终止 fold away under their counts; their cards load only when that stage is filtered.
    side_open = request.args.get("stage") in SIDE_STAGES
    shown = MAIN_STAGES + (SIDE_STAGES if side_open else ())
    cards = board_svc.board_cards(conditions, CARDS_PER_STAGE, stages=shown)
    movable = svc.editable_ids(current_user, (p.id for stage in shown for p in cards[stage]))
    columns = [{"stage": stage, "count": totals[stage][0], "total": totals[stage][1], "cards": cards[stage],
                "loaded": stage in shown} for stage in MAIN_STAGES + SIDE_STAGES]
    return render_template(
        "pipeline/board.html", main=columns[:len(MAIN_STAGES)], side=columns[len(MAIN_STAGES):], side_open=side_open,
        filters=svc.filter_args(request.args), options=svc.filter_options(), today=local_today(),
        per_stage=CARDS_PER_STAGE, movable=movable)
