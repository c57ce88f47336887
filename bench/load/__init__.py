"""The bounded load test (issue 29): gunicorn, the RQ worker and cron at province scale on
PostgreSQL, driven by Locust headless with the office's mixed workload.  `python -m bench.load`
(see bench/README.md); the workload is bench/load/locustfile.py."""
