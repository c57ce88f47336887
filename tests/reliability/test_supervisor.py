"""`python -m workers serve` supervises its children for real: kill -9 the worker, kill -9 the
cron, take Redis away for a few seconds; the web server keeps answering all along and each child
comes back (the restart delays are printed, for the report, with -s)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import RedisServer, _free_port

ROOT = Path(__file__).resolve().parents[2]


def _health(port: int) -> tuple[int, dict]:
    """(status, body) of /healthz; (0, {}) when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return 0, {}


def _children(pid: int) -> dict[str, int]:
    """The supervisor's children by role: web, worker, cron."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        child, args = line.strip().split(" ", 1)
        for role, mark in (("worker", "rq worker"), ("cron", "workers.cron"), ("web", "flask")):
            if mark in args:
                found[role] = int(child)
    return found


def _wait_until(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    return None


class Prober(threading.Thread):
    """Asks /healthz every 0.25 s and keeps every answer that was not an HTTP answer."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port, self.stop, self.misses, self.count = port, threading.Event(), [], 0

    def run(self):
        while not self.stop.wait(0.25):
            status, _ = _health(self.port)
            self.count += 1
            if status not in (200, 503):
                self.misses.append((time.monotonic(), status))


def _restart(proc, role: str, pid: int) -> float:
    """kill -9 the child; seconds until the supervisor has a new one running."""
    started = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    assert _wait_until(lambda: _children(proc.pid).get(role) not in (None, pid), 30), f"{role} not restarted"
    return time.monotonic() - started


def test_serve_restarts_failed_children_and_keeps_the_web_server_up(tmp_path):
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(CRM_INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url, PYTHONPATH=str(ROOT))
    # A migrated database, as `make run` leaves it: the cron's relay job then runs clean.
    subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "workers", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    prober = Prober(port)
    try:
        assert _wait_until(lambda: _health(port)[0] == 200, 90), _health(port)
        first = _children(proc.pid)
        assert set(first) == {"web", "worker", "cron"}
        prober.start()
        delays = {role: _restart(proc, role, first[role]) for role in ("worker", "cron")}
        back = _wait_until(lambda: _health(port)[0] == 200, 60)
        assert back, _health(port)

        redis_server.stop()
        outage = time.monotonic()
        status, body = _wait_until(lambda: (lambda h: h if h[0] == 503 else None)(_health(port)), 10)
        assert body["parts"]["redis"]["ok"] is False and body["parts"]["database"]["ok"] is True
        time.sleep(max(0.0, 5 - (time.monotonic() - outage)))
        redis_server.start()
        recovered = time.monotonic()
        assert _wait_until(lambda: _health(port)[0] == 200, 90), _health(port)
        delays["all parts ok after Redis came back"] = time.monotonic() - recovered

        prober.stop.set()
        prober.join()
        assert prober.count > 20 and not prober.misses, prober.misses
        assert _children(proc.pid)["web"] == first["web"]  # the web server itself never went down
        print("restart delays (s):", {k: round(v, 1) for k, v in delays.items()})
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    finally:
        prober.stop.set()
        if proc.poll() is None:
            proc.kill()
        redis_server.stop()
        log.seek(0)
        output = log.read()
        print("\n".join(line for line in output.splitlines() if "exited with" in line or "restarted" in line))
    assert "worker exited with -9; restarting in" in output and "cron exited with -9; restarting in" in output
