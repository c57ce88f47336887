"""Tests of crm/services/sheets."""
