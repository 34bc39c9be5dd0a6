"""Document rendering (plain Python: takes dataclasses, returns bytes; no web, no database)."""
