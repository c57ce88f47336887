"""Results: bench/results/<scale>-<db>.json and a markdown table.

Budgets (issue 29) are checked on the province scale only; other scales report the figures.
Every page: p95 within its target (60 ms on SQLite, 80 ms on PostgreSQL; search 50 ms), p50 ≤ 20 ms
on SQLite, no statement over 5 ms (the median over requests of each request's slowest), and, when
the city results of the same database exist, the same statements as at city scale and at most 1.3×
its median.  The floor and page / floor are still measured and written, as a reading aid: they
are no longer a target (a ratio to a bare page rewards slow SQL).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
GROWTH_TARGET = 1.3
P50_BUDGET_MS = {"sqlite": 20.0}  # PostgreSQL: the p95 budget only
STATEMENT_BUDGET_MS = 5.0


def _r(value: float | None, digits: int = 1):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(value, digits)


def page_entry(result, floor) -> dict:
    counts = sorted(set(result.statements))
    return {
        "label": result.spec.label, "url": result.spec.url, "note": result.spec.note,
        "status": sorted(set(result.statuses)), "requests": len(result.sample.ms),
        # Two decimals: the gate and the smallest floors are under a millisecond, and the least
        # page / floor is computed from them.
        "median_ms": _r(result.sample.median, 2), "p95_ms": _r(result.sample.p95, 2),
        "statements": counts[-1] if counts else None, "statements_varied": len(counts) > 1,
        "body_kb": _r(result.body_bytes / 1024),
        "floor_median_ms": _r(floor.median, 2), "floor_p95_ms": _r(floor.p95, 2),
        "page_floor_ratio": _r(result.sample.median / floor.median, 2) if floor.ms else None,
        "target_p95_ms": result.spec.target_ms, "reference": result.spec.reference,
        "slowest_statement_ms": _r(result.slowest[0], 2),
        "slowest_statement": " ".join(result.slowest[1].split())[:200],
        # What the last request ran, to compare statement counts across scales and databases.
        "sql": [" ".join(statement.split())[:140] for statement, _params, _many in result.kept],
    }


def add_least_ratios(pages: dict) -> None:
    """Give each page the lowest page / floor it could reach, from the gate row (a signed-in
    request that returns text, no template): its floor plus what the gate costs beyond its own
    SQL.  No page can go below that in this app: it is the framework's part, not the page's."""
    gate = pages.get("gate")
    if not gate or gate["floor_median_ms"] is None:
        return
    overhead = gate["median_ms"] - gate["floor_median_ms"]
    for page in pages.values():
        if not page.get("reference") and page["floor_median_ms"]:
            page["least_ratio"] = _r((page["floor_median_ms"] + overhead) / page["floor_median_ms"], 2)


def job_entry(job, sample, note: str = "") -> dict:
    if sample is None:
        return {"label": job.label, "status": "n/a", "note": note or "entry point not available yet",
                "target_ms": job.target_ms}
    return {"label": job.label, "status": "ok", "runs": len(sample.ms), "median_ms": _r(sample.median),
            "max_ms": _r(max(sample.ms)), "target_ms": job.target_ms, "note": note}


def check_targets(result: dict, city: dict | None) -> list[str]:
    """Missed budgets, as readable lines (province scale)."""
    missed = []
    p50_budget = P50_BUDGET_MS.get(result.get("db", ""))
    for key, page in result["pages"].items():
        if page.get("reference"):
            continue
        if page["p95_ms"] is not None and page["p95_ms"] > page["target_p95_ms"]:
            missed.append(f"{key}: p95 {page['p95_ms']} ms > {page['target_p95_ms']} ms")
        if p50_budget and page["median_ms"] is not None and page["median_ms"] > p50_budget:
            missed.append(f"{key}: p50 {page['median_ms']} ms > {p50_budget:g} ms")
        slowest = page.get("slowest_statement_ms")
        if slowest is not None and slowest > STATEMENT_BUDGET_MS:
            missed.append(f"{key}: a statement takes {slowest} ms > {STATEMENT_BUDGET_MS:g} ms: "
                          f"{page.get('slowest_statement', '')[:100]}")
        base = (city or {}).get("pages", {}).get(key)
        if base:
            if base["statements"] != page["statements"]:
                missed.append(f"{key}: {page['statements']} statements vs {base['statements']} at city scale")
            if base["median_ms"] and page["median_ms"] > GROWTH_TARGET * base["median_ms"]:
                missed.append(f"{key}: {page['median_ms']} ms = "
                              f"{page['median_ms'] / base['median_ms']:.2f}× city ({base['median_ms']} ms)")
    for key, job in result["jobs"].items():
        if job["status"] == "ok" and job["median_ms"] > job["target_ms"]:
            missed.append(f"{key}: {job['median_ms']} ms > {job['target_ms']} ms")
    return missed


# National scale (issue 29): ten provinces on PostgreSQL.  Its budgets are the p95 of each page
# (search keeps its 50 ms) and the two jobs that read all the data; the other jobs keep theirs.
NATIONAL_P95_MS = 100.0
NATIONAL_JOB_MS = {"reminder_scan": 30_000, "digest_200": 60_000}


def national_targets(result: dict) -> list[str]:
    """Set a national run's budgets on its pages and jobs; returns what missed them."""
    for page in result["pages"].values():
        if not page.get("reference") and page["target_p95_ms"] > 50:
            page["target_p95_ms"] = NATIONAL_P95_MS
    for key, job in result["jobs"].items():
        job["target_ms"] = NATIONAL_JOB_MS.get(key, job["target_ms"])
    missed = [f"{key}: p95 {page['p95_ms']} ms > {page['target_p95_ms']:g} ms"
              for key, page in result["pages"].items()
              if not page.get("reference") and page["p95_ms"] is not None and page["p95_ms"] > page["target_p95_ms"]]
    return missed + [f"{key}: {job['median_ms']} ms > {job['target_ms']:g} ms" for key, job in result["jobs"].items()
                     if job["status"] == "ok" and job["median_ms"] > job["target_ms"]]


