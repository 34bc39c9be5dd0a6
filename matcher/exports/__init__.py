"""Exporting tables to CSV (UTF-8 with BOM), .xlsx or .jsonl."""
