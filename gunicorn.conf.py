"""gunicorn's settings for the web processes (`gunicorn wsgi:app` reads this file from the working
directory).  Each can be overridden from the environment, so one unit file serves every host:

WEB_CONCURRENCY   worker processes; default 2 × cores + 1 (gunicorn's own advice for sync workers,
                  whose requests wait on PostgreSQL more than they compute)
WEB_THREADS       threads per worker (default 1: sync workers; pages are short and SQL-bound)
WEB_TIMEOUT       seconds a request may take before its worker is restarted (default 30: every page
                  answers in well under a second and long work runs as RQ jobs, so a request still
                  running after 30 s is stuck, not busy)
BIND              address to listen on (default 127.0.0.1:8000, behind nginx)
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("WEB_THREADS", 1))
timeout = int(os.environ.get("WEB_TIMEOUT", 30))
graceful_timeout = 30  # a restart lets requests in hand finish
keepalive = 5  # nginx keeps connections to the upstream open
max_requests = 5000  # recycle a worker now and then, so a slow leak never grows unbounded
max_requests_jitter = 500  # … not all workers at the same moment
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None  # "": no access log (the bench)
