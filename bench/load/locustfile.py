"""The office's day as Locust tasks, for `python -m bench.load` (which writes the plan this file
reads: the signed-in staff sessions and the records each simulated user works on).

Weights (issue 29): 60 % list, board, search and detail reads; 20 % contact logs with a
follow-up; 10 % stage moves and monthly reports; 10 % workbench and dashboard.  Every write
carries the run's marker, and each one the server accepted (its redirect) is counted, so the
runner can find every one of them in the database afterwards.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
MARK = PLAN["marker"]
ACCEPTED: Counter = Counter()  # write kind -> writes the server accepted
_seats = itertools.count()
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')


@events.quitting.add_listener
def _write_counts(environment, **_kw):
    Path(os.environ["LOAD_COUNTS"]).write_text(json.dumps(ACCEPTED), encoding="utf-8")


class OfficeUser(HttpUser):
    wait_time = between(0.1, 0.4)

    def on_start(self):
        seat = next(_seats)
        person = PLAN["people"][seat % len(PLAN["people"])]
        self.client.cookies.set(PLAN["cookie_name"], person["cookie"])
        self.enterprises = person["enterprises"] or PLAN["enterprises"]
        # Each simulated user moves and reports on projects of its own, so no two of them race
        # for one row (the office does not either), and a project moves at most once.
        self.to_move = list(PLAN["movable"][seat::PLAN["seats"]])
        self.to_report = list(PLAN["reportable"][seat::PLAN["seats"]])  # each filed once: one row, one write
        self.n = 0

    def _written(self, kind: str, response) -> None:
        if response.status_code == 302:
            ACCEPTED[kind] += 1
            response.success()
        else:
            response.failure(f"{kind}: {response.status_code}")

    # ---- 60 %: reads
    @task(10)
    def enterprise_list(self):
        self.client.get(f"/enterprises/?page={random.randint(1, 50)}", name="/enterprises/?page=N")

    @task(10)
    def project_list(self):
        self.client.get("/projects/", name="/projects/")

    @task(10)
    def board(self):
        self.client.get("/pipeline/", name="/pipeline/")

    @task(10)
    def search(self):
        self.client.get(f"/enterprises/?q={random.choice(PLAN['terms'])}", name="/enterprises/?q=…")

    @task(10)
    def project_detail(self):
        self.client.get(f"/projects/{random.choice(PLAN['projects'])}", name="/projects/<id>")

    @task(10)
    def enterprise_detail(self):
        self.client.get(f"/enterprises/{random.choice(self.enterprises)[0]}", name="/enterprises/<id>")

    # ---- 20 %: contact logs with a follow-up
    @task(20)
    def log_contact(self):
        self.n += 1
        firm_id, firm_name = random.choice(self.enterprises)
        now = datetime.now()
        with self.client.post("/interactions/new", name="POST /interactions/new", allow_redirects=False,
                              catch_response=True, data={
                                  "enterprise": firm_name, "enterprise_id": firm_id, "kind": "phone",
                                  "occurred_at": now.strftime("%Y-%m-%dT%H:%M"),
                                  "summary": f"{MARK} 电话沟通投资意向 {self.n}",
                                  "next_follow_up": (now.date() + timedelta(days=7)).isoformat()}) as response:
            self._written("contacts", response)

    # ---- 10 %: stage moves and monthly reports
    @task(5)
    def move_stage(self):
        if not self.to_move:
            return self.file_report()
        project_id = self.to_move.pop()
        with self.client.post(f"/projects/{project_id}/stage", name="POST /projects/<id>/stage",
                              allow_redirects=False, catch_response=True, data={
                                  "to_stage": "contact", "occurred_on": date.today().isoformat(),
                                  "evidence": f"{MARK} 首次洽谈", "confirmed": "y"}) as response:
            self._written("stage_moves", response)

    @task(5)
    def file_report(self):
        if not self.to_report:
            return self.log_contact()
        project_id, cumulative, funds = self.to_report.pop()
        url = f"/routines/reports/{project_id}/{PLAN['month']}"
        form = self.client.get(url, name="/routines/reports/<id>/<month>")  # the officer opens the form first
        version = VERSION.search(form.text or "")
        self.n += 1
        with self.client.post(url, name="POST /routines/reports/<id>/<month>", allow_redirects=False,
                              catch_response=True, data={
                                  "version": version.group(1) if version else "", "invest_month": "100",
                                  "invest_cumulative": cumulative, "funds_in_place": funds,
                                  "progress": f"{MARK} 本月完成场地平整 {self.n}"}) as response:
            self._written("reports", response)

    # ---- 10 %: workbench and dashboard
    @task(5)
    def workbench(self):
        self.client.get("/", name="/ (workbench)")

    @task(5)
    def dashboard(self):
        self.client.get("/dashboard", name="/dashboard")