def results_path(directory: Path, scale: str, dialect: str) -> Path:
    return Path(directory) / f"{scale}-{dialect}.json"


def load(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


def _fmt(value, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


def markdown(result: dict, city: dict | None = None) -> str:
    head = (f"### {result['scale']} scale on {result['db']} — {result['counts']['enterprises']:,} enterprises, "
            f"{result['counts']['projects']:,} projects, {result['counts']['interactions']:,} interactions, "
            f"{result['counts']['users']:,} users; {result['requests']} requests per page\n")
    lines = [head, "| page | median ms | p95 ms | SQL / request | slowest SQL ms | floor ms | page / floor "
                   "| × city | status |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for key, page in result["pages"].items():
        base = (city or {}).get("pages", {}).get(key)
        growth = (f"{page['median_ms'] / base['median_ms']:.2f}" if base and base.get("median_ms") else "—")
        lines.append(f"| {page['label']} | {_fmt(page['median_ms'])} | {_fmt(page['p95_ms'])} | "
                     f"{_fmt(page['statements'])}{'*' if page['statements_varied'] else ''} | "
                     f"{_fmt(page.get('slowest_statement_ms'))} | "
                     f"{_fmt(page['floor_median_ms'])} | {_fmt(page['page_floor_ratio'])} | {growth} | "
                     f"{','.join(map(str, page['status']))} |")
    lines += ["", "| job | median ms | max ms | runs | target ms | note |", "|---|---:|---:|---:|---:|---|"]
    for job in result["jobs"].values():
        lines.append(f"| {job['label']} | {_fmt(job.get('median_ms'))} | {_fmt(job.get('max_ms'))} | "
                     f"{_fmt(job.get('runs'))} | {job['target_ms']:,.0f} | {job.get('note') or job['status']} |")
    if result.get("missed") is not None:
        lines += ["", "Targets missed: " + ("none" if not result["missed"] else "")]
        lines += [f"- {m}" for m in result["missed"]]
    return "\n".join(lines)
