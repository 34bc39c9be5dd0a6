"""Needs domain."""
