"""Reads of the cross-app pages, one module per page."""
