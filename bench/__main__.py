"""`python -m bench [--scale city|province|national|smoke]`: build (or reuse) the data, time, report.

The database is DATABASE_URL when set (PostgreSQL: give it a database of its own, the build
drops every table), else bench/data/<scale>.sqlite.  A database already holding this scale's
data (bench_meta table) is reused; --rebuild forces a new build.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import os
import platform
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import render_template

from bench import data, floor, http, jobs, report, sweep, timing

HERE = Path(__file__).resolve().parent
SEARCH_SHORT = "绥芬"  # 2 characters: below the trigram minimum, served by the LIKE fallback
SEARCH_LONG = "生物科技"  # 4 characters: the FTS5 trigram index (pg_trgm on PostgreSQL)
# Cyrillic, in every Russian firm's name (their legal form), so the page is full at both scales:
# a common term of the foreign names' trigram index, as 生物科技 is of the Chinese names'.
SEARCH_FOREIGN = "ООО"
# The top bar's search (/search/suggest): a 2-character Chinese term, the initials of 哈尔滨龙…/哈尔滨隆…
# (a prefix walk of the initials index) and a Russian partner's Latin name (its firms and, through
# them as investors, their projects).
TOPBAR_TERMS = (("topbar_2", "绥芬", "2 个汉字"), ("topbar_initials", "hebl", "拼音首字母"),
                ("topbar_foreign", "Amur", "外方名称"))
SHELL_URL = "/_bench/shell"
GATE_URL = "/_bench/gate"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(data.SCALES), default="city")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--job-runs", type=int, default=3, help="timed runs per job (default 3)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS)
    parser.add_argument("--rebuild", action="store_true", help="build the data even if it is there")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated page/job keys to run")
    parser.add_argument("--interleave", action="store_true",
                        help="time the pages in rounds, one request of each per round (see README)")
    parser.add_argument("--with-city", action="store_true",
                        help="time the city data's pages in the same rounds, for × city (see README)")
    parser.add_argument("--city-database-url", default="",
                        help="the city data for --with-city (default: city.sqlite in --data-dir)")
    parser.add_argument("--no-gc-freeze", dest="gc_freeze", action="store_false",
                        help="leave the startup objects to the garbage collector (see README)")
    parser.add_argument("--sweep", action="store_true",
                        help="request every page once per role instead (bench/sweep.py); fails on a 5xx")
    parser.add_argument("--http", action="store_true",
                        help="time the pages over HTTP through gunicorn (bench/http.py), as a browser gets them")
    parser.add_argument("--http-workers", type=int, default=None,
                        help="gunicorn workers for --http (default: gunicorn.conf.py's, 2 × cores + 1)")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the date the data is generated around (default: today)")
    return parser.parse_args(argv)


def make_app(url: str, instance: Path):
    from crm import create_app
    from crm.config import Settings
    # The API's per-token limit stays on (each call still counts against it), set high enough
    # for the timed requests of every API row: the bench measures a client within its limit.
    settings = Settings.from_env(DATABASE_URL=url, SECRET_KEY="bench-secret", instance_path=instance,
                                 SMTP_HOST="", BASE_URL="http://bench.local", API_RATE_LIMIT="1000000 per hour")
    app = create_app(settings)
    app.config["WTF_CSRF_ENABLED"] = False
    # The shell: the signed-in layout around an empty body, behind the same login gate.  Every
    # page pays this before its own work; timing it shows how much of page / floor it is.
    shell = app.jinja_env.from_string('{% extends "base.html" %}{% block title %}shell{% endblock %}')
    app.add_url_rule(SHELL_URL, "bench_shell", lambda: render_template(shell))
    # The gate: the same login gate and user load, then a plain text body and no template.  No
    # page of this app can cost less; beside a page's floor it shows the lowest page / floor
    # that page could reach.
    app.add_url_rule(GATE_URL, "bench_gate", lambda: "gate")
    return app


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL if the server lacks it (the build
    drops and recreates tables, so it wants a database of its own, e.g. `bench`)."""
    target = sa.engine.make_url(url)
    if target.get_backend_name() != "postgresql" or not target.database:
        return
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}):
                conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
                print(f"created database {target.database}")
    finally:
        admin.dispose()


