"""The pipeline board: one column per stage."""
