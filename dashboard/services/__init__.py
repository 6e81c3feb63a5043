"""Every use case of Assay, as plain functions taking a database session.

Services are the only writers: a click, a webhook and a scheduled poll that mean
the same thing call the same function here. Nothing in this package imports reflex.
"""