def ensure_data(engine, scale: str, today: date, rebuild: bool) -> dict:
    meta = data.read_meta(engine)
    if (not rebuild and meta.get("scale") == scale and meta.get("version") == str(data.DATA_VERSION)
            and meta.get("schema") == data.schema_fingerprint()):
        print(f"reusing {scale} data built around {meta.get('today')}")
        return {"reused": True, "today": meta.get("today")}
    print(f"building {scale} data …")
    steps = data.build(scale, today)
    return {"reused": False, "today": today.isoformat(), "build_seconds": steps}


def page_specs(only: frozenset[str] = frozenset()) -> list[timing.PageSpec]:
    """The key pages, with the users and records they are opened for (chosen by query)."""
    from crm.extensions import db
    from crm.models import Enterprise, Interaction, Project, Sector, User
    one = db.session.scalar
    staff = one(sa.select(User.id).where(User.role == "staff").order_by(User.id).limit(1))
    sector = one(sa.select(Sector.id).order_by(Sector.column_no, Sector.id).limit(1))
    project = one(sa.select(Interaction.project_id).where(Interaction.project_id.is_not(None))
                  .group_by(Interaction.project_id).order_by(sa.func.count().desc(), Interaction.project_id)
                  .limit(1))
    leader, liaisons = db.session.execute(
        sa.select(Project.liaison_leader_id, sa.func.count()).where(Project.liaison_leader_id.is_not(None))
        .group_by(Project.liaison_leader_id).order_by(sa.func.count().desc(), Project.liaison_leader_id)
        .limit(1)).first() or (None, 0)
    target = PAGE_TARGET_MS.get(db.engine.dialect.name, 80)
    deep_short = one(sa.select(Enterprise.short_key).where(Enterprise.short_key.is_not(None))
                     .order_by(Enterprise.short_key).offset(50_000).limit(1)) or ""

    def page(key, label, url, user, **kw):
        return timing.PageSpec(key, label, url, user, **dict({"target_ms": target}, **kw))
    specs = [
        timing.PageSpec("gate", "（参照）登录后空响应 gate: login, no template", GATE_URL, staff, reference=True,
                        note="no targets: the least any signed-in request costs"),
        timing.PageSpec("shell", "（参照）空页面 shell: login + layout", SHELL_URL, staff, reference=True,
                        note="no targets: what every page costs before its own work"),
        page("board", "项目看板 board", "/pipeline/", staff),
        page("board_sector", "项目看板 board, one sector", f"/pipeline/?sector={sector}", staff),
        page("enterprises_p1", "企业列表 enterprises p.1", "/enterprises/", staff),
        page("enterprises_p50", "企业列表 enterprises p.50", "/enterprises/?page=50", staff),
        page("enterprises_by_name", "企业列表 按名称排序 enterprises by name (pinyin)", "/enterprises/?sort=name&page=50",
             staff, note="pinyin order and the total, at a deep page"),
        page("enterprises_by_owner", "企业列表 按负责人排序 enterprises by owner", "/enterprises/?sort=-owner", staff,
             note="a sort through a reference: every row's owner read"),
        page("duplicates_p1", "疑似重复企业 duplicates p.1", "/enterprises/duplicates/", staff,
             note="GROUP BY over the three key indexes, then the page's firms"),
        page("duplicates_deep", "疑似重复企业 duplicates, a deep page", f"/enterprises/duplicates/?after=short:{deep_short}",
             staff, note="the short names' groups from the middle of their index on"),
        *sort_specs(page, staff),
        page("projects_list", "项目列表 projects p.1", "/projects/", staff),
        page("projects_by_name", "项目列表 按名称排序 projects by name (pinyin)", "/projects/?sort=name", staff),
        timing.PageSpec("search_2", f"企业搜索 search “{SEARCH_SHORT}”", f"/enterprises/?q={SEARCH_SHORT}", staff,
                        target_ms=50),
        timing.PageSpec("search_4", f"企业搜索 search “{SEARCH_LONG}”", f"/enterprises/?q={SEARCH_LONG}", staff,
                        target_ms=50),
        timing.PageSpec("search_foreign", f"企业搜索 search “{SEARCH_FOREIGN}” (外文名称)", f"/enterprises/?q={SEARCH_FOREIGN}",
                        staff, target_ms=50, note="Russian partners by their own names"),
        page("project_detail", "项目详情 project detail", f"/projects/{project}", staff,
                        note="the project with the most interactions"),
        page("project_edit", "编辑项目 project form", f"/projects/{project}/edit", staff,
                        note="its investor picker once listed every enterprise"),
        page("dashboard", "数据看板 dashboard", "/dashboard", staff,
             note="stage funnel, tagged firms, moves by month, goals"),
    ]
    specs += chain_specs(staff)
    specs += timeline_calendar_specs(project, only)
    specs += topbar_specs(staff)
    if not only or only & API_KEYS:  # a token is made only when an API row is timed
        specs += api_specs(staff, project)
    if leader is not None:
        specs.append(page("leaders", "领导包联 leaders' view", "/leaders/", leader,
                          note=f"the busiest leader: {liaisons} liaison projects"))
    officer = one(sa.select(User.id).where(User.role == "officer").order_by(User.id).limit(1))
    if officer is not None:
        specs.append(page("unit_instructions", "本单位批示 a unit's instructions", "/leaders/instructions",
                          officer, note="every 批示 addressed to the officer's department"))
    specs += workbench_specs(staff, leader)
    return specs


