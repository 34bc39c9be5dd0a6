"""Enterprises domain."""
