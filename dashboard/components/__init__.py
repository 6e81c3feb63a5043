"""Reusable widgets: layout and chips. No database, no vendor."""
