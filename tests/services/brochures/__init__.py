"""Tests of crm/services/brochures."""
