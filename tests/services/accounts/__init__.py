"""Tests of crm/services/accounts."""
