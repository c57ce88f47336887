"""Tests of crm/services/core."""
