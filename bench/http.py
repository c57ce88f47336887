"""Pages over HTTP through gunicorn (`--http`): what a browser gets, not what the test client gets.

The bench starts gunicorn (gunicorn.conf.py, the production settings) on a free port of
127.0.0.1 with the bench's app (bench/http_app.py), signs each page's user in by a session cookie
signed with the bench's key (as the in-process client does, no password round trip), and times
each GET from the first byte sent to the last byte read.  Statement counts and the slowest
statement still come from one in-process request per page (the SQL runs in gunicorn's processes,
out of the bench's reach): the same app, the same data, the same statements.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import timing

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving the bench app, for the length of a `with` block."""

    def __init__(self, database_url: str, instance: Path, workers: int | None = None):
        self.port = _free_port()
        # Its log goes to a file: a pipe nobody reads fills up and blocks every worker that logs.
        self.log = Path(instance) / f"gunicorn-{self.port}.log"
        self.env = dict(os.environ, BENCH_DATABASE_URL=database_url, BENCH_INSTANCE=str(instance),
                        BIND=f"127.0.0.1:{self.port}", WEB_ACCESS_LOG="", TZ="Asia/Shanghai")
        if workers:
            self.env["WEB_CONCURRENCY"] = str(workers)
        self.proc = None

    def __enter__(self):
        Path(self.log).parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                                          "bench.http_app:app"], cwd=ROOT, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.log.read_text(errors="replace")[-2000:])
            # The master listens before its workers have loaded the app: ready is a page answered.
            if self.answers("/auth/login"):
                return self
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 120 s")

    def answers(self, path: str) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def session_cookie(app, user_id: int) -> str:
    """The Cookie header of a signed-in session of user_id, signed with the app's key."""
    client = timing.signed_in_client(app, user_id)
    name = app.config["SESSION_COOKIE_NAME"]
    return f"{name}={client.get_cookie(name).value}"


class HttpPageTimer(timing.PageTimer):
    """A PageTimer whose timed requests go over HTTP to gunicorn; the in-process client it
    inherits runs the one request whose statements are counted and kept."""

    def __init__(self, app, log: timing.StatementLog, spec: timing.PageSpec, port: int):
        super().__init__(app, log, spec)
        self.port = port
        self.headers = dict(spec.headers, Cookie=session_cookie(app, spec.user_id))

    def fetch(self) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", self.spec.url, headers=self.headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def warm(self, times: int) -> None:
        self.statuses += [self.fetch()[0] for _ in range(times)]

    def time_one(self, keep: bool) -> None:
        started = time.perf_counter()
        status, self.body = self.fetch()
        self.sample.ms.append((time.perf_counter() - started) * 1000)
        self.statuses.append(status)
        if keep:  # the last round: the page's statements, from in-process requests of it
            self.count_statements()

    def count_statements(self, times: int = 5) -> None:
        """Run the page in process `times` times: its statement counts, its slowest statement
        (the median of each request's slowest) and the last request's statements, kept."""
        log = self.log
        for _ in range(times):
            log.reset(keep=True)
            response = self.get()
            self.counts.append(log.count)
            self.statuses.append(response.status_code)
            self.slowest_runs.append(log.slowest)
        self.kept = list(log.kept)
        log.keep = False
