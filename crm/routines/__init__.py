"""The plan's routines: 每月调度 (monthly dispatch), 问题台账 (problem ledger), 季度晾晒 (ranking)."""
