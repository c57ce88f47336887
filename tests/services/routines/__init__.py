"""Tests of crm/services/routines."""