# The enterprise list's other sorts, one broad filter with a sort through a reference, and a deep page.
SORT_PAGES = (
    ("enterprises_by_region", "企业列表 按地区排序 enterprises by region", "/enterprises/?sort=region"),
    ("enterprises_by_sector", "企业列表 按产业排序 enterprises by sector", "/enterprises/?sort=sector"),
    ("enterprises_by_status", "企业列表 按状态排序 enterprises by status", "/enterprises/?sort=-status"),
    ("enterprises_by_last", "企业列表 按最近联系排序 enterprises by last contact", "/enterprises/?sort=-last"),
    ("enterprises_owner_filtered", "企业列表 筛选+按负责人排序 enterprises, one status, by owner",
     "/enterprises/?status=engaged&sort=owner"),
    ("enterprises_deep_typed", "企业列表 第 4000 页（输入页码） enterprises p.4,000 typed", "/enterprises/?page=4000"),
)
DEEP_PAGE = 4000


def sort_specs(page, staff: int) -> list[timing.PageSpec]:
    """SORT_PAGES as page specs of the staff user, and page 4,000 reached by its "下一页" link
    (keyset: it continues from the last row of page 3,999)."""
    from crm.extensions import db
    from crm.models import Enterprise
    last = db.session.scalar(sa.select(Enterprise.id).order_by(Enterprise.name_pinyin, Enterprise.id)
                             .offset((DEEP_PAGE - 1) * 20 - 1).limit(1))
    deep = [page("enterprises_deep", "企业列表 第 4000 页 enterprises p.4,000 (下一页)",
                 f"/enterprises/?page={DEEP_PAGE}&after={last}", staff,
                 note="keyset: the next-page link of page 3,999")] if last else []
    return [page(key, label, url, staff) for key, label, url in SORT_PAGES] + deep


# The p95 budget of every page by database (issue 29); search keeps its stricter 50 ms.
PAGE_TARGET_MS = CHAIN_TARGET_MS = API_TARGET_MS = WORKBENCH_TARGET_MS = TOPBAR_TARGET_MS = {"sqlite": 60,
                                                                                  "postgresql": 80}


