"""Shared foundations of every service: time, ids, money, record access, audit, signals, paging, eager loads."""
