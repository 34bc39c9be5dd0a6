"""Societies domain."""
