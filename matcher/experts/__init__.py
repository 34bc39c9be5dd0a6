"""Experts domain."""
