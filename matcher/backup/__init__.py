"""Backups of the whole store (database and the data directory's documents)."""
