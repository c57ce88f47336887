"""Background work on RQ: job entry points (jobs.py), the schedule (schedule.py) and the
process runner (`python -m workers serve|worker|cron|relay`)."""
