"""Seed data transcribed from the plan; loader lives in seeds/seeding.py."""
