"""Timing pages through the real WSGI app, with the SQL each request runs.

A page is requested by a signed-in user through Flask's test client (the whole WSGI stack:
session cookie, login gate, view, Jinja, Babel), first a few warm-up times, then N timed times.
Every statement the engine sends is counted by a before_cursor_execute listener; the statements
of the last request are kept, so the floor (bench/floor.py) can run exactly the same SQL.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

import sqlalchemy as sa


@dataclass
class PageSpec:
    key: str
    label: str
    url: str
    user_id: int
    target_ms: float = 100.0  # p95 target at province scale
    note: str = ""
    reference: bool = False  # measured to explain the others, no targets of its own
    headers: dict = field(default_factory=dict)  # sent with every request (the API's token)


@dataclass
class Sample:
    """Timings of one operation, in milliseconds."""
    ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.ms) if self.ms else float("nan")

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile (the slowest of 30 requests is not hidden by interpolation)."""
        if not self.ms:
            return float("nan")
        ordered = sorted(self.ms)
        return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


class StatementLog:
    """Counts (and on request keeps) the statements an engine executes, and times each one:
    `slowest` is the longest (ms, SQL) since the last reset (the budget: none over 5 ms)."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.count = 0
        self.keep = False
        self.kept: list[tuple[str, object, bool]] = []
        self.slowest: tuple[float, str] = (0.0, "")
        self._started = 0.0

    def reset(self, keep: bool) -> None:
        self.count, self.keep, self.kept, self.slowest = 0, keep, [], (0.0, "")

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        if self.keep:
            self.kept.append((statement, parameters, executemany))
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        ms = (time.perf_counter() - self._started) * 1000
        if ms > self.slowest[0]:
            self.slowest = (ms, statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)


@dataclass
class PageResult:
    spec: PageSpec
    sample: Sample
    statements: list[int]
    statuses: list[int]
    kept: list[tuple[str, object, bool]]
    body_bytes: int
    slowest: tuple[float, str] = (0.0, "")  # the page's slowest statement: ms, SQL (median_slowest)


def signed_in_client(app, user_id: int):
    """A test client whose session says user_id is signed in (no password round trip)."""
    from crm.extensions import db
    from crm.models import User
    client = app.test_client()
    with app.app_context():
        login_id = db.session.get(User, user_id).get_id()  # "<id>:<session generation>"
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
    return client


class PageTimer:
    """One page on one app: its client, and the times, statement counts and statuses of its
    requests.  `log` counts the statements of the app's engine."""

    def __init__(self, app, log: StatementLog, spec: PageSpec):
        self.log, self.spec = log, spec
        self.client = signed_in_client(app, spec.user_id)
        self.sample, self.counts, self.statuses, self.kept, self.body = Sample(), [], [], [], b""
        self.slowest_runs: list[tuple[float, str]] = []  # each request's slowest statement

    def get(self):
        return self.client.get(self.spec.url, headers=self.spec.headers)

    def warm(self, times: int) -> None:
        self.statuses += [self.get().status_code for _ in range(times)]

    def time_one(self, keep: bool) -> None:
        """A timed request; `keep`: hold on to its statements (the floor reruns them)."""
        log = self.log
        log.reset(keep)
        started = time.perf_counter()
        response = self.get()
        self.body = response.get_data()
        self.sample.ms.append((time.perf_counter() - started) * 1000)
        log.keep = False
        self.counts.append(log.count)
        self.statuses.append(response.status_code)
        if keep:
            self.kept = list(log.kept)
        self.slowest_runs.append(log.slowest)

    def result(self) -> PageResult:
        return PageResult(self.spec, self.sample, self.counts, self.statuses, self.kept, len(self.body),
                          median_slowest(self.slowest_runs))


def median_slowest(runs: list[tuple[float, str]]) -> tuple[float, str]:
    """The page's slowest statement as a typical request meets it: the median, over requests, of
    each request's slowest (the single worst would be whichever statement a pause of the host hit)."""
    return sorted(runs)[len(runs) // 2] if runs else (0.0, "")


def time_in_rounds(timers: list[PageTimer], requests: int, warmup: int) -> list[PageResult]:
    """Every page warmed up, then timed in rounds of one request each (one timer: its requests
    back to back, the default mode).  In rounds, a burst of noise from the host (a neighbour,
    the page cache's reclaim) spreads over all the pages, and over both scales when the city's
    pages are in the rounds too, instead of landing on one page's sample."""
    for timer in timers:
        timer.warm(warmup)
    for index in range(requests):
        for timer in timers:
            timer.time_one(keep=index == requests - 1)
    return [timer.result() for timer in timers]


def time_call(fn, runs: int, warmup: int = 0) -> Sample:
    """Time a callable (a job) `runs` times after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    sample = Sample()
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        sample.ms.append((time.perf_counter() - started) * 1000)
    return sample
