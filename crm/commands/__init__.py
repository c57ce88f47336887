"""The `flask` command groups, registered by create_app()."""
