"""Importing societies, experts, enterprises and needs from .csv, .xlsx and .jsonl files."""
