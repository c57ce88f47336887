"""我的包联项目: the city leaders' view of their liaison projects, 批示 and weekly review."""
