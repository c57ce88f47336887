"""The weekly digest (周报) pages: the administrator's preview of this week's digest."""
