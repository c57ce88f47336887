"""Excel: reading the office's lists (reader), writing exports (xlsx), and each list's import and export."""
