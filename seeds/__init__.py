"""Seed data transcribed from the plan; loader lives in crm/services/seeding.py."""
