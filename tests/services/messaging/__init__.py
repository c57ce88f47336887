"""Tests of crm/services/messaging."""
