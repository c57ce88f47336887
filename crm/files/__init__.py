"""Evidence file pages: upload, download, remove, and the stage-evidence rule page."""
