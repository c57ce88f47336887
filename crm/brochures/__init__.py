"""Brochures: one project's PDF (every signed-in role) and the catalog builder (admins, staff)."""
