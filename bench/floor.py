"""The floor of a page: its own SQL run directly on a DBAPI cursor, plus a bare template.

What a page cannot go below on this machine and database: the same statements, with the same
parameters, executed on a raw connection and fetched, then the fetched rows printed by a bare
Jinja template (bench/templates/floor.html).  page / floor shows what the ORM, the view and the
real templates add on top of the data work.
"""
from __future__ import annotations

import time
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bench.timing import Sample

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def run_once(engine, statements) -> str:
    """Execute the statements on a fresh pool checkout and render their rows."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        results = []
        for statement, parameters, executemany in statements:
            if executemany:
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
            results.append(cursor.fetchall() if cursor.description else [])
        cursor.close()
        return _env.get_template("floor.html").render(results=results)
    finally:
        raw.rollback()  # reads only, but leave no transaction open
        raw.close()


def time_floors(work: list[tuple], requests: int, warmup: int) -> list[Sample]:
    """The floors of several pages, [(engine, statements)], timed in rounds like their pages
    (timing.time_in_rounds)."""
    for engine, statements in work:
        for _ in range(warmup):
            run_once(engine, statements)
    samples = [Sample() for _ in work]
    for _ in range(requests):
        for (engine, statements), sample in zip(work, samples):
            started = time.perf_counter()
            run_once(engine, statements)
            sample.ms.append((time.perf_counter() - started) * 1000)
    return samples
