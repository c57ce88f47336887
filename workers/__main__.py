"""Run the processes: `python -m workers serve|worker|cron`.

serve   the web server, one RQ worker (with its scheduler, for retries) and the one rq cron
        process, on the embedded Redis unless REDIS_URL is set.  Ctrl-C stops them all.
worker  one `rq worker --with-scheduler` (run N of them, on any hosts, in production).
cron    the single `rq cron` process (run exactly one: it has no lock).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from crm.config import Settings
from crm.redis_conn import get_redis, redis_url
from crm.services.outbox import QUEUES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def worker_command(url: str) -> list[str]:
    return [str(BIN / "rq"), "worker", "--with-scheduler", "--url", url,
            "--worker-class", "workers.worker.AppWorker", *QUEUES]


def cron_command(url: str) -> list[str]:
    return [str(BIN / "rq"), "cron", "--url", url, str(ROOT / "workers" / "cron_config.py")]


def web_command(port: int) -> list[str]:
    return [str(BIN / "flask"), "--app", "wsgi", "run", "--host", os.environ.get("HOST", "127.0.0.1"),
            "--port", str(port), "--with-threads"]


def _env(url: str) -> dict:
    # The cron strings are local time: the whole family runs on Asia/Shanghai.
    return dict(os.environ, REDIS_URL=url, TZ="Asia/Shanghai", PYTHONPATH=str(ROOT))


def serve(port: int) -> int:
    settings = Settings.from_env()
    keep_alive = get_redis(settings)  # holds the embedded redis-server open for the children
    keep_alive.ping()
    url = redis_url(settings)
    env = _env(url)
    children = {
        "web": subprocess.Popen(web_command(port), cwd=ROOT, env=env),
        "worker": subprocess.Popen(worker_command(url), cwd=ROOT, env=env),
        "cron": subprocess.Popen(cron_command(url), cwd=ROOT, env=env),
    }
    print(f"招商项目管家: http://127.0.0.1:{port}  (worker + cron running; Ctrl-C stops all)", flush=True)
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for name, proc in children.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the others", file=sys.stderr)
                stopping, code = True, 1
        time.sleep(0.5)
    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    del keep_alive
    return code


def _exec(cmd: list[str]) -> int:
    os.execve(cmd[0], cmd, _env(cmd[cmd.index("--url") + 1]))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers")
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve")
    p_serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    sub.add_parser("worker")
    sub.add_parser("cron")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.port)
    settings = Settings.from_env()
    url = redis_url(settings)
    return _exec(worker_command(url) if args.command == "worker" else cron_command(url))


if __name__ == "__main__":
    sys.exit(main())
