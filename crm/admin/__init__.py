"""Administration home and user accounts (roles, departments, enabling, passwords)."""