def workbench_specs(staff: int, leader: int | None) -> list[timing.PageSpec]:
    """工作台 `/` once per role: the first staff member, the officer whose department leads the
    most projects, the busiest leader and the first administrator."""
    from crm.extensions import db
    from crm.models import Project, User
    one = db.session.scalar
    officer = one(sa.select(User.id).join(Project, Project.lead_department_id == User.department_id)
                  .where(User.role == "officer").group_by(User.id)
                  .order_by(sa.func.count().desc(), User.id).limit(1))
    admin = one(sa.select(User.id).where(User.role == "admin").order_by(User.id).limit(1))
    target = WORKBENCH_TARGET_MS.get(db.engine.dialect.name, 80)
    users = [("home_staff", "工作台 workbench, staff", staff, "follow-ups, quiet enterprises, stale projects"),
             ("home_officer", "工作台 workbench, officer", officer, "the department leading the most projects"),
             ("home_leader", "工作台 workbench, leader", leader, "the busiest leader's liaison projects by risk"),
             ("home_admin", "工作台 workbench, admin", admin, "late items per department and system health")]
    return [timing.PageSpec(key, label, "/", user, target_ms=target, note=note)
            for key, label, user, note in users if user is not None]
API_KEYS = frozenset({"api_projects", "api_project"})
BENCH_TOKEN = "bench"


def api_token(user_id: int) -> str:
    """A fresh read token of the user, made through the token service (the secret is shown once,
    so a rerun cannot reuse the last run's): earlier bench tokens are revoked first, so reruns
    on the same data never reach the per-user cap of active tokens."""
    from crm.extensions import db
    from crm.models import User
    from crm.services.api import tokens
    from crm.services.core.clock import utcnow
    user = db.session.get(User, user_id)
    for token in tokens.user_tokens(user):
        if token.name == BENCH_TOKEN and token.revoked_at is None:
            tokens.revoke_token(user, token, utcnow())
    token, secret = tokens.create_token(user, BENCH_TOKEN, "read")
    db.session.commit()
    return secret


def api_specs(staff: int, project: int | None) -> list[timing.PageSpec]:
    """The JSON API's project list (its first page, as an integration polls it) and one project
    with its stage history, called with a staff member's token."""
    from crm.extensions import db
    headers = {"Authorization": f"Bearer {api_token(staff)}", "Accept": "application/json"}
    target = API_TARGET_MS.get(db.engine.dialect.name, 80)
    specs = [timing.PageSpec("api_projects", "接口 项目列表 API project list", "/api/v1/projects", staff,
                             target_ms=target, headers=headers, note="token auth, rate limit and audit row included")]
    if project is not None:
        specs.append(timing.PageSpec("api_project", "接口 项目详情 API project", f"/api/v1/projects/{project}", staff,
                                     target_ms=target, headers=headers,
                                     note="the project with the most interactions, with its stage history"))
    return specs


# Issue 24's budget for the timeline and calendar pages, as for the chain pages.
TIMELINE_TARGET_MS = CHAIN_TARGET_MS
FEED_KEYS = frozenset({"calendar_feed"})


