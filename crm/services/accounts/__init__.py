"""Users: login with lockout."""
