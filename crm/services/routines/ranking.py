"""每季度晾晒: departments ranked each quarter by a transparent score.

Three rates, each a plain fraction of counts shown on the page:
- 报送及时率 timeliness = reports filed on time / reports expected.  Expected: for each month of
  the quarter whose due day has passed, one report per active project (services/routines/dispatch.py)
  from its 牵头部门, plus every report actually filed for that month (counted for the filing
  department, so a department never answers for a report it was not asked for).
- 问题按期销号率 problems = problems resolved by their deadline / problems whose deadline falls in
  the quarter (up to the as-of day), by owner department.
- 项目推进率 stage = min(1, forward stage moves in the quarter / projects led).  A forward move is
  a StageEvent from one main-line stage to a later one (谋划→洽谈→签约→开工→投产; resuming
  from 暂缓 is not a move); it counts for the project's 牵头部门.  Projects led: the active
  projects it leads plus any project it leads that moved forward in the quarter.
Score = 100 × Σ(weight × r) / Σ(weights of the rates that have a denominator), rounded half-up
to 0.01; a rate with nothing to count (0/0) is left out rather than counted as 0 or 100%.
r is the rate itself (method "raw") or, by default ("wilson"), the lower bound of its 95% Wilson
score interval: 1 of 1 counts as 20.65%, 45 of 50 as 78.64%, so one lucky item cannot outrank fifty
items of steady work, and one unlucky item does not sink a department to 0.
Basis n = reports expected + problems due + projects led.  A department with n < min_items is
shown as 样本不足: its score is printed but it gets no colour and no rank.
Colour: ≥ green_min 绿, ≥ yellow_min 黄, else 红.  Ties share a rank (1, 1, 3).

Data counts up to the as-of day: the quarter's last day once it is over, otherwise yesterday
(today is still open: a report due today is not yet missing).  A finished quarter is frozen
into a RankingSnapshot on first view (or by an admin) with every input and the settings used,
and is read from the snapshot ever after.  Inputs that keep no history (pool membership,
lead department) are read as they stand when the quarter is frozen.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Department, Problem, ProgressReport, Project, RankingRow, RankingSnapshot, StageEvent, User
from crm.models.project import MAIN_STAGES
from crm.services.core import audit
from crm.services.core.clock import local_today
from crm.services.core.errors import RuleError
from crm.services.routines.dispatch import active_clause, due_date, routine_settings

SETTING_FIELDS = ("report_due_day", "w_timeliness", "w_problems", "w_stage", "green_min", "yellow_min",
                  "rank_method", "min_items")
COLOUR_LABELS = {"green": _l("绿"), "yellow": _l("黄"), "red": _l("红")}
METHOD_LABELS = {"wilson": _l("威尔逊区间下限（95%）"), "raw": _l("原始比率")}
Z = Decimal("1.96")  # the 95% two-sided normal quantile of the Wilson interval
EARLIEST = (2022, 4)  # the plan was issued in October 2022


class RankingError(RuleError):
    pass


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str | None) -> Quarter | None:
        """'2026-Q3' → Quarter(2026, 3); anything else → None."""
        try:
            year, q = (text or "").upper().split("-Q")
            quarter = cls(int(year), int(q))
        except ValueError:
            return None
        return quarter if 1 <= quarter.q <= 4 and 2000 <= quarter.year <= 2100 else None

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def months(self) -> list[date]:
        return [date(self.year, 3 * self.q - 2 + i, 1) for i in range(3)]

    def next(self) -> Quarter:
        return Quarter(self.year + self.q // 4, self.q % 4 + 1)

    def prev(self) -> Quarter:
        return Quarter(self.year - (self.q == 1), (self.q - 2) % 4 + 1)

    def finished(self, today: date) -> bool:
        return self.end < today

    def __str__(self) -> str:
        return f"{self.year}-Q{self.q}"


def quarters_until(today: date) -> list[Quarter]:
    """Every quarter from the plan's issue to the current one, newest first."""
    quarter, result = Quarter.of(today), []
    while quarter >= Quarter(*EARLIEST):
        result.append(quarter)
        quarter = quarter.prev()
    return result


def as_of(quarter: Quarter, today: date) -> date:
    return quarter.end if quarter.finished(today) else min(quarter.end, today - timedelta(days=1))


