"""The schedule: the one list of periodic jobs, read by the single `rq cron` process.

Each entry is (when, job name in workers.jobs.JOBS, kwargs): `when` is a cron string in
local time (the cron process runs with TZ=Asia/Shanghai) or a number of seconds between runs.
"""
SCHEDULE = [
    (15, "outbox.relay", {}),  # rows whose eager relay found Redis down (serve also relays every 2 s)
    ("30 7 * * *", "reminders.scan", {}),  # 每日 07:30 联系提醒
    ("35 7 * * *", "channels.daily", {}),  # 每日 07:35 逾期问题、到期跟进、久未联系的项目发到企业微信/钉钉群
    ("0 8 * * 1", "digest.weekly", {}),  # 每周一 08:00 周报
    (300, "digest.reconcile", {}),  # 周报发送中断（状态不明）转给管理员处理
    ("5 8 * * 1", "channels.weekly", {}),  # 每周一 08:05 周报摘要发到企业微信/钉钉群
    ("15 3 * * *", "brochure.cleanup", {}),  # 每日 03:15 清理过期项目册文件
    ("20 3 * * *", "sheets.cleanup", {}),  # 每日 03:20 清理过期的 Excel 导出文件
    ("45 23 * * *", "chains.coverage", {}),  # 每日 23:45 记录产业链覆盖率
    (60, "summaries.refresh", {}),  # 每分钟重算数据看板的统计（= services/reports/summaries.py REFRESH_SECONDS）
]
