"""Tests of crm/services/liaison."""
