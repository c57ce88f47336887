"""The plan's routines: 每月调度 (dispatch), 问题台账 (problems), 季度晾晒 (ranking) and the reminders."""