def timeline_calendar_specs(project: int | None, only: frozenset[str] = frozenset()) -> list[timing.PageSpec]:
    """The timeline of the busiest project (a deep page of it too) and of the most contacted
    enterprise; the follow-up calendar of the staff member with the most open follow-ups (month
    and week) and of an administrator (everyone's), and that staff member's .ics feed."""
    from crm.extensions import db
    from crm.models import Interaction, User
    from crm.services.calendar import feed
    target = TIMELINE_TARGET_MS.get(db.engine.dialect.name, 80)
    one = db.session.scalar
    firm = one(sa.select(Interaction.enterprise_id).group_by(Interaction.enterprise_id)
               .order_by(sa.func.count().desc(), Interaction.enterprise_id).limit(1))
    busy = one(sa.select(Interaction.created_by_id)
               .where(Interaction.follow_up_done.is_(False), Interaction.next_follow_up.is_not(None),
                      Interaction.created_by_id.is_not(None))
               .group_by(Interaction.created_by_id).order_by(sa.func.count().desc(), Interaction.created_by_id)
               .limit(1))
    admin = one(sa.select(User.id).where(User.role == "admin").order_by(User.id).limit(1))
    specs = []
    if project is not None:
        specs += [timing.PageSpec("timeline", "项目动态 timeline of a busy project", f"/projects/{project}?kind=contact",
                                  busy or admin, target_ms=target, note="the project with the most interactions"),
                  timing.PageSpec("timeline_deep", "项目动态 timeline, page 20", f"/projects/{project}?tl_page=20",
                                  busy or admin, target_ms=target, note="a deep page of the same history")]
    if firm is not None:
        specs.append(timing.PageSpec("timeline_enterprise", "企业动态 enterprise timeline", f"/enterprises/{firm}",
                                     busy or admin, target_ms=target, note="the most contacted enterprise"))
    if busy is not None:
        specs += [timing.PageSpec("calendar_month", "跟进日历 calendar, month", "/calendar/", busy, target_ms=target,
                                  note="the staff member with the most open follow-ups"),
                  timing.PageSpec("calendar_week", "跟进日历 calendar, week", "/calendar/?view=week", busy,
                                  target_ms=target)]
        if not only or only & FEED_KEYS:  # a new secret is made only when the feed is timed
            token = feed.issue(db.session.get(User, busy))
            db.session.commit()
            specs.append(timing.PageSpec("calendar_feed", "日历订阅 .ics feed", f"/calendar/feed/{token}.ics", busy,
                                         target_ms=target, note="every open follow-up of that staff member"))
    specs.append(timing.PageSpec("calendar_admin", "跟进日历 calendar, administrator", "/calendar/", admin,
                                 target_ms=target, note="everyone's follow-ups of the month"))
    return specs


def topbar_specs(staff: int) -> list[timing.PageSpec]:
    """The top bar's suggestions as a staff member types (every kind but users, all projects), and
    the full results page."""
    from crm.extensions import db
    target = TOPBAR_TARGET_MS.get(db.engine.dialect.name, 80)
    specs = [timing.PageSpec(key, f"顶栏搜索 top-bar search “{term}” ({label})", f"/search/suggest?q={term}", staff,
                             target_ms=target, note="JSON suggestions, each kind cut at 6")
             for key, term, label in TOPBAR_TERMS]
    term = TOPBAR_TERMS[0][1]
    return specs + [timing.PageSpec("search_results", f"搜索结果页 search results “{term}”", f"/search?q={term}",
                                    staff, target_ms=target, note="Enter without a suggestion: each kind cut at 20")]


def chain_specs(staff: int) -> list[timing.PageSpec]:
    """The chain map of the chain with the most links, and the gap list across all chains."""
    from crm.extensions import db
    from crm.models import ChainLink
    chain, links = db.session.execute(
        sa.select(ChainLink.chain_id, sa.func.count()).group_by(ChainLink.chain_id)
        .order_by(sa.func.count().desc(), ChainLink.chain_id).limit(1)).first() or (None, 0)
    total = db.session.scalar(sa.select(sa.func.count(ChainLink.id)))
    target = CHAIN_TARGET_MS.get(db.engine.dialect.name, 80)
    specs = [timing.PageSpec("chain_gaps", "补链清单 chain gap list", "/chains/gaps", staff, target_ms=target,
                             note=f"every link without a local firm, of {total} links")]
    if chain is not None:
        specs.append(timing.PageSpec("chain_map", "产业链图 chain map", f"/chains/{chain}", staff, target_ms=target,
                                     note=f"the chain with the most links: {links}"))
    return specs


def counts() -> dict[str, int]:
    from crm.extensions import db
    from crm.models import Enterprise, Interaction, Project, User
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in (("enterprises", Enterprise), ("projects", Project),
                                ("interactions", Interaction), ("users", User))}


