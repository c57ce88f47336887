"""Business rules as plain functions taking explicit arguments (acting user, now).

Services flush; the request or job wrapper commits.
"""
