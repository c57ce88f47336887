"""Tests of crm/commands."""
