"""The schedule: the one list of periodic jobs, read by the single `rq cron` process.

Cron strings are in local time; the cron process runs with TZ=Asia/Shanghai.
(cron string or None, interval seconds or None, job name in workers.jobs.JOBS, kwargs)
"""
SCHEDULE = [
    (None, 15, "outbox.relay", {}),  # rows whose eager relay found Redis down
    ("30 7 * * *", None, "reminders.scan", {}),  # 每日 07:30 联系提醒
    ("0 8 * * 1", None, "digest.weekly", {}),  # 每周一 08:00 周报
    ("15 3 * * *", None, "brochure.cleanup", {}),  # 每日 03:15 清理过期项目册文件
]
