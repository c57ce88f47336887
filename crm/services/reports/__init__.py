"""The dashboard's figures: the 2025 goals and aggregates (metrics), and cohort rates."""
