"""Assay's web app: Reflex pages and states on top of plain service functions."""
