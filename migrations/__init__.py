"""Alembic migrations for Kring (run them with ``kring migrate``)."""
