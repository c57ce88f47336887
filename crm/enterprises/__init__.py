"""Enterprises (目标企业): list with search and filters, detail, create/edit, contacts."""
