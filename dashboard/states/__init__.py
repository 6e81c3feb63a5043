"""Reflex states: one per page, thin, calling services and holding plain DTOs."""
