"""The follow-up calendar (跟进日历): whose follow-ups a user sees, and those of a period.

A follow-up is an open `next_follow_up` of a contact log (crm/models/enterprise.py Interaction).
Staff see the ones they wrote, officers their department's projects' ones, leaders their
liaison projects' ones, administrators everyone's.  The calendar page and the .ics feed
(feed.py) read the same `scope`, so both hold the same follow-ups.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from crm.extensions import db
from crm.models import Interaction, Project, User
from crm.services.core import access

# A bound on one statement's rows whatever a role may see: a month of an administrator's
# follow-ups at province scale stays well below it; the page says when it was reached.
PERIOD_LIMIT = 1000
OVERDUE_LIMIT = 50
# What a day's cell lists (the earliest written first); the rest of the day is counted, so an
# administrator's month at province scale renders the same few hundred rows as a small office's.
PER_DAY = {"month": 6, "week": 20}


def scope(user: User):
    """A WHERE condition on Interaction: the follow-ups this user's calendar holds."""
    if user.role == "admin":
        return sa.true()
    if user.role == "staff":
        return Interaction.created_by_id == user.id
    if user.role == "officer" and user.department_id:
        return Interaction.project_id.in_(sa.select(Project.id).where(access.department_projects(user.department_id)))
    if user.role == "leader":
        return Interaction.project_id.in_(sa.select(Project.id).where(Project.liaison_leader_id == user.id))
    return sa.false()


def _open(user: User):
    # Repeats the partial indexes' condition (follow_up_done is false) so they serve the query.
    return sa.and_(scope(user), Interaction.follow_up_done.is_(False), Interaction.next_follow_up.is_not(None))


def _select(user: User):
    return (sa.select(Interaction).where(_open(user))
            .options(joinedload(Interaction.enterprise), joinedload(Interaction.created_by))
            .order_by(Interaction.next_follow_up, Interaction.id))


def _with_projects(rows: list[Interaction]) -> list[Interaction]:
    """Set each row's project from one statement (always one, also for none), not a join:
    PostgreSQL takes a user's open follow-ups for ~10× what they are (most contacts with no date
    are not done either) and merged the join with every project (6 ms for a staff member's 85)."""
    projects = {p.id: p for p in db.session.scalars(
        sa.select(Project).where(Project.id.in_({i.project_id for i in rows if i.project_id})))}
    for i in rows:
        set_committed_value(i, "project", projects.get(i.project_id))
    return rows


def open_follow_ups(user: User, start: date | None = None, end: date | None = None,
                    limit: int = PERIOD_LIMIT) -> list[Interaction]:
    """The user's open follow-ups due from `start` to `end` (inclusive; open-ended when None),
    by date.  Two statements (the rows, their projects)."""
    query = _select(user)
    if start is not None:
        query = query.where(Interaction.next_follow_up >= start)
    if end is not None:
        query = query.where(Interaction.next_follow_up <= end)
    return _with_projects(db.session.scalars(query.limit(limit)).all())


def overdue_before(user: User, day: date) -> list[Interaction]:
    """Open follow-ups due before `day` (the oldest first): those a period view starting later
    would hide.  Two statements."""
    return open_follow_ups(user, end=day - timedelta(days=1), limit=OVERDUE_LIMIT)


def _first_of_each_day(user: User, start: date, end: date, per_day: int):
    """select(id) of the first `per_day` follow-ups (by id) of each day from `start` to `end`.

    Everyone's follow-ups (an administrator's) are thousands a month at province scale: ranking
    them all to keep six a day sorted every one (8–17 ms), so each day walks the open follow-ups'
    index (next_follow_up, id) and stops after `per_day`: one UNION ALL of at most 42 short walks.
    PostgreSQL plans 42 unioned walks in ~15 ms, so there one walk is joined LATERAL to the days.
    A narrower scope holds few enough rows to rank them in one window."""
    if user.role == "admin":
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        if db.session.get_bind().dialect.name == "postgresql":
            table = sa.values(sa.column("day", sa.Date), name="days").data([(day,) for day in days])
            walk = (sa.select(Interaction.id).where(_open(user), Interaction.next_follow_up == table.c.day)
                    .order_by(Interaction.id).limit(per_day).lateral("walk"))
            return sa.select(walk.c.id).select_from(table).join(walk, sa.true())
        walks = [sa.select(Interaction.id).where(_open(user), Interaction.next_follow_up == day)
                 .order_by(Interaction.id).limit(per_day).subquery() for day in days]
        return sa.union_all(*(sa.select(walk.c.id) for walk in walks))
    period = sa.and_(_open(user), Interaction.next_follow_up >= start, Interaction.next_follow_up <= end)
    rank = sa.func.row_number().over(partition_by=Interaction.next_follow_up, order_by=Interaction.id)
    ranked = sa.select(Interaction.id, rank.label("n")).where(period).subquery()
    return sa.select(ranked.c.id).where(ranked.c.n <= per_day)


def period_follow_ups(user: User, start: date, end: date, per_day: int) -> tuple[list[Interaction], dict[date, int]]:
    """The follow-ups a calendar period shows: at most `per_day` a day, and how many each day has
    in all.  Three statements, whatever the number of follow-ups."""
    period = sa.and_(_open(user), Interaction.next_follow_up >= start, Interaction.next_follow_up <= end)
    shown = _with_projects(db.session.scalars(_select(user).where(
        Interaction.id.in_(_first_of_each_day(user, start, end, per_day)))).all())
    counts = dict(db.session.execute(sa.select(Interaction.next_follow_up, sa.func.count())
                                     .where(period).group_by(Interaction.next_follow_up)).all())
    return shown, counts
