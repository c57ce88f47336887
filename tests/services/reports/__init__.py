"""Tests of crm/services/reports."""
