"""Run the processes: `python -m workers serve|worker|cron|relay`.

serve   the web server (`flask run`, threaded), one RQ worker (with its scheduler, for retries),
        the one cron process, and an outbox relay every 2 s, on the embedded Redis unless
        REDIS_URL is set.  It supervises them: a child that exits (a worker killed, cron losing
        Redis) is started again after a back-off that doubles while it keeps failing, and the
        others, the web server first, carry on.  Ctrl-C (or SIGTERM) stops them all and exits 0.
worker  one `rq worker --with-scheduler` (run N of them, on any hosts, in production).
cron    the single cron process, workers/cron.py (run exactly one: it has no lock).
relay   the outbox relay loop on its own (optional in production: cron also relays every 15 s).
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from crm.config import Settings
from crm.redis_conn import get_redis, redis_url
from crm.services.messaging.outbox import QUEUES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RELAY_EVERY = 2.0  # seconds
GRACE = 10.0  # seconds a child gets to stop after SIGTERM before it is killed
# Restart back-off: the first restart waits BACKOFF_FIRST, each further quick failure doubles
# it up to BACKOFF_MAX (Redis down: no busy loop); a child that ran STABLE_AFTER starts afresh.
BACKOFF_FIRST, BACKOFF_MAX, STABLE_AFTER = 0.5, 8.0, 30.0
log = logging.getLogger("workers")


def worker_command(url: str) -> list[str]:
    return [str(BIN / "rq"), "worker", "--with-scheduler", "--url", url, "--serializer", "json",
            "--worker-ttl", "60", "--worker-class", "workers.worker.AppWorker", *QUEUES]


def cron_command(url: str) -> list[str]:
    return [sys.executable, "-m", "workers.cron", "--url", url]


def web_command(port: int) -> list[str]:
    return [str(BIN / "flask"), "--app", "wsgi", "run", "--host", os.environ.get("HOST", "127.0.0.1"),
            "--port", str(port), "--with-threads", "--no-reload"]


def _env(url: str) -> dict:
    # The cron strings are local time: the whole family runs on Asia/Shanghai.
    return dict(os.environ, REDIS_URL=url, TZ="Asia/Shanghai", PYTHONPATH=str(ROOT))


def relay_loop(stop: threading.Event, every: float = RELAY_EVERY) -> None:
    """Push pending outbox rows to Redis every `every` seconds until `stop` is set."""
    from crm.extensions import db
    from crm.services.messaging import outbox
    from workers.app import get_app
    app = get_app()
    with app.app_context():
        conn = get_redis(app.extensions["settings"])
        while not stop.wait(every):
            try:
                outbox.relay(conn)
            except Exception:  # noqa: BLE001  a database hiccup must not end the loop
                log.warning("outbox relay failed; trying again", exc_info=True)
            finally:
                db.session.remove()  # no transaction held open between rounds


def _wait_all(children: dict, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return False
    return True


def _die_with_parent() -> None:
    """In a child: its own process group (Ctrl-C reaches only the parent, which then stops
    each child once, cleanly), and on Linux a SIGTERM if the parent itself dies."""
    os.setsid()
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, preexec_fn=_die_with_parent)


@dataclass
class Child:
    """One supervised process: started again, with back-off, whenever it exits."""
    name: str
    command: list[str]
    proc: subprocess.Popen | None = None
    started: float = 0.0
    failures: int = 0  # quick exits in a row
    restart_at: float | None = None

    def start(self, env: dict) -> None:
        self.proc, self.started, self.restart_at = _start(self.command, env), time.monotonic(), None

    def supervise(self, env: dict) -> None:
        """Notice an exit and schedule the restart; start it again when its delay is over."""
        now = time.monotonic()
        if self.restart_at is None:
            if self.proc.poll() is None:
                return
            self.failures = 0 if now - self.started >= STABLE_AFTER else self.failures + 1
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(self.failures - 1, 0))
            self.restart_at = now + delay
            print(f"{self.name} exited with {self.proc.returncode}; restarting in {delay:.1f} s",
                  file=sys.stderr, flush=True)
        elif now >= self.restart_at:
            self.start(env)
            print(f"{self.name} restarted (pid {self.proc.pid})", file=sys.stderr, flush=True)


def _stop_children(children: dict) -> None:
    """Ask each child to stop (SIGTERM: rq finishes its current job), then insist."""
    for proc in children.values():
        if proc.poll() is None:
            proc.terminate()
    if not _wait_all(children, GRACE):
        for proc in children.values():
            if proc.poll() is None:
                proc.kill()
        _wait_all(children, GRACE)


def serve(port: int) -> int:
    settings = Settings.from_env()
    keep_alive = get_redis(settings)  # holds the embedded redis-server open for the children
    keep_alive.ping()
    url = redis_url(settings)
    env = _env(url)
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    received: list[int] = []  # set by Ctrl-C / SIGTERM from here on: stop everything
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    children = [Child("web", web_command(port)), Child("worker", worker_command(url)),
                Child("cron", cron_command(url))]
    for child in children:
        child.start(env)
    stop_relay = threading.Event()
    relay = threading.Thread(target=relay_loop, args=(stop_relay,), name="outbox-relay", daemon=True)
    relay.start()
    print(f"招商项目管家: http://127.0.0.1:{port}  (worker, cron and outbox relay running; Ctrl-C stops all)",
          flush=True)
    while not received:
        for child in children:
            child.supervise(env)
        time.sleep(0.2)
    stop_relay.set()
    _stop_children({child.name: child.proc for child in children})
    relay.join(timeout=GRACE)
    del keep_alive
    return 0


def _exec(cmd: list[str]) -> int:
    """Become the command (worker or cron), with the family's environment."""
    os.execve(cmd[0], cmd, _env(cmd[cmd.index("--url") + 1]))
    return 0


def run_relay() -> int:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    relay_loop(stop)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers")
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="web + worker + cron + relay on one machine")
    p_serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    sub.add_parser("worker", help="one rq worker --with-scheduler")
    sub.add_parser("cron", help="the single rq cron process")
    sub.add_parser("relay", help="the outbox relay loop")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.port)
    if args.command == "relay":
        return run_relay()
    url = redis_url(Settings.from_env())
    return _exec(worker_command(url) if args.command == "worker" else cron_command(url))


if __name__ == "__main__":
    sys.exit(main())