def _rate(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


@dataclass
class Line:
    """One department's inputs, score and colour (live, or read back from a snapshot row)."""
    department_id: int | None
    department_name: str
    reports_expected: int = 0
    reports_on_time: int = 0
    problems_due: int = 0
    problems_on_time: int = 0
    projects_led: int = 0
    stage_moves: int = 0
    score: Decimal | None = None
    colour: str | None = None
    rank: int | None = None
    insufficient: bool = False  # fewer items than the settings' min_items: 样本不足, not ranked

    @property
    def basis(self) -> int:
        """n: the items the score rests on (reports expected, problems due, projects led)."""
        return self.reports_expected + self.problems_due + self.projects_led

    @property
    def timeliness(self) -> Fraction | None:
        return _rate(self.reports_on_time, self.reports_expected)

    @property
    def problems_rate(self) -> Fraction | None:
        return _rate(self.problems_on_time, self.problems_due)

    @property
    def stage_rate(self) -> Fraction | None:
        rate = _rate(self.stage_moves, self.projects_led)
        return min(rate, Fraction(1)) if rate is not None else None


LINE_FIELDS = [f.name for f in fields(Line) if f.name != "insufficient"]  # the columns of RankingRow


@dataclass
class Ranking:
    quarter: Quarter
    as_of: date
    provisional: bool
    settings: object  # RoutineSettings or RankingSnapshot: both carry SETTING_FIELDS
    lines: list[Line] = field(default_factory=list)
    snapshot: RankingSnapshot | None = None


def _counts(line: Line) -> list[tuple[str, int, int]]:
    """(weight key, successes, items) of each rate; a stage rate above 100% counts as n of n."""
    return [("w_timeliness", line.reports_on_time, line.reports_expected),
            ("w_problems", line.problems_on_time, line.problems_due),
            ("w_stage", min(line.stage_moves, line.projects_led), line.projects_led)]


def wilson_lower(successes: int, n: int) -> Decimal:
    """The lower bound of the 95% Wilson score interval of successes / n (n > 0)."""
    with localcontext() as ctx:
        ctx.prec = 28
        p, n, z2 = Decimal(successes) / n, Decimal(n), Z * Z
        margin = Z * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
        return max(Decimal(0), (p + z2 / (2 * n) - margin) / (1 + z2 / n))


def _half_up(value) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def score_of(line: Line, settings) -> Decimal | None:
    parts = [(getattr(settings, key), k, n) for key, k, n in _counts(line) if n]
    total = sum(weight for weight, _k, _n in parts)
    if not total:
        return None
    if getattr(settings, "rank_method", "raw") == "wilson":
        return _half_up(100 * sum(weight * wilson_lower(k, n) for weight, k, n in parts) / total)
    return _half_up(100 * sum(weight * Fraction(k, n) for weight, k, n in parts) / Fraction(total))


def judge(line: Line, settings) -> Line:
    """Score and colour one line; too few items make it 样本不足 (scored, neither coloured nor ranked)."""
    line.score = score_of(line, settings)
    line.insufficient = line.basis < (getattr(settings, "min_items", 0) or 0)
    line.colour = None if line.insufficient else colour_of(line.score, settings)
    return line


def colour_of(score: Decimal | None, settings) -> str | None:
    if score is None:
        return None
    if score >= settings.green_min:
        return "green"
    return "yellow" if score >= settings.yellow_min else "red"


def grade_label(line: Line) -> str:
    """The 等次 cell: 样本不足, the colour's name, or — when nothing could be scored."""
    if line.insufficient:
        return str(_l("样本不足"))
    return str(COLOUR_LABELS[line.colour]) if line.colour else "—"


def method_note(settings) -> str:
    """The method and minimum sample, printed under the table and in the Excel note row."""
    method = METHOD_LABELS.get(settings.rank_method, settings.rank_method)
    if settings.min_items:
        return str(_l("计分方法：%(m)s；事项数 n 少于 %(n)s 的部门为“样本不足”，不排名、不评等次。",
                      m=method, n=settings.min_items))
    return str(_l("计分方法：%(m)s；不设最少事项数。", m=method))


def _rank(lines: list[Line]) -> list[Line]:
    # 样本不足 lines come last in name order: listing them by score would rank them after all.
    lines.sort(key=lambda x: (x.insufficient, x.score is None, 0 if x.insufficient else -(x.score or 0),
                              x.department_name))
    previous = None
    for position, line in enumerate(lines, start=1):
        if line.score is None or line.insufficient:
            continue
        line.rank = previous.rank if previous is not None and previous.score == line.score else position
        previous = line
    return lines


# ---------------------------------------------------------------- live computation

def _count_reports(counts, months: list[date], active: list, due_day: int) -> None:
    if not months:
        return
    filed = db.session.execute(
        sa.select(ProgressReport.project_id, ProgressReport.month, ProgressReport.department_id,
                  ProgressReport.submitted_at).where(ProgressReport.month.in_(months))).all()
    filed_keys = {(row.project_id, row.month) for row in filed}
    for month in months:
        for project_id, department_id in active:
            if (project_id, month) not in filed_keys:
                counts[department_id]["reports_expected"] += 1
    for row in filed:
        counts[row.department_id]["reports_expected"] += 1
        if local_today(row.submitted_at) <= due_date(row.month, due_day):
            counts[row.department_id]["reports_on_time"] += 1


def _count_problems(counts, start: date, end: date) -> None:
    rows = db.session.execute(
        sa.select(Problem.department_id, Problem.status, Problem.resolved_on, Problem.deadline)
        .where(Problem.deadline.between(start, end))).all()
    for row in rows:
        counts[row.department_id]["problems_due"] += 1
        if row.status == "resolved" and row.resolved_on is not None and row.resolved_on <= row.deadline:
            counts[row.department_id]["problems_on_time"] += 1


def _is_forward(from_stage: str | None, to_stage: str) -> bool:
    return from_stage in MAIN_STAGES and to_stage in MAIN_STAGES \
        and MAIN_STAGES.index(to_stage) > MAIN_STAGES.index(from_stage)


def _count_stage(counts, start: date, end: date, active: list) -> None:
    led = defaultdict(set)
    for project_id, department_id in active:
        led[department_id].add(project_id)
    events = db.session.execute(
        sa.select(StageEvent.project_id, StageEvent.from_stage, StageEvent.to_stage, Project.lead_department_id)
        .join(Project, Project.id == StageEvent.project_id)
        .where(StageEvent.occurred_on.between(start, end), Project.lead_department_id.isnot(None))).all()
    for event in events:
        if _is_forward(event.from_stage, event.to_stage):
            counts[event.lead_department_id]["stage_moves"] += 1
            led[event.lead_department_id].add(event.project_id)
    for department_id, projects in led.items():
        counts[department_id]["projects_led"] = len(projects)


def compute(quarter: Quarter, today: date, settings=None) -> list[Line]:
    """The quarter's lines from the data as it stands (a fixed number of statements)."""
    settings = settings or routine_settings()
    last = as_of(quarter, today)
    if last < quarter.start:
        return []
    active = db.session.execute(sa.select(Project.id, Project.lead_department_id).where(active_clause())).all()
    counts = defaultdict(lambda: defaultdict(int))
    months = [m for m in quarter.months if due_date(m, settings.report_due_day) <= last]
    _count_reports(counts, months, active, settings.report_due_day)
    _count_problems(counts, quarter.start, last)
    _count_stage(counts, quarter.start, last, active)
    names = dict(db.session.execute(
        sa.select(Department.id, Department.name).where(Department.id.in_(list(counts)))).all()) if counts else {}
    lines = []
    for department_id, values in counts.items():
        lines.append(judge(Line(department_id=department_id, department_name=names.get(department_id, "—"),
                                **values), settings))
    return _rank(lines)


# ---------------------------------------------------------------- snapshots

def snapshot_of(quarter: Quarter) -> RankingSnapshot | None:
    return db.session.scalar(sa.select(RankingSnapshot).options(selectinload(RankingSnapshot.rows))
                             .where(RankingSnapshot.quarter == str(quarter)))


def freeze(quarter: Quarter, today: date, actor: User | None = None) -> RankingSnapshot:
    """Store a finished quarter's ranking for good; idempotent (returns the existing snapshot).

    Two first views at once may both try: the loser's unique violation is rolled back and it
    reads the winner's snapshot (the caller has nothing else pending in the session)."""
    existing = snapshot_of(quarter)
    if existing is not None:
        return existing
    if not quarter.finished(today):
        raise RankingError(_l("本季度尚未结束，不能封存。"))
    settings = routine_settings()
    lines = compute(quarter, today, settings)
    snapshot = RankingSnapshot(quarter=str(quarter), as_of=quarter.end, frozen_by_id=getattr(actor, "id", None),
                               **{name: getattr(settings, name) for name in SETTING_FIELDS})
    snapshot.rows = [RankingRow(position=position, **{name: getattr(line, name) for name in LINE_FIELDS})
                     for position, line in enumerate(lines, start=1)]
    try:
        with audit.acting_as(actor, label=None if actor else "system"):
            db.session.add(snapshot)
            db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return snapshot_of(quarter)
    return snapshot


def ranking_for(quarter: Quarter, today: date | None = None, actor: User | None = None) -> Ranking:
    """A finished quarter from its snapshot (frozen now if it has none); the current one live."""
    today = today or local_today()
    if not quarter.finished(today):
        settings = routine_settings()
        lines = _named_in_ui_language(compute(quarter, today, settings))
        return Ranking(quarter, as_of(quarter, today), True, settings, lines)
    snapshot = freeze(quarter, today, actor)
    lines = [Line(**{name: getattr(row, name) for name in LINE_FIELDS}) for row in snapshot.rows]
    for line in lines:
        line.insufficient = line.basis < snapshot.min_items
    return Ranking(quarter, snapshot.as_of, False, snapshot, _named_in_ui_language(lines), snapshot)


def _named_in_ui_language(lines: list[Line]) -> list[Line]:
    """The lines with their departments' names in the UI language (one statement, none in Chinese).

    Lines are computed and frozen with Chinese names, so snapshots and the order of ties do not
    depend on who looked first.  A department without a translation, or deleted since the
    quarter was frozen, keeps the name the line carries."""
    column = Department.translated_column()
    ids = {line.department_id for line in lines} - {None}
    if column is None or not ids:
        return lines
    translated = dict(db.session.execute(sa.select(Department.id, column).where(Department.id.in_(ids))).all())
    for line in lines:
        line.department_name = translated.get(line.department_id) or line.department_name
    return lines