def run_pages(app, engine, args, only, city=None) -> list[dict]:
    """The key pages' entries, and the city's after them when `city` is given.

    By default each page is timed, then its floor, in turn.  --interleave times them in
    rounds instead; `city`, the (app, engine) of the city data (--with-city), puts each city
    page beside its province page in those rounds, so × city compares samples of the same
    moments on a host whose speed drifts."""
    with contextlib.ExitStack() as stack:
        sides = []  # per database: page key -> timer
        for side_app, side_engine in [(app, engine)] + ([city] if city else []):
            log = stack.enter_context(timing.StatementLog(side_engine))
            with side_app.app_context():
                specs = [s for s in page_specs(frozenset(only)) if not only or s.key in only]
            if args.http:  # one gunicorn per database, on the same app settings
                server = stack.enter_context(http.Gunicorn(side_engine.url.render_as_string(hide_password=False),
                                                           Path(side_app.instance_path), args.http_workers))
                sides.append({spec.key: http.HttpPageTimer(side_app, log, spec, server.port) for spec in specs})
            else:
                sides.append({spec.key: timing.PageTimer(side_app, log, spec) for spec in specs})
        # (side, timer): each page of the province data, with the same page of the city data after it
        order = [(i, side[key]) for key in sides[0] for i, side in enumerate(sides) if key in side]
        timers = [timer for _side, timer in order]
        # One group of all the pages, timed in rounds; by default a group per page, in turn.
        groups = [timers] if args.interleave or city else [[timer] for timer in timers]
        results, floors = [], []
        for group in groups:
            timed = timing.time_in_rounds(group, args.requests, args.warmup)
            floors += floor.time_floors([(t.log.engine, r.kept) for t, r in zip(group, timed)],
                                        args.requests, min(args.warmup, 1))
            results += timed
        entries = [{} for _ in sides]
        for (side, _timer), result, floor_sample in zip(order, results, floors):
            entry = entries[side][result.spec.key] = report.page_entry(result, floor_sample)
            print(f"  {'city ' if side else ''}{result.spec.key:<16} median {entry['median_ms']:>7} ms  "
                  f"p95 {entry['p95_ms']:>7} ms  SQL {entry['statements']:>3}  "
                  f"slowest {entry['slowest_statement_ms']:>6} ms  status {entry['status']}", flush=True)
    return entries


def run_jobs(app, args, only, now: datetime) -> dict:
    results = {}
    for job in jobs.JOBS:
        if only and job.key not in only:
            continue
        with app.app_context():
            try:
                call = job.prepare(now)
            except Exception as error:  # a half-landed service: report, don't stop the bench
                call, note = None, f"n/a: {type(error).__name__}: {error}"[:200]
            else:
                note = ""
            sample = timing.time_call(call, args.job_runs, warmup=1) if call is not None else None
        # A job may say what it made (the catalog with covers: its file size) on its timed call.
        results[job.key] = report.job_entry(job, sample, note or getattr(call, "note", ""))
        print(f"  {job.key:<16} {results[job.key].get('median_ms', 'n/a')} ms", flush=True)
    return results


def run_sweep(app, engine, args, dialect: str) -> int:
    """Every page for every role (bench/sweep.py): results/<scale>-<db>-sweep.json and a table."""
    print(f"sweeping every page on {args.scale} {dialect} …", flush=True)
    rows, skipped = sweep.sweep(app, engine)
    path = args.results_dir / f"{args.scale}-{dialect}-sweep.json"
    report.write({"scale": args.scale, "db": dialect, "skipped": skipped,
                  "pages": [dataclasses.asdict(row) for row in rows]}, path)
    print(sweep.markdown(rows, skipped))
    print(f"\nwritten: {path}")
    return 1 if any(row.server_error for row in rows) else 0


