"""One reverse-chronological timeline per project and per enterprise (issue 24).

The timeline is a registry of sources.  A source answers two questions: which of its rows
belong to a subject (an SQL select of (id, at), or None when it has nothing to say about that
kind of subject), and what one page's rows look like (a loader turning ids into Entry objects,
one eager-loaded statement).  A page of the timeline is then one UNION ALL of every source's
(source, id, at) ordered newest first with LIMIT/OFFSET, plus one statement per source that
has rows on the page: a constant number of statements whatever the length of the history.

Later kinds (replies to 批示, evidence files …) plug in with `register()` from their own module
without touching the others; `kinds()` lists the filter's checkboxes in registration order.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.services.core.paging import Page, paginate_with

PER_PAGE = 20


@dataclass(frozen=True)
class Subject:
    """What a timeline is about: ("project", id) or ("enterprise", id)."""
    type: str
    id: int


@dataclass
class Entry:
    """One line of the story, the same shape whatever its source, for one template to show.

    who and title are words (names, never ids); lines are (label, text) pairs; changes are
    (field label, old, new) for audited edits; link is (endpoint, url arguments) or None;
    record is the row itself, for what only its kind shows (a contact's follow-up)."""
    kind: str
    at: datetime  # naive UTC, as stored
    who: str
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    link: tuple[str, dict] | None = None
    record: object = None


@dataclass(frozen=True)
class Source:
    key: str  # unique among sources, e.g. "problem_closed"
    kind: str  # the filter's group, e.g. "problem" (raised and closed share one checkbox)
    rows: Callable[[Subject], sa.Select | None]  # select(id, at) of the subject's rows
    load: Callable[[list[int]], dict[int, Entry]]


_KINDS: dict[str, object] = {}  # kind -> its (lazy) label, in display order
_SOURCES: dict[str, Source] = {}
_OFFERED: dict[str, frozenset] = {}  # subject type -> its kinds, worked out once (register() resets it)


def register_kind(kind: str, label) -> None:
    _KINDS.setdefault(kind, label)


def register(source: Source) -> None:
    """Add a source; its kind must have been registered (the filter shows it)."""
    if source.kind not in _KINDS:
        raise ValueError(f"unknown timeline kind {source.kind!r}")
    _SOURCES[source.key] = source
    _OFFERED.clear()


def kinds(subject_type: str) -> dict[str, object]:
    """kind -> label, for the filter: the kinds with a source for this type of subject."""
    offered = _OFFERED.get(subject_type)
    if offered is None:
        probe = Subject(subject_type, 0)
        offered = _OFFERED[subject_type] = frozenset(s.kind for s in _SOURCES.values() if s.rows(probe) is not None)
    return {kind: label for kind, label in _KINDS.items() if kind in offered}


def chosen_kinds(values: Iterable[str], subject_type: str) -> list[str]:
    """The kinds asked for in the query string that exist; none asked (or none valid) means all."""
    offered = kinds(subject_type)
    picked = [v for v in dict.fromkeys(values) if v in offered]
    return picked or list(offered)


def _union(subject: Subject, wanted: list[str]):
    parts = []
    for source in _SOURCES.values():
        if source.kind not in wanted:
            continue
        rows = source.rows(subject)
        if rows is None:
            continue
        # A literal column, not a bound parameter: PostgreSQL cannot type a parameter in a UNION.
        inner = rows.subquery()
        parts.append(sa.select(sa.literal_column(f"'{source.key}'").label("source"),
                               inner.c[0].label("id"), inner.c[1].label("at")))
    return sa.union_all(*parts).subquery("timeline") if parts else None


def _fetch(subject: Subject, wanted: list[str], limit: int, offset: int) -> list[Entry]:
    union = _union(subject, wanted)
    if union is None:
        return []
    keys = db.session.execute(
        sa.select(union.c.source, union.c.id, union.c.at)
        .order_by(union.c.at.desc(), union.c.source, union.c.id.desc()).limit(limit).offset(offset)).all()
    by_source: dict[str, list[int]] = {}
    for key, ident, _at in keys:
        by_source.setdefault(key, []).append(ident)
    loaded = {key: _SOURCES[key].load(ids) for key, ids in by_source.items()}
    return [loaded[key][ident] for key, ident, _at in keys if ident in loaded[key]]


def page(subject: Subject, wanted: list[str], number, url: Callable[[int], str], per_page: int = PER_PAGE) -> Page:
    """One page of the subject's timeline, newest first, of the kinds in `wanted`."""
    return paginate_with(lambda limit, offset: _fetch(subject, wanted, limit, offset), number, per_page, url)


from crm.services.timeline import audited, sources  # noqa: E402,F401  (register the built-in sources)
