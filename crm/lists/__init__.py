"""A user's own list settings: saved filter sets and the columns shown."""
