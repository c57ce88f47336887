"""Eager-loading selects shared by views, jobs and the benchmark.

Every list page's rows come from here with what the template touches already loaded, so a
page runs the same number of statements whatever the number of rows.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Enterprise, Interaction, User


def _sees_all(user: User) -> bool:
    """Leaders and admins follow everyone's interactions; others those they logged or whose
    enterprise they own."""
    return user.role in ("admin", "leader")


_SHOWN = (joinedload(Interaction.enterprise), joinedload(Interaction.project), joinedload(Interaction.created_by))


def _first_ids(user: User, conditions, column, descending: bool, limit: int) -> sa.Select:
    """Ids of the user's interactions meeting `conditions`, the first `limit` by (column, id).

    Everyone's (leaders, admins) are read in index order.  A staff member's or an officer's are
    the union of the first `limit` they logged (the author indexes) and those on their
    enterprises (owner, then firm indexes, both covering), sorted after.  Written as
    `author OR firm IN (subquery)`, PostgreSQL could use neither index for the OR and read all
    1,000,000 interactions (0.2 s), or walked the time index backwards hunting for an officer's
    rows (3 s for one who has none); the firms' side has no LIMIT of its own for that reason."""
    def order(*columns):
        return [c.desc() if descending else c.asc() for c in columns]

    if _sees_all(user):
        return sa.select(Interaction.id).where(*conditions).order_by(*order(column, Interaction.id)).limit(limit)
    logged = (sa.select(Interaction.id, column).where(*conditions, Interaction.created_by_id == user.id)
              .order_by(*order(column, Interaction.id)).limit(limit).subquery("logged"))
    logged = sa.select(logged.c.id, logged.c[column.key])  # SQLite takes no LIMIT inside a UNION's arm
    on_firms = (sa.select(Interaction.id, column).join(Enterprise, Enterprise.id == Interaction.enterprise_id)
                .where(*conditions, Enterprise.owner_id == user.id))
    found = sa.union(logged, on_firms).subquery()
    return sa.select(found.c.id).order_by(*order(found.c[column.key], found.c.id)).limit(limit)


def due_follow_ups_select(user: User, today: date, limit: int = 50) -> sa.Select:
    """Ids of the open follow-ups due by `today`, soonest first; a staff member's come from the
    partial indexes of open follow-ups (ix_interactions_open_*)."""
    return _first_ids(user, (Interaction.next_follow_up <= today, Interaction.follow_up_done.is_(False)),
                      Interaction.next_follow_up, False, limit)


def due_follow_ups_count(user: User, today: date) -> int:
    """How many open follow-ups due_follow_ups_select would list without its limit: the same two
    index-served arms (logged by the user, on the user's enterprises), counted once each."""
    conditions = (Interaction.next_follow_up <= today, Interaction.follow_up_done.is_(False))
    if _sees_all(user):
        found = sa.select(Interaction.id).where(*conditions)
    else:
        found = sa.union(
            sa.select(Interaction.id).where(*conditions, Interaction.created_by_id == user.id),
            sa.select(Interaction.id).join(Enterprise, Enterprise.id == Interaction.enterprise_id)
            .where(*conditions, Enterprise.owner_id == user.id))
    return db.session.scalar(sa.select(sa.func.count()).select_from(found.subquery()))


def recent_interactions_select(user: User, limit: int = 20) -> sa.Select:
    """Ids of the newest interactions; for leaders and admins over everyone's, read from
    ix_interactions_at."""
    return _first_ids(user, (), Interaction.occurred_at, True, limit)


def _interactions(id_select) -> list[Interaction]:
    """The rows of an id select, in its order.  Ids first, then the rows with what the home page
    shows: joined before the sort, a staff member's ~6,000 wide rows were sorted for ten."""
    return list(in_order(Interaction, db.session.scalars(id_select).all(), _SHOWN))


def due_follow_ups(user: User, today: date, limit: int = 50) -> list[Interaction]:
    return _interactions(due_follow_ups_select(user, today, limit))


def recent_interactions(user: User, limit: int = 20) -> list[Interaction]:
    return _interactions(recent_interactions_select(user, limit))


def distinct_values(column, limit: int) -> list:
    """The distinct non-null values of an indexed column, in order, by jumping through its index
    (a "loose index scan": one index probe per value).  SELECT DISTINCT reads every row instead,
    on each list page, for a few dozen values."""
    first = sa.select(sa.func.min(column)).where(column.is_not(None)).scalar_subquery()
    seen = sa.select(first.label("value")).cte("seen", recursive=True)
    after = sa.select(sa.func.min(column)).where(column > seen.c.value).scalar_subquery()
    seen = seen.union_all(sa.select(after).select_from(seen).where(seen.c.value.is_not(None)))
    return db.session.scalars(sa.select(seen.c.value).where(seen.c.value.is_not(None)).limit(limit)).all()


def file_owners() -> list[User]:
    """Enabled 经合中心 staff and admins, by name: who may own an enterprise file or a project."""
    return db.session.scalars(sa.select(User).where(User.role.in_(("staff", "admin")), User.is_enabled)
                              .order_by(User.display_name, User.id)).all()


def enabled_leaders() -> list[User]:
    """Enabled city leaders, by name: who may hold a project in liaison (包联)."""
    return db.session.scalars(sa.select(User).where(User.role == "leader", User.is_enabled)
                              .order_by(User.display_name, User.id)).all()


def capped_ids(id_select, cap: int) -> tuple[list[int], bool]:
    """The first `cap` ids of a select of ids, and whether there were more (a sheet says so)."""
    ids = db.session.scalars(id_select.limit(cap + 1)).all()
    return ids[:cap], len(ids) > cap


def in_order(model, ids: list[int], options=(), size: int = 500):
    """The rows of `ids` in that order, loaded `size` at a time with `options`: a long export
    reads a constant number of statements per chunk and holds one chunk at a time."""
    for start in range(0, len(ids), size):
        part = ids[start:start + size]
        loaded = {row.id: row for row in db.session.scalars(
            sa.select(model).where(model.id.in_(part)).options(*options))}
        yield from (loaded[i] for i in part)
