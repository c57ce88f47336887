"""The progress page and download of a large Excel export run as a job (services/sheets/exports)."""
