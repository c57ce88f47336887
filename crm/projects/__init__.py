"""Projects: list, detail, create/edit and stage moves."""