def city_url(args, url: str) -> str:
    """The city data --with-city pairs with: --city-database-url, or city.sqlite beside a
    SQLite run; "" when there is no such pairing (the reason is on stderr)."""
    if args.scale == "city":
        print("--with-city pairs a larger scale with the city scale: use --scale province", file=sys.stderr)
        return ""
    if args.city_database_url or url.startswith("sqlite"):
        return args.city_database_url or f"sqlite:///{args.data_dir / 'city.sqlite'}"
    print("--with-city on PostgreSQL needs --city-database-url (a database of its own)", file=sys.stderr)
    return ""


def city_data(url: str, instance: Path, today: date):
    """(app, engine) of the city data at `url`, built if it is not there."""
    from crm.extensions import db
    ensure_database(url)
    app = make_app(url, instance)
    with app.app_context():
        ensure_data(db.engine, "city", today, False)
        return app, db.engine


def machine() -> dict:
    """The host the figures were measured on: they mean little without it."""
    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": memory, "python": platform.python_version(),
            "platform": platform.platform(), "sqlalchemy": sa.__version__}


def transport(args) -> str:
    if not args.http:
        return "Flask test client, in process"
    workers = args.http_workers or 2 * (os.cpu_count() or 1) + 1
    return f"HTTP on 127.0.0.1 through gunicorn ({workers} sync workers, gunicorn.conf.py)"


def main(argv=None) -> int:
    args = parse_args(argv)
    url = args.database_url or f"sqlite:///{args.data_dir / (args.scale + '.sqlite')}"
    args.data_dir.mkdir(parents=True, exist_ok=True)
    paired_url = city_url(args, url) if args.with_city else ""
    if args.with_city and not paired_url:
        return 2
    ensure_database(url)
    # A throwaway instance directory: the digest job writes its .eml files there.
    instance = tempfile.TemporaryDirectory(prefix="bench-instance-")
    app = make_app(url, Path(instance.name))
    only = {k.strip() for k in args.only.split(",") if k.strip()}
    from crm.extensions import db
    from crm.services.core.clock import local_today, utcnow
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        built = ensure_data(engine, args.scale, args.today or local_today(), args.rebuild)
        sizes = counts()
    if args.sweep:
        return run_sweep(app, engine, args, dialect)
    city_side = city_data(paired_url, Path(instance.name), args.today or local_today()) if paired_url else None
    if args.gc_freeze:
        # As a long-lived server process should after start-up: without it every full
        # collection walks the ~170k start-up objects, which doubled the board's p95.
        gc.collect()
        gc.freeze()
    print(f"timing {args.scale} on {dialect} ({args.requests} requests per page) …")
    try:
        pages, *paired = run_pages(app, engine, args, only, city_side)
        for side in [pages] + paired:
            report.add_least_ratios(side)
        job_results = {} if args.skip_jobs else run_jobs(app, args, only, utcnow())
    finally:
        gc.unfreeze()  # an in-process caller (the smoke test) gets its collector back
    result = {
        "scale": args.scale, "db": dialect, "run_at": utcnow().isoformat(timespec="seconds") + "Z",
        "counts": sizes, "data": built, "requests": args.requests, "warmup": args.warmup,
        "machine": machine(), "transport": transport(args),
        "gc_freeze": args.gc_freeze, "interleave": args.interleave or bool(paired),
        "pages": pages, "jobs": job_results,
    }
    if paired:  # × city from the city pages timed in the same rounds, not from city-<db>.json
        result["city_pages"] = paired[0]
        city = {"pages": paired[0]}
    else:
        city = report.load(report.results_path(args.results_dir, "city", dialect)) if args.scale == "province" else None
    if args.scale == "province":
        result["missed"] = report.check_targets(result, city)
    elif args.scale == "national":
        result["missed"] = report.national_targets(result)
    path = report.results_path(args.results_dir, args.scale, dialect)
    report.write(result, path)
    print()
    print(report.markdown(result, city))
    print(f"\nwritten: {path}")
    instance.cleanup()
    bad = [k for k, p in pages.items() if p["status"] != [200]]
    if bad:
        print(f"pages that did not answer 200: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
