"""The bench's app for gunicorn (`gunicorn bench.http_app:app`): the same app the in-process
bench builds (bench/__main__.py make_app: its settings, the shell and gate rows), on the database
and instance directory that bench/http.py passes in the environment."""
from __future__ import annotations

import os
from pathlib import Path

from bench.__main__ import make_app

app = make_app(os.environ["BENCH_DATABASE_URL"], Path(os.environ["BENCH_INSTANCE"]))
