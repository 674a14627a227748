"""Fixtures for the ML tests live in tests/conftest.py (the GUI tests use the same small model)."""
