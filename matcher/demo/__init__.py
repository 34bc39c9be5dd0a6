"""Realistic demo data for a Henan programme, and the jieba domain dictionary."""
