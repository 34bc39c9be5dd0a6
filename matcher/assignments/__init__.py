"""Assignments domain."""
