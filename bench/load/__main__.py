"""`python -m bench.load --database-url postgresql+psycopg://…/bench`: the bounded load test.

1. Builds (or reuses) the province data on that database, as the page bench does.
2. Starts gunicorn (gunicorn.conf.py), one RQ worker and the one cron process on a Redis database
   of its own (emptied first), the production pieces on one host.
3. Runs Locust headless (bench/load/locustfile.py): --users simulated staff for --run-time.
   Half-way it restarts one gunicorn worker (SIGTERM: the master starts another) and stops the RQ
   worker for 30 s, then starts it again.
4. Waits for the queues to drain, then counts in the database every write the server accepted
   (each carries the run's marker): a write accepted but not found is a lost write.
5. Writes bench/results/load-<db>.json: throughput, p95, errors, writes accepted and found, the
   disruptions and the machine; exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from bench import http, report
from bench.__main__ import ensure_data, ensure_database, machine, make_app

HERE = Path(__file__).resolve().parent
TARGETS = {"requests_per_s": 200.0, "p95_ms": 150.0, "errors": 0, "lost_writes": 0}
# The records a write leaves, by the kind the locustfile counts: table, column holding the marker.
WRITES = {"contacts": ("interactions", "summary"), "stage_moves": ("stage_events", "evidence"),
          "reports": ("progress_reports", "progress")}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14",
                        help="a Redis database of the run's own: it is emptied first")
    parser.add_argument("--scale", default="province")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--run-time", type=int, default=300, help="seconds")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--no-disruption", dest="disrupt", action="store_false")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS)
    parser.add_argument("--data-dir", type=Path, default=HERE.parent / "data")
    return parser.parse_args(argv)


def plan(app, marker: str, seats: int) -> dict:
    """What the simulated users work on: signed-in staff sessions, their firms, projects to move
    (谋划 → 洽谈, each once) and projects to report on this month (each once)."""
    from crm.extensions import db
    from crm.models import Enterprise, Project, User
    from crm.services.core.clock import local_today
    from crm.services.routines import dispatch
    with app.app_context():
        month = dispatch.month_start(local_today())
        staff = db.session.scalars(sa.select(User.id).where(User.role == "staff", User.is_enabled)
                                   .order_by(User.id).limit(seats)).all()
        people = [{"cookie": http.session_cookie(app, uid).split("=", 1)[1],
                   "enterprises": [list(r) for r in db.session.execute(
                       sa.select(Enterprise.id, Enterprise.name).where(Enterprise.owner_id == uid)
                       .order_by(Enterprise.id).limit(200))]} for uid in staff]
        reportable = _reportable(month)
        return {
            "marker": marker, "seats": seats, "month": f"{month:%Y-%m}",
            "cookie_name": app.config["SESSION_COOKIE_NAME"], "people": people,
            "enterprises": [list(r) for r in db.session.execute(
                sa.select(Enterprise.id, Enterprise.name).order_by(Enterprise.id).limit(500))],
            "projects": db.session.scalars(sa.select(Project.id).order_by(Project.id).limit(2000)).all(),
            "movable": db.session.scalars(sa.select(Project.id).where(Project.stage == "planned")
                                          .order_by(Project.id)).all(),
            "reportable": reportable, "terms": ["绥芬", "生物科技", "ООО", "哈尔滨", "农业"],
        }


def _reportable(month: date) -> list[list]:
    """[project id, 累计完成投资, 到位资金] of the projects owed this month's report and not filed
    yet, with figures the rules accept: the last report's cumulative plus 100 万元 this month."""
    from crm.extensions import db
    from crm.models import ProgressReport, Project
    from crm.services.routines import dispatch
    filed = sa.select(ProgressReport.id).where(ProgressReport.project_id == Project.id,
                                               ProgressReport.month >= month).exists()
    last = (sa.select(ProgressReport.project_id, sa.func.max(ProgressReport.month).label("month"))
            .where(ProgressReport.month < month).group_by(ProgressReport.project_id).subquery())
    prev = sa.orm.aliased(ProgressReport)
    rows = db.session.execute(
        sa.select(Project.id, prev.invest_cumulative, prev.funds_in_place)
        .outerjoin(last, last.c.project_id == Project.id)
        .outerjoin(prev, sa.and_(prev.project_id == Project.id, prev.month == last.c.month))
        .where(dispatch.active_clause(), Project.lead_department_id.is_not(None), ~filed).order_by(Project.id))
    return [[pid, str((cumulative or 0) + 100), str(funds or 0)] for pid, cumulative, funds in rows]


