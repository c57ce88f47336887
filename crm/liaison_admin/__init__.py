"""Admin pages of the liaison rules (领导包联) and the weekly digest preview."""