class Processes:
    """The worker and cron of the run, started and stopped on the run's environment."""

    def __init__(self, env: dict):
        self.env, self.worker, self.cron = env, None, None

    def start_worker(self):
        self.worker = subprocess.Popen([sys.executable, "-m", "workers", "worker"], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop_worker(self):
        self.worker.send_signal(signal.SIGTERM)
        self.worker.wait(timeout=60)

    def __enter__(self):
        self.start_worker()
        self.cron = subprocess.Popen([sys.executable, "-m", "workers", "cron"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc):
        for proc in (self.worker, self.cron):
            if proc and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)


def disrupt(server: http.Gunicorn, processes: Processes, at: float, events: list) -> threading.Thread:
    """Half-way: restart one gunicorn worker, and stop the RQ worker for 30 s."""
    def run():
        time.sleep(at)
        children = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
        if children:
            os.kill(int(children[0]), signal.SIGTERM)
            events.append({"at_s": round(at, 1), "what": f"gunicorn worker {children[0]} restarted (SIGTERM)"})
        processes.stop_worker()
        events.append({"at_s": round(at, 1), "what": "RQ worker stopped for 30 s"})
        time.sleep(30)
        processes.start_worker()
        events.append({"at_s": round(at + 30, 1), "what": "RQ worker started again"})
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def drain(redis_url: str, timeout: float = 300) -> float | None:
    """Seconds until every queue is empty and no job runs; None if it did not drain in time."""
    import redis
    from rq import Queue

    from crm.services.messaging.outbox import QUEUES
    conn, started = redis.Redis.from_url(redis_url), time.monotonic()
    queues = [Queue(name, connection=conn) for name in QUEUES]
    while time.monotonic() - started < timeout:
        if all(q.count == 0 and q.started_job_registry.count == 0 for q in queues):
            return round(time.monotonic() - started, 1)
        time.sleep(1)
    return None


def found_writes(engine, marker: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {kind: conn.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE {column} LIKE :m"),
                                  {"m": f"{marker}%"}) for kind, (table, column) in WRITES.items()}


def locust_stats(prefix: str) -> dict:
    """The aggregated row and each endpoint's of Locust's CSV."""
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    def entry(row):
        return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "median_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "per_s": round(float(row["Requests/s"]), 1)}
    return {row["Name"]: entry(row) for row in rows}


def main(argv=None) -> int:
    args = parse_args(argv)
    if importlib.util.find_spec("locust") is None:
        print("the load test needs Locust: pip install -e '.[load]'", file=sys.stderr)
        return 2
    if not args.database_url.startswith("postgresql"):
        print("the load test runs on PostgreSQL: give --database-url or DATABASE_URL", file=sys.stderr)
        return 2
    ensure_database(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    app = make_app(args.database_url, work)
    from crm.extensions import db
    with app.app_context():
        ensure_data(db.engine, args.scale, date.today(), False)
        engine = db.engine
    import redis
    redis.Redis.from_url(args.redis_url).flushdb()
    marker = f"压测{int(time.time())}"
    (work / "plan.json").write_text(json.dumps(plan(app, marker, args.users), ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, REDIS_URL=args.redis_url, DATABASE_URL=args.database_url, CRM_INSTANCE_PATH=str(work),
               SECRET_KEY="bench-secret", SMTP_HOST="", TZ="Asia/Shanghai", LOAD_PLAN=str(work / "plan.json"),
               LOAD_COUNTS=str(work / "counts.json"))
    os.environ["REDIS_URL"] = args.redis_url  # gunicorn's children inherit it
    events: list = []
    with http.Gunicorn(args.database_url, work, args.workers) as server, Processes(env) as processes:
        disruption = disrupt(server, processes, args.run_time / 2, events) if args.disrupt else None
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
                        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.run_time}s",
                        "--host", f"http://127.0.0.1:{server.port}", "--csv", str(work / "locust"),
                        "--only-summary", "--exit-code-on-error", "0"], env=env, check=True)
        ran = time.monotonic() - started
        if disruption:  # the worker it stopped is running again before the queues are watched
            disruption.join()
        drained = drain(args.redis_url)
    accepted = json.loads((work / "counts.json").read_text(encoding="utf-8"))
    found = found_writes(engine, marker)
    stats = locust_stats(str(work / "locust"))
    total = stats.pop("Aggregated")
    lost = sum(max(0, accepted.get(kind, 0) - found[kind]) for kind in WRITES)
    result = {
        "run_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(),
        "setup": {"users": args.users, "run_time_s": args.run_time, "scale": args.scale,
                  "gunicorn_workers": args.workers or 2 * (os.cpu_count() or 1) + 1, "rq_workers": 1, "cron": 1,
                  "database": "postgresql", "redis": "real redis-server"},
        "requests_per_s": round(total["requests"] / ran, 1), "p95_ms": total["p95_ms"],
        "median_ms": total["median_ms"], "requests": total["requests"], "errors": total["failures"],
        "writes_accepted": accepted, "writes_found": found, "lost_writes": lost,
        "queue_drained_after_s": drained, "disruptions": events, "endpoints": stats,
    }
    result["missed"] = missed(result)
    path = args.results_dir / "load-postgresql.json"
    report.write(result, path)
    print(json.dumps({k: v for k, v in result.items() if k != "endpoints"}, ensure_ascii=False, indent=2))
    print(f"written: {path}")
    return 1 if result["missed"] else 0


def missed(result: dict) -> list[str]:
    lines = []
    if result["requests_per_s"] < TARGETS["requests_per_s"]:
        lines.append(f"throughput {result['requests_per_s']}/s < {TARGETS['requests_per_s']:g}/s")
    if result["p95_ms"] > TARGETS["p95_ms"]:
        lines.append(f"p95 {result['p95_ms']} ms > {TARGETS['p95_ms']:g} ms")
    if result["errors"]:
        lines.append(f"{result['errors']} errors")
    if result["lost_writes"]:
        lines.append(f"{result['lost_writes']} writes accepted but not in the database")
    if result["queue_drained_after_s"] is None:
        lines.append("the queues did not drain")
    return lines


if __name__ == "__main__":
    sys.exit(main())
